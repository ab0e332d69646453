// Package chattest is an OpenAI-compatible server for tests and demos. It speaks the protocol as
// OpenAI does (models, chat completions streamed or not, usage, rate-limit headers, errors) and
// takes scripted faults, so the client can be tested against everything the real API does.
//
// Use it in Go tests through httptest (New, then httptest.NewServer), or as a process on
// 127.0.0.1 (cmd/chattest), where it is scripted over /_chattest/ endpoints.
package chattest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configure a Server. The zero value is a working server that accepts any key.
type Options struct {
	// Key is the API key it accepts in "Authorization: Bearer"; empty accepts any key or none,
	// as local servers (Ollama, LM Studio) do.
	Key string
	// Models lists the model ids /v1/models returns; nil means DefaultModels.
	Models []string
	// RPM and TPM are the rate limits per model (0: 5,000 requests and 2,000,000 tokens).
	RPM, TPM int
	// TokensPerSecond paces streamed answers (0: as fast as the connection goes).
	TokensPerSecond int
	// TokensPerChunk groups tokens into one streamed chunk (0: one token a chunk, as OpenAI does).
	TokensPerChunk int
	// FirstToken is how long the model "thinks" before its first token, as real ones do.
	FirstToken time.Duration
	// ContextWindows overrides or adds model context windows, for tests of long conversations.
	ContextWindows map[string]int
	// Reply writes the answer to a request when no scripted reply is queued (nil: DemoReply).
	Reply func(ChatRequest) string
	// OmitUsage and OmitRateLimitHeaders imitate compatible servers that send neither.
	OmitUsage, OmitRateLimitHeaders bool
	// OmitDone and OmitFinishReason imitate compatible servers that end a stream with a
	// finish_reason but no "data: [DONE]", or the reverse.
	OmitDone, OmitFinishReason bool
	// Framing is how streamed bodies are delimited (default Chunked, as OpenAI does).
	Framing Framing
	// StreamType labels streamed bodies (default text/event-stream; some compatible servers,
	// openai-mock-api among them, say text/plain).
	StreamType string
	// Now is the server's clock for rate limits (nil: time.Now).
	Now func() time.Time
	// NoResponses imitates a compatible server without the Responses API: /v1/responses is 404.
	NoResponses bool
	// Org is the organization the Admin API (/v1/organization/...) shows (nil: no Admin API).
	// Its projects' keys are then the keys the model endpoints take.
	Org *Org
	// BackgroundQueue and BackgroundRun are how long a background response stays queued, then
	// in progress, by the server's clock (0: done at once); BackgroundTTL how long it is kept
	// (0: 10 minutes).
	BackgroundQueue, BackgroundRun, BackgroundTTL time.Duration
	// BatchTime is how long a batch takes by the server's clock (0: done at once), BatchWindow
	// when it expires (0: 24 hours); NoBatchModels are models the Batch API refuses.
	BatchTime, BatchWindow time.Duration
	NoBatchModels          []string
}

// Server is the OpenAI-compatible handler. Mount it at the root: the API is under /v1.
type Server struct {
	opts Options
	now  func() time.Time

	mu         sync.Mutex
	faults     []Fault
	replies    []string
	requests   []Request
	limits     map[string]*bucket // per model
	prompts    [][]int            // recent prompts' tokens, for cached-token reporting
	served     []Spend            // what the model endpoints served, for the Admin API's usage
	background map[string]*bgResponse
	files      map[string]*storedFile
	batches    map[string]*batchJob
}

// Request is one request the server received, as the client sent it.
type Request struct {
	Method string
	Path   string
	Query  string // the URL's query, as sent
	Header http.Header
	Body   []byte
	Time   time.Time
}

// Chat decodes the body of a chat completion request.
func (r Request) Chat() (ChatRequest, error) {
	var c ChatRequest
	err := json.Unmarshal(r.Body, &c)
	if err == nil {
		err = json.Unmarshal(r.Body, &c.Raw)
	}
	return c, err
}

