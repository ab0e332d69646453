package chattest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"parley/chat/tokens"
)

// ChatRequest is the body of POST /v1/chat/completions as the server reads it. Pointer fields
// are nil when the client left them out; Raw holds every field as sent.
type ChatRequest struct {
	Model         string        `json:"model"`
	Messages      []ChatMessage `json:"messages"`
	Stream        bool          `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	Temperature         *float64 `json:"temperature"`
	MaxTokens           *int     `json:"max_tokens"`
	MaxCompletionTokens *int     `json:"max_completion_tokens"`

	Raw map[string]json.RawMessage `json:"-"`
}

// ChatMessage is one message of a request. Content may be sent as a string or as text parts.
type ChatMessage struct {
	Role    string  `json:"role"`
	Name    string  `json:"name,omitempty"`
	Content Content `json:"content"`
}

// Content is message content, flattened to its text.
type Content string

func (c *Content) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*c = Content(s)
		return nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(b, &parts); err != nil {
		return err
	}
	var sb strings.Builder
	for _, p := range parts {
		sb.WriteString(p.Text)
	}
	*c = Content(sb.String())
	return nil
}

// LastUser returns the text of the last user message.
func (c ChatRequest) LastUser() string {
	for i := len(c.Messages) - 1; i >= 0; i-- {
		if c.Messages[i].Role == "user" {
			return string(c.Messages[i].Content)
		}
	}
	return ""
}

// Usage is OpenAI's usage object.
type Usage struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	TotalTokens         int `json:"total_tokens"`
	PromptTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
		AudioTokens  int `json:"audio_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails struct {
		ReasoningTokens          int `json:"reasoning_tokens"`
		AudioTokens              int `json:"audio_tokens"`
		AcceptedPredictionTokens int `json:"accepted_prediction_tokens"`
		RejectedPredictionTokens int `json:"rejected_prediction_tokens"`
	} `json:"completion_tokens_details"`
}

// reasoningTokens is what a reasoning model "thinks" before it answers: billed, never shown.
const reasoningTokens = 64

// answer is a prepared reply: its text in streamable pieces and what it costs.
type answer struct {
	id, model    string
	created      int64
	pieces       []string // each a valid UTF-8 run of one or more tokens
	finish       string
	usage        Usage
	includeUsage bool
}

func (s *Server) serveCompletion(w http.ResponseWriter, r *http.Request, body []byte, fault Fault) {
	var req ChatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.writeError(w, http.StatusBadRequest, apiErrorSpec{
			Message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
			Type:    "invalid_request_error",
		})
		return
	}
	json.Unmarshal(body, &req.Raw)
	if status, e, ok := s.validate(req); !ok {
		s.writeErrorFor(w, req.Model, status, e)
		return
	}
	files, e, ok := checkAttachments(req.Model, req.Attachments())
	if !ok {
		s.writeErrorFor(w, req.Model, http.StatusBadRequest, e)
		return
	}
	prompt, promptIDs := s.countPrompt(req)
	prompt += files
	limit := 0
	switch {
	case req.MaxCompletionTokens != nil:
		limit = *req.MaxCompletionTokens
	case req.MaxTokens != nil:
		limit = *req.MaxTokens
	}
	if window := s.contextWindow(req.Model); prompt+limit > window {
		msg := fmt.Sprintf("This model's maximum context length is %d tokens. However, your messages resulted in %d tokens. Please reduce the length of the messages.", window, prompt)
		if limit > 0 {
			msg = fmt.Sprintf("This model's maximum context length is %d tokens. However, you requested %d tokens (%d in the messages, %d in the completion). Please reduce the length of the messages or completion.", window, prompt+limit, prompt, limit)
		}
		s.writeErrorFor(w, req.Model, http.StatusBadRequest, apiErrorSpec{Message: msg, Type: "invalid_request_error", Param: "messages", Code: "context_length_exceeded"})
		return
	}

	a := s.prepare(req, prompt, promptIDs, limit)
	if kind, wait := s.spend(req.Model, a.usage.TotalTokens); kind != "" {
		w.Header().Set("retry-after-ms", fmt.Sprint(wait.Milliseconds()))
		w.Header().Set("retry-after", fmt.Sprint(int(wait.Seconds()+0.999)))
		unit := map[string]string{"requests": "requests per min (RPM)", "tokens": "tokens per min (TPM)"}[kind]
		s.writeErrorFor(w, req.Model, http.StatusTooManyRequests, apiErrorSpec{
			Message: fmt.Sprintf("Rate limit reached for %s in organization org-chattest on %s. Please try again in %s. Visit https://platform.openai.com/account/rate-limits to learn more.", req.Model, unit, FormatReset(wait)),
			Type:    kind, Code: "rate_limit_exceeded",
		})
		return
	}
	s.rateLimitHeaders(w, req.Model)
	s.recordServed(r, req.Model, a.usage.PromptTokens, a.usage.PromptTokensDetails.CachedTokens, 0, a.usage.CompletionTokens)
	if req.Stream {
		s.stream(w, r, a, fault)
	} else {
		s.complete(w, r, a, fault)
	}
}

