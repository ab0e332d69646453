package chat

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RateLimit is a snapshot of the x-ratelimit-* headers of one response: how much of the
// account's per-minute allowance for a model is left, and when it is whole again. It is also
// an Event, sent as soon as a response's headers arrive.
type RateLimit struct {
	Endpoint string // "/chat/completions", "/models"
	Model    string

	LimitRequests, RemainingRequests int
	LimitTokens, RemainingTokens     int
	// ResetRequests and ResetTokens are how long, from At, until the allowance is whole again.
	ResetRequests, ResetTokens time.Duration
	At                         time.Time
}

// ParseRateLimit reads the six x-ratelimit-* headers. It reports false when the server sent
// none (compatible servers often don't).
func ParseRateLimit(h http.Header, at time.Time) (RateLimit, bool) {
	r := RateLimit{At: at}
	found := false
	num := func(name string, into *int) {
		if v := h.Get(name); v != "" {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				*into, found = n, true
			}
		}
	}
	dur := func(name string, into *time.Duration) {
		if v := h.Get(name); v != "" {
			if d, ok := parseReset(v); ok {
				*into, found = d, true
			}
		}
	}
	num("x-ratelimit-limit-requests", &r.LimitRequests)
	num("x-ratelimit-remaining-requests", &r.RemainingRequests)
	num("x-ratelimit-limit-tokens", &r.LimitTokens)
	num("x-ratelimit-remaining-tokens", &r.RemainingTokens)
	dur("x-ratelimit-reset-requests", &r.ResetRequests)
	dur("x-ratelimit-reset-tokens", &r.ResetTokens)
	return r, found
}

// parseReset reads OpenAI's reset durations ("1s", "6m0s", "12ms", "1.574s"), and plain
// seconds as some compatible servers send them.
func parseReset(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if d, err := time.ParseDuration(v); err == nil {
		return max(d, 0), true
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	return 0, false
}

// Wait is how long from now until this snapshot's allowance covers one more request of n
// tokens, assuming it refills evenly until its reset time, as OpenAI's does. Zero means go now.
// The reason names the limit in plain words.
func (r RateLimit) Wait(n int, now time.Time) (time.Duration, string) {
	elapsed := now.Sub(r.At)
	need := func(limit, remaining, want int, reset time.Duration) time.Duration {
		if limit <= 0 || remaining >= want || reset <= 0 {
			return 0
		}
		// The allowance grows evenly from remaining to limit over reset.
		refill := reset * time.Duration(want-remaining) / time.Duration(limit-remaining)
		return max(refill-elapsed, 0)
	}
	if d := need(r.LimitRequests, r.RemainingRequests, 1, r.ResetRequests); d > 0 {
		return d, fmt.Sprintf("pacing: %s of %s requests per minute left", Thousands(r.RemainingRequests), Thousands(r.LimitRequests))
	}
	if d := need(r.LimitTokens, r.RemainingTokens, n, r.ResetTokens); d > 0 {
		return d, fmt.Sprintf("pacing: %s of %s tokens per minute left, this request needs about %s", Thousands(r.RemainingTokens), Thousands(r.LimitTokens), Thousands(n))
	}
	return 0, ""
}

// RateLimits keeps the latest snapshot per endpoint and model. It is safe for concurrent use.
type RateLimits struct {
	mu     sync.Mutex
	latest map[[2]string]RateLimit
	notify func(RateLimit)
}

// NewRateLimits returns an empty store; notify (may be nil) hears every new snapshot.
func NewRateLimits(notify func(RateLimit)) *RateLimits {
	return &RateLimits{latest: map[[2]string]RateLimit{}, notify: notify}
}

// Latest returns the newest snapshot for an endpoint and model.
func (l *RateLimits) Latest(endpoint, model string) (RateLimit, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.latest[[2]string{endpoint, model}]
	return r, ok
}

func (l *RateLimits) record(r RateLimit) {
	l.mu.Lock()
	l.latest[[2]string{r.Endpoint, r.Model}] = r
	notify := l.notify
	l.mu.Unlock()
	if notify != nil {
		notify(r)
	}
}
