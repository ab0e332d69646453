package chattest

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

// bucket is one model's request and token allowance, refilled continuously over a minute as
// OpenAI's limiter does.
type bucket struct {
	requests, tokens float64
	at               time.Time
}

// limitFor returns the model's bucket, refilled up to now. The caller holds s.mu.
func (s *Server) limitFor(model string) *bucket {
	now := s.now()
	b, ok := s.limits[model]
	if !ok {
		b = &bucket{requests: float64(s.opts.RPM), tokens: float64(s.opts.TPM), at: now}
		s.limits[model] = b
	}
	if elapsed := now.Sub(b.at).Minutes(); elapsed > 0 {
		b.requests = math.Min(float64(s.opts.RPM), b.requests+elapsed*float64(s.opts.RPM))
		b.tokens = math.Min(float64(s.opts.TPM), b.tokens+elapsed*float64(s.opts.TPM))
	}
	b.at = now
	return b
}

// spend takes one request and n tokens from the model's allowance, or says which limit is
// exhausted and how long until it covers the request.
func (s *Server) spend(model string, n int) (kind string, wait time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.limitFor(model)
	if b.requests < 1 {
		return "requests", refillTime(1-b.requests, s.opts.RPM)
	}
	if b.tokens < float64(n) {
		return "tokens", refillTime(float64(n)-b.tokens, s.opts.TPM)
	}
	b.requests--
	b.tokens -= float64(n)
	return "", 0
}

func refillTime(missing float64, perMinute int) time.Duration {
	return time.Duration(missing / float64(perMinute) * float64(time.Minute))
}

// rateLimitHeaders sets the six x-ratelimit-* headers OpenAI sends on every response.
func (s *Server) rateLimitHeaders(w http.ResponseWriter, model string) {
	if s.opts.OmitRateLimitHeaders {
		return
	}
	s.mu.Lock()
	b := s.limitFor(model)
	requests, tokens := b.requests, b.tokens
	s.mu.Unlock()
	h := w.Header()
	h.Set("x-ratelimit-limit-requests", strconv.Itoa(s.opts.RPM))
	h.Set("x-ratelimit-limit-tokens", strconv.Itoa(s.opts.TPM))
	h.Set("x-ratelimit-remaining-requests", strconv.Itoa(int(math.Max(0, math.Floor(requests)))))
	h.Set("x-ratelimit-remaining-tokens", strconv.Itoa(int(math.Max(0, math.Floor(tokens)))))
	h.Set("x-ratelimit-reset-requests", FormatReset(refillTime(float64(s.opts.RPM)-requests, s.opts.RPM)))
	h.Set("x-ratelimit-reset-tokens", FormatReset(refillTime(float64(s.opts.TPM)-tokens, s.opts.TPM)))
}

// FormatReset writes a duration as OpenAI's reset headers do: "12ms", "1.574s", "6m0s".
func FormatReset(d time.Duration) string {
	if d < time.Millisecond {
		return "0s"
	}
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return d.Round(time.Millisecond).String()
}