// validate rejects what OpenAI rejects, with its status, message, param and code.
func (s *Server) validate(req ChatRequest) (int, apiErrorSpec, bool) {
	bad := func(msg, param, code string) (int, apiErrorSpec, bool) {
		return http.StatusBadRequest, apiErrorSpec{Message: msg, Type: "invalid_request_error", Param: param, Code: code}, false
	}
	switch {
	case req.Model == "":
		return bad("you must provide a model parameter", "", "")
	case !slices.Contains(s.opts.Models, req.Model):
		return http.StatusNotFound, modelNotFound(req.Model), false
	case !isChat(req.Model):
		return http.StatusNotFound, apiErrorSpec{
			Message: "This is not a chat model and thus not supported in the v1/chat/completions endpoint. Did you mean to use v1/completions?",
			Type:    "invalid_request_error", Param: "model",
		}, false
	case len(req.Messages) == 0:
		return bad("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", "messages", "empty_array")
	case req.StreamOptions != nil && !req.Stream:
		return bad("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options", "invalid_value")
	case isReasoning(req.Model) && req.MaxTokens != nil:
		return bad("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", "max_tokens", "unsupported_parameter")
	case isReasoning(req.Model) && req.Temperature != nil && *req.Temperature != 1:
		return bad(fmt.Sprintf("Unsupported value: 'temperature' does not support %g with this model. Only the default (1) value is supported.", *req.Temperature), "temperature", "unsupported_value")
	case req.Temperature != nil && (*req.Temperature < 0 || *req.Temperature > 2):
		return bad(fmt.Sprintf("Invalid 'temperature': decimal out of range. Expected a value between 0 and 2, but got %g instead.", *req.Temperature), "temperature", "decimal_out_of_range")
	}
	for i, m := range req.Messages {
		switch m.Role {
		case "system", "developer", "user", "assistant", "tool", "function":
		default:
			return bad(fmt.Sprintf("Invalid value: '%s'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.", m.Role),
				fmt.Sprintf("messages[%d].role", i), "invalid_value")
		}
	}
	return 0, apiErrorSpec{}, true
}

// countPrompt counts the request as OpenAI bills it (the cookbook formula), and returns the
// prompt's tokens for prompt-cache matching.
func (s *Server) countPrompt(req ChatRequest) (int, []int) {
	enc := tokens.EncodingFor(req.Model)
	msgs := make([]tokens.Message, len(req.Messages))
	var ids []int
	for i, m := range req.Messages {
		msgs[i] = tokens.Message{Role: m.Role, Name: m.Name, Content: string(m.Content)}
		one, _ := tokens.Encode(enc, m.Role+"\x00"+string(m.Content))
		ids = append(ids, one...)
	}
	n, _ := tokens.Default().Chat(enc, msgs)
	return n, ids
}

