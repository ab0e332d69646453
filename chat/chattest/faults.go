package chattest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FaultKind names a scripted fault.
type FaultKind string

// The faults a test can ask for. The first group answers instead of the API; the second
// happens inside a streamed answer, after Fault.After chunks.
const (
	RateLimit FaultKind = "rate_limit" // 429 rate_limit_exceeded, with retry-after-ms / retry-after as set
	Quota     FaultKind = "quota"      // 429 insufficient_quota (or Fault.Code: billing codes)
	Status    FaultKind = "status"     // any status with an OpenAI error body (500, 503, 408, 409, 400, 403...)
	Delay     FaultKind = "delay"      // waits Fault.Wait before answering normally (a slow first byte)
	Silent    FaultKind = "silent"     // takes the request and never answers, not even headers
	HTML      FaultKind = "html"       // 200 with an HTML page, as a captive portal or a proxy's login answers
	PlainJSON FaultKind = "plain_json" // 200 with a whole, non-streamed completion to a streamed request
	Redirect  FaultKind = "redirect"   // 307 to Fault.Location

	Cut        FaultKind = "cut"         // closes the connection mid-stream, with no [DONE]
	Truncate   FaultKind = "truncate"    // ends the body cleanly mid-stream, with no finish_reason and no [DONE]
	Stall      FaultKind = "stall"       // stops sending mid-stream for Fault.Wait (0: until the client leaves)
	ErrorEvent FaultKind = "error_event" // sends data: {"error": ...} mid-stream
	Malformed  FaultKind = "malformed"   // sends a chunk that is not JSON
	Split      FaultKind = "split"       // writes every SSE line in pieces of a few bytes, each flushed
	Empty      FaultKind = "empty"       // sends chunks with no content, every Fault.Wait (0: 50 ms), until the client leaves
	HugeLine   FaultKind = "huge_line"   // sends a data line of Fault.Size bytes (0: 64 MiB) with no newline
)

// Fault is one scripted misbehaviour, applied to the next Times requests on Path.
type Fault struct {
	Kind FaultKind `json:"kind"`
	// Path is the endpoint it applies to (default /v1/chat/completions).
	Path string `json:"path,omitempty"`
	// Times is how many requests it applies to (default 1).
	Times int `json:"times,omitempty"`

	// Status, Code, Type and Message shape the error (defaults per kind).
	Status  int    `json:"status,omitempty"`
	Code    string `json:"code,omitempty"`
	Type    string `json:"type,omitempty"`
	Message string `json:"message,omitempty"`
	// RetryAfterMS, RetryAfter and ShouldRetry set the retry-after-ms, retry-after and
	// x-should-retry headers; empty ones are not sent.
	RetryAfterMS string `json:"retry_after_ms,omitempty"`
	RetryAfter   string `json:"retry_after,omitempty"`
	ShouldRetry  string `json:"should_retry,omitempty"`

	// After is how many content chunks a mid-stream fault lets through first.
	After int `json:"after,omitempty"`
	// Wait is how long Delay and Stall last (nanoseconds in JSON, as time.Duration is).
	Wait time.Duration `json:"wait,omitempty"`
	// Framing overrides the server's framing of this streamed answer ("chunked", "close").
	Framing Framing `json:"framing,omitempty"`
	// Location is where Redirect sends the client; Size how long HugeLine's line is.
	Location string `json:"location,omitempty"`
	Size     int    `json:"size,omitempty"`
}

// ResponseByIDPath, as a fault's Path, matches every request about one response (GET
// /v1/responses/{id}, streamed again or not, and its cancel).
const ResponseByIDPath = "/v1/responses/{id}"

func (f Fault) path() string {
	if f.Path == "" {
		return completionsPath
	}
	return f.Path
}

// midStream tells the faults that act inside a streamed answer.
func (f Fault) midStream() bool {
	switch f.Kind {
	case Cut, Truncate, Stall, ErrorEvent, Malformed, Split, Empty, HugeLine:
		return true
	}
	return false
}

