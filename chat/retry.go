package chat

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The retry policy of the official SDKs, which Parley matches: at most two retries, waits the
// server names first, else exponential backoff with jitter, capped.
const (
	defaultMaxRetries = 2
	initialBackoff    = 500 * time.Millisecond
	maxBackoff        = 8 * time.Second
	// maxServerWait is the longest wait a server may ask for that Parley sits through on its
	// own; a longer one is reported to the user instead.
	maxServerWait = time.Minute
)

// shouldRetry decides whether to send a failed request again. The server's x-should-retry
// header outranks what the error looks like.
func shouldRetry(e *Error, h http.Header) bool {
	switch strings.ToLower(h.Get("x-should-retry")) {
	case "true":
		return e.Kind != OutOfCredit && e.Kind != InvalidKey
	case "false":
		return false
	}
	return e.Retryable
}

// serverWait reads the wait a response asks for: retry-after-ms, then retry-after (seconds or
// an HTTP date). It reports false when the response names none.
func serverWait(h http.Header, now time.Time) (time.Duration, bool) {
	if v := h.Get("retry-after-ms"); v != "" {
		if ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	if v := h.Get("retry-after"); v != "" {
		if s, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && s >= 0 {
			return time.Duration(s * float64(time.Second)), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	return 0, false
}

// backoff is the wait before retry number attempt (1, 2, ...) when the server named none:
// 0.5 s doubling each time, at most 8 s, times a jitter in (0.75, 1].
func backoff(attempt int, random float64) time.Duration {
	base := math.Min(float64(initialBackoff)*math.Pow(2, float64(attempt-1)), float64(maxBackoff))
	return time.Duration(base * (1 - 0.25*random))
}