// cachedTokens imitates OpenAI's prompt caching: a prompt that repeats the start of a recent one
// gets that prefix cached, in steps of 128 tokens, once the prefix reaches 1,024.
func (s *Server) cachedTokens(ids []int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	best := 0
	for _, p := range s.prompts {
		n := 0
		for n < len(p) && n < len(ids) && p[n] == ids[n] {
			n++
		}
		best = max(best, n)
	}
	s.prompts = append(s.prompts, ids)
	if len(s.prompts) > 16 {
		s.prompts = s.prompts[1:]
	}
	if best < 1024 {
		return 0
	}
	return best / 128 * 128
}

// prepare writes the reply, cuts it into streamable pieces and prices it.
func (s *Server) prepare(req ChatRequest, prompt int, promptIDs []int, limit int) answer {
	s.mu.Lock()
	var text string
	if len(s.replies) > 0 {
		text, s.replies = s.replies[0], s.replies[1:]
		s.mu.Unlock()
	} else {
		s.mu.Unlock()
		text = s.opts.Reply(req)
	}
	enc := tokens.EncodingFor(req.Model)
	ids, _ := tokens.Encode(enc, text)
	a := answer{
		id: "chatcmpl-" + randomHex(28), model: req.Model, created: s.now().Unix(), finish: "stop",
		includeUsage: req.Stream && req.StreamOptions != nil && req.StreamOptions.IncludeUsage,
	}
	reasoning := 0
	if isReasoning(req.Model) {
		reasoning = reasoningTokens
	}
	if limit > 0 && len(ids)+reasoning > limit {
		ids, a.finish = ids[:max(0, limit-reasoning)], "length"
		reasoning = min(reasoning, limit)
	}
	a.pieces = pieces(enc, ids, s.opts.TokensPerChunk)
	a.usage.PromptTokens = prompt
	a.usage.PromptTokensDetails.CachedTokens = s.cachedTokens(promptIDs)
	a.usage.CompletionTokens = len(ids) + reasoning
	a.usage.CompletionTokensDetails.ReasoningTokens = reasoning
	a.usage.TotalTokens = a.usage.PromptTokens + a.usage.CompletionTokens
	return a
}

func (a answer) text() string { return strings.Join(a.pieces, "") }

// pieces cuts tokens into streamable text pieces of per tokens that never end inside a UTF-8
// character, as OpenAI's deltas never do.
func pieces(enc string, ids []int, per int) []string {
	var texts []string
	var pending []int
	for i, id := range ids {
		pending = append(pending, id)
		piece, _ := tokens.Decode(enc, pending)
		if !utf8.ValidString(piece) && i < len(ids)-1 {
			continue
		}
		if len(pending) >= per || i == len(ids)-1 {
			texts = append(texts, strings.ToValidUTF8(piece, "\uFFFD"))
			pending = pending[:0]
		}
	}
	return texts
}

// complete answers a non-streaming request.
func (s *Server) complete(w http.ResponseWriter, r *http.Request, a answer, fault Fault) {
	if s.opts.FirstToken > 0 {
		wait(r, s.opts.FirstToken)
	}
	switch fault.Kind {
	case Cut:
		hangUp(w)
		return
	case Stall:
		wait(r, fault.Wait)
	case Malformed:
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id": "` + a.id + `", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assist`))
		return
	}
	resp := map[string]any{
		"id": a.id, "object": "chat.completion", "created": a.created, "model": a.model,
		"choices": []any{map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": a.text(), "refusal": nil, "annotations": []any{}},
			"logprobs":      nil,
			"finish_reason": a.finish,
		}},
		"service_tier": "default", "system_fingerprint": "fp_chattest",
	}
	if !s.opts.OmitUsage {
		resp["usage"] = a.usage
	}
	writeJSON(w, resp)
}