// New returns a Server.
func New(opts Options) *Server {
	if opts.Models == nil {
		opts.Models = DefaultModels
	}
	if opts.RPM == 0 {
		opts.RPM = 5000
	}
	if opts.TPM == 0 {
		opts.TPM = 2_000_000
	}
	if opts.TokensPerChunk <= 0 {
		opts.TokensPerChunk = 1
	}
	if opts.Reply == nil {
		opts.Reply = DemoReply
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Server{opts: opts, now: now, limits: map[string]*bucket{}}
}

// Fault queues a fault for the next requests it matches (see Fault).
func (s *Server) Fault(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, one := range f {
		if one.Times <= 0 {
			one.Times = 1
		}
		s.faults = append(s.faults, one)
	}
}

// Reply queues answers: the next chat completions answer with these texts, in order.
func (s *Server) Reply(text ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies = append(s.replies, text...)
}

// Requests returns what the server has received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ChatRequests returns the chat completion requests received so far, decoded.
func (s *Server) ChatRequests() []ChatRequest {
	var out []ChatRequest
	for _, r := range s.Requests() {
		if r.Path == completionsPath {
			if c, err := r.Chat(); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// Reset forgets queued faults and replies, recorded requests and spent rate limits.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults, s.replies, s.requests, s.prompts = nil, nil, nil, nil
	s.limits = map[string]*bucket{}
}

const (
	modelsPath      = "/v1/models"
	completionsPath = "/v1/chat/completions"
	controlPrefix   = "/_chattest/"
)

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		s.serveControl(w, r)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body, Time: s.now()})
	s.mu.Unlock()

	w.Header().Set("x-request-id", "req_"+randomHex(16))
	w.Header().Set("openai-version", "2020-10-01")
	w.Header().Set("openai-organization", "org-chattest")
	w.Header().Set("openai-processing-ms", "12")

	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		if fault, ok := s.takeFault(r.URL.Path); ok && fault.answer(s, w, r) {
			return
		}
		s.serveAdmin(w, r, body)
		return
	}
	if !s.authorized(r) {
		s.writeError(w, http.StatusUnauthorized, apiErrorSpec{
			Message: "Incorrect API key provided: " + maskKey(bearer(r)) + ". You can find your API key at https://platform.openai.com/account/api-keys.",
			Type:    "invalid_request_error", Code: "invalid_api_key",
		})
		return
	}
	fault, _ := s.takeFault(r.URL.Path)
	if fault.answer(s, w, r) {
		return
	}
	switch {
	case r.URL.Path == modelsPath && r.Method == http.MethodGet:
		s.serveModels(w)
	case strings.HasPrefix(r.URL.Path, modelsPath+"/") && r.Method == http.MethodGet:
		s.serveModel(w, strings.TrimPrefix(r.URL.Path, modelsPath+"/"))
	case r.URL.Path == completionsPath && r.Method == http.MethodPost:
		s.serveCompletion(w, r, body, fault)
	case r.URL.Path == responsesPath && r.Method == http.MethodPost && !s.opts.NoResponses:
		s.serveResponses(w, r, body, fault)
	case r.URL.Path == inputTokensPath && r.Method == http.MethodPost && !s.opts.NoResponses:
		s.serveInputTokens(w, body)
	case r.URL.Path == compactPath && r.Method == http.MethodPost && !s.opts.NoResponses:
		s.serveCompact(w, body)
	case strings.HasPrefix(r.URL.Path, responsesPath+"/") && !s.opts.NoResponses:
		s.serveResponseByID(w, r, strings.TrimPrefix(r.URL.Path, responsesPath+"/"), fault)
	case r.URL.Path == filesPath || strings.HasPrefix(r.URL.Path, filesPath+"/"):
		s.serveFiles(w, r, body)
	case r.URL.Path == batchesPath || strings.HasPrefix(r.URL.Path, batchesPath+"/"):
		s.serveBatches(w, r, body)
	default:
		s.writeError(w, http.StatusNotFound, apiErrorSpec{
			Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), Type: "invalid_request_error",
		})
	}
}

func bearer(r *http.Request) string {
	v := r.Header.Get("Authorization")
	if rest, ok := strings.CutPrefix(v, "Bearer "); ok {
		return strings.TrimSpace(rest)
	}
	return ""
}

func (s *Server) authorized(r *http.Request) bool {
	if s.opts.Org != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.keyKnown(bearer(r)) // admin keys never call model endpoints
	}
	return s.opts.Key == "" || bearer(r) == s.opts.Key
}

// maskKey shows a key the way OpenAI's 401 message does: a few characters at each end.
func maskKey(key string) string {
	if len(key) <= 8 {
		return strings.Repeat("*", len(key))
	}
	return key[:3] + strings.Repeat("*", 12) + key[len(key)-4:]
}

// apiError is OpenAI's error object.
type apiError struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// writeError sends an OpenAI error, with the rate-limit headers every response carries.
func (s *Server) writeError(w http.ResponseWriter, status int, e apiErrorSpec) {
	s.writeErrorFor(w, "", status, e)
}

func (s *Server) writeErrorFor(w http.ResponseWriter, model string, status int, e apiErrorSpec) {
	s.rateLimitHeaders(w, model)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(e.body())
}

// apiErrorSpec is how handlers describe an error: plain strings, empty for JSON null.
type apiErrorSpec struct {
	Message, Type, Param, Code string
}

// body is the JSON OpenAI sends: {"error": {"message", "type", "param", "code"}}.
func (e apiErrorSpec) body() []byte {
	orNull := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	b, _ := json.Marshal(map[string]apiError{"error": {Message: e.Message, Type: e.Type, Param: orNull(e.Param), Code: orNull(e.Code)}})
	return b
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func randomHex(n int) string {
	b := make([]byte, n/2)
	rand.Read(b)
	return hex.EncodeToString(b)
}