// takeFault removes and returns the first fault queued for path.
func (s *Server) takeFault(path string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.path() != path && !(f.path() == ResponseByIDPath && strings.HasPrefix(path, responsesPath+"/") &&
			path != inputTokensPath && path != compactPath) {
			continue
		}
		s.faults[i].Times--
		if s.faults[i].Times <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return f, true
	}
	return Fault{}, false
}

// answer sends the error response of a fault of the first group. It reports false for the
// faults that let the request go on (Delay, and the mid-stream ones).
func (f Fault) answer(s *Server, w http.ResponseWriter, r *http.Request) bool {
	switch f.Kind {
	case Delay:
		wait(r, f.Wait)
		return false
	case Silent:
		wait(r, 0)
	case HTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("<!DOCTYPE html>\n<html><head><title>Sign in to Hotel Wi-Fi</title></head>\n<body><h1>Welcome!</h1><p>Please accept the terms to continue.</p><form method=post><button>Accept</button></form></body></html>\n"))
	case PlainJSON:
		writeJSON(w, map[string]any{
			"id": "chatcmpl-plain", "object": "chat.completion", "created": 1733130000, "model": "gpt-4o",
			"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": "A whole answer, not a stream."}, "finish_reason": "stop"}},
			"usage":   map[string]any{"prompt_tokens": 9, "completion_tokens": 7, "total_tokens": 16},
		})
	case Redirect:
		w.Header().Set("Location", f.Location)
		w.WriteHeader(http.StatusTemporaryRedirect)
	case RateLimit:
		typ := or(f.Type, "tokens")
		f.respond(s, w, http.StatusTooManyRequests, apiErrorSpec{
			Message: or(f.Message, "Rate limit reached for default-model in organization org-chattest on "+typ+
				" per min. Please try again in "+retryText(f)+". Visit https://platform.openai.com/account/rate-limits to learn more."),
			Type: typ, Code: or(f.Code, "rate_limit_exceeded"),
		})
	case Quota:
		f.respond(s, w, http.StatusTooManyRequests, apiErrorSpec{
			Message: or(f.Message, "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors."),
			Type:    or(f.Type, "insufficient_quota"), Code: or(f.Code, "insufficient_quota"),
		})
	case Status:
		status := f.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		spec := apiErrorSpec{Message: f.Message, Type: f.Type, Code: f.Code}
		if spec.Message == "" {
			spec.Message, spec.Type = statusDefaults(status)
		}
		f.respond(s, w, status, spec)
	default:
		return false
	}
	return true
}

func (f Fault) respond(s *Server, w http.ResponseWriter, status int, e apiErrorSpec) {
	if f.RetryAfterMS != "" {
		w.Header().Set("retry-after-ms", f.RetryAfterMS)
	}
	if f.RetryAfter != "" {
		w.Header().Set("retry-after", f.RetryAfter)
	}
	if f.ShouldRetry != "" {
		w.Header().Set("x-should-retry", f.ShouldRetry)
	}
	s.writeError(w, status, e)
}

// statusDefaults are the messages OpenAI sends with its server-side errors.
func statusDefaults(status int) (message, typ string) {
	switch status {
	case http.StatusServiceUnavailable:
		return "The server is overloaded or not ready yet.", "server_error"
	case http.StatusRequestTimeout:
		return "Request timed out.", "invalid_request_error"
	case http.StatusConflict:
		return "The request conflicted with another request. Please try again.", "invalid_request_error"
	case http.StatusForbidden:
		return "Country, region, or territory not supported", "request_forbidden"
	}
	if status >= 500 {
		return "The server had an error while processing your request. Sorry about that!", "server_error"
	}
	return http.StatusText(status), "invalid_request_error"
}

func retryText(f Fault) string {
	if ms, err := strconv.Atoi(f.RetryAfterMS); err == nil {
		return (time.Duration(ms) * time.Millisecond).String()
	}
	if f.RetryAfter != "" {
		return f.RetryAfter + "s"
	}
	return "1s"
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// wait pauses for d, or until the client goes away; d == 0 waits for the client alone.
func wait(r *http.Request, d time.Duration) {
	if d <= 0 {
		<-r.Context().Done()
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}
