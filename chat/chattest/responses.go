package chattest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"parley/chat/tokens"
)

// The Responses API (POST /v1/responses), as OpenAI speaks it in December 2026: input items,
// reasoning with summaries and encrypted carry-over (store: false), streamed events with
// sequence numbers and exactly one terminal event, usage with cached and cache-write tokens,
// service tiers, incomplete answers, server-side compaction, exact input-token counts and the
// standalone compaction endpoint.

const (
	responsesPath   = "/v1/responses"
	inputTokensPath = "/v1/responses/input_tokens"
	compactPath     = "/v1/responses/compact"
)

// ResponsesRequest is the body of POST /v1/responses as the server reads it. Raw holds every
// field as sent; Items the input as items (a string input is one user message).
type ResponsesRequest struct {
	Model        string `json:"model"`
	Instructions string `json:"instructions"`
	Reasoning    *struct {
		Effort  string `json:"effort"`
		Summary string `json:"summary"`
		Mode    string `json:"mode"`
	} `json:"reasoning"`
	MaxOutputTokens   *int     `json:"max_output_tokens"`
	Store             *bool    `json:"store"`
	Include           []string `json:"include"`
	Stream            bool     `json:"stream"`
	Background        bool     `json:"background"`
	ServiceTier       string   `json:"service_tier"`
	Temperature       *float64 `json:"temperature"`
	ContextManagement []struct {
		Type             string `json:"type"`
		CompactThreshold int    `json:"compact_threshold"`
	} `json:"context_management"`
	PreviousResponseID string `json:"previous_response_id"`

	Items []map[string]any           `json:"-"`
	Raw   map[string]json.RawMessage `json:"-"`
}

// ParseResponsesRequest decodes a Responses API body.
func ParseResponsesRequest(body []byte) (ResponsesRequest, error) {
	var r ResponsesRequest
	if err := json.Unmarshal(body, &r); err != nil {
		return r, err
	}
	if err := json.Unmarshal(body, &r.Raw); err != nil {
		return r, err
	}
	if in, ok := r.Raw["input"]; ok {
		var s string
		if json.Unmarshal(in, &s) == nil {
			r.Items = []map[string]any{{"type": "message", "role": "user", "content": s}}
		} else if err := json.Unmarshal(in, &r.Items); err != nil {
			return r, fmt.Errorf("input: %w", err)
		}
	}
	return r, nil
}

// Responses returns the Responses API requests received so far (create calls), decoded.
func (s *Server) Responses() []ResponsesRequest {
	var out []ResponsesRequest
	for _, r := range s.Requests() {
		if r.Path == responsesPath {
			if rr, err := ParseResponsesRequest(r.Body); err == nil {
				out = append(out, rr)
			}
		}
	}
	return out
}

// Messages are the request's message items as chat messages (for the reply writers), the
// instructions first.
func (r ResponsesRequest) Messages() []ChatMessage {
	var out []ChatMessage
	if r.Instructions != "" {
		out = append(out, ChatMessage{Role: "system", Content: Content(r.Instructions)})
	}
	for _, it := range r.Items {
		if typ, _ := it["type"].(string); typ != "" && typ != "message" {
			continue
		}
		role, _ := it["role"].(string)
		out = append(out, ChatMessage{Role: role, Content: Content(itemText(it["content"]))})
	}
	return out
}

// LastUser is the text of the last user message.
func (r ResponsesRequest) LastUser() string {
	return ChatRequest{Messages: r.Messages()}.LastUser()
}

// itemText flattens a message's content: a string, or parts with text.
func itemText(content any) string {
	switch c := content.(type) {
	case string:
		return c
	case []any:
		var b strings.Builder
		for _, p := range c {
			if m, ok := p.(map[string]any); ok {
				if t, ok := m["text"].(string); ok {
					b.WriteString(t)
				}
			}
		}
		return b.String()
	}
	return ""
}

// efforts are the reasoning efforts each model family accepts, as OpenAI's model pages list them
// (nil: the model does not reason and refuses the parameter).
func efforts(model string) []string {
	all := []string{"none", "low", "medium", "high", "xhigh", "max"}
	switch {
	case strings.HasPrefix(model, "gpt-6.2"), strings.HasPrefix(model, "gpt-6-astra"), strings.HasPrefix(model, "gpt-6.1-sol"):
		return all[1:]
	case strings.HasPrefix(model, "gpt-6"), strings.HasPrefix(model, "gpt-5.6"):
		return all
	case strings.HasPrefix(model, "gpt-5.5"), strings.HasPrefix(model, "gpt-5.4"), strings.HasPrefix(model, "gpt-5.2"):
		return []string{"low", "medium", "high", "xhigh"}
	case strings.HasPrefix(model, "gpt-5.1"):
		return []string{"none", "low", "medium", "high"}
	case strings.HasPrefix(model, "gpt-5-chat"):
		return nil
	case strings.HasPrefix(model, "gpt-5"):
		return []string{"minimal", "low", "medium", "high"}
	case isReasoning(model):
		return []string{"low", "medium", "high"}
	}
	return nil
}

// hasPro tells the models that take reasoning.mode "pro" (GPT-5.6 and later).
func hasPro(model string) bool {
	return strings.HasPrefix(model, "gpt-5.6") || strings.HasPrefix(model, "gpt-6")
}

// writesCache tells the models that bill prompt-cache writes (GPT-5.6 and later).
func writesCache(model string) bool { return hasPro(model) }

// effortTokens is how long a model thinks at an effort.
var effortTokens = map[string]int{"none": 0, "minimal": 16, "low": 32, "medium": 64, "high": 128, "xhigh": 256, "max": 512}

// compactionTokens is what a compaction item stands for in a later request's input.
const compactionTokens = 200

// sealed is what the server keeps inside a reasoning item's encrypted content.
type sealed struct {
	Model   string `json:"m"`
	Tokens  int    `json:"t"`
	Summary string `json:"s"`
}

func seal(v sealed) string {
	b, _ := json.Marshal(v)
	return "gAAAAB" + base64.RawURLEncoding.EncodeToString(b)
}

func unseal(s string) (sealed, bool) {
	var v sealed
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s, "gAAAAB"))
	if err != nil || !strings.HasPrefix(s, "gAAAAB") || json.Unmarshal(b, &v) != nil {
		return v, false
	}
	return v, true
}

func (s *Server) serveResponses(w http.ResponseWriter, r *http.Request, body []byte, fault Fault) {
	req, err := ParseResponsesRequest(body)
	if err != nil {
		s.writeError(w, http.StatusBadRequest, apiErrorSpec{Message: "We could not parse the JSON body of your request.", Type: "invalid_request_error"})
		return
	}
	if status, e, ok := s.validateResponses(req); !ok {
		s.writeErrorFor(w, req.Model, status, e)
		return
	}
	if _, e, ok := checkAttachments(req.Model, req.Attachments()); !ok {
		s.writeErrorFor(w, req.Model, http.StatusBadRequest, e)
		return
	}
	prompt, ids := s.countInput(req)
	if window := s.contextWindow(req.Model); prompt > window {
		s.writeErrorFor(w, req.Model, http.StatusBadRequest, apiErrorSpec{
			Message: fmt.Sprintf("Your input exceeds the context window of this model. Please adjust your input and try again. (%d tokens, the window is %d.)", prompt, window),
			Type:    "invalid_request_error", Param: "input", Code: "context_length_exceeded",
		})
		return
	}
	p := s.plan(req, prompt, ids)
	if kind, wait := s.spend(req.Model, p.usage.InputTokens+p.usage.OutputTokens); kind != "" {
		w.Header().Set("retry-after-ms", fmt.Sprint(wait.Milliseconds()))
		s.writeErrorFor(w, req.Model, http.StatusTooManyRequests, apiErrorSpec{
			Message: fmt.Sprintf("Rate limit reached for %s in organization org-chattest on %s per min. Please try again in %s.", req.Model, kind, FormatReset(wait)),
			Type:    kind, Code: "rate_limit_exceeded",
		})
		return
	}
	s.rateLimitHeaders(w, req.Model)
	s.recordServed(r, req.Model, p.usage.InputTokens, p.usage.InputTokensDetails.CachedTokens, p.usage.InputTokensDetails.CacheWriteTokens, p.usage.OutputTokens)
	if req.Background {
		s.startBackground(w, r, req, p, fault)
		return
	}
	if req.Stream {
		s.streamResponse(w, r, p, fault, p.events(false))
		return
	}
	if s.opts.FirstToken > 0 {
		wait(r, s.opts.FirstToken)
	}
	writeJSON(w, p.object(p.status, true))
}

// validateResponses refuses what OpenAI refuses, with its status, message, param and code.
func (s *Server) validateResponses(req ResponsesRequest) (int, apiErrorSpec, bool) {
	bad := func(msg, param, code string) (int, apiErrorSpec, bool) {
		return http.StatusBadRequest, apiErrorSpec{Message: msg, Type: "invalid_request_error", Param: param, Code: code}, false
	}
	accepted := efforts(req.Model)
	effort := ""
	if req.Reasoning != nil {
		effort = req.Reasoning.Effort
	}
	switch {
	case req.Model == "":
		return bad("Missing required parameter: 'model'.", "model", "missing_required_parameter")
	case !slices.Contains(s.opts.Models, req.Model):
		return http.StatusNotFound, modelNotFound(req.Model), false
	case !isChat(req.Model) && !strings.HasSuffix(req.Model, "-pro"):
		return bad(fmt.Sprintf("The model '%s' does not support the Responses API.", req.Model), "model", "unsupported_model")
	case len(req.Items) == 0:
		return bad("Missing required parameter: 'input'.", "input", "missing_required_parameter")
	case req.Reasoning != nil && effort != "" && accepted == nil:
		return bad("Unsupported parameter: 'reasoning.effort' is not supported with this model.", "reasoning.effort", "unsupported_parameter")
	case effort != "" && !slices.Contains(accepted, effort):
		return bad(fmt.Sprintf("Unsupported value: 'reasoning.effort' does not support '%s' with this model. Supported values are: %s.", effort, quoteList(accepted)), "reasoning.effort", "unsupported_value")
	case req.Reasoning != nil && req.Reasoning.Mode == "pro" && !hasPro(req.Model):
		return bad("Unsupported value: 'reasoning.mode' does not support 'pro' with this model.", "reasoning.mode", "unsupported_value")
	case req.Temperature != nil && accepted != nil && effort != "none":
		return bad("Unsupported parameter: 'temperature' is not supported with this model unless reasoning.effort is 'none'.", "temperature", "unsupported_parameter")
	case req.MaxOutputTokens != nil && *req.MaxOutputTokens < 16:
		return bad(fmt.Sprintf("Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got %d instead.", *req.MaxOutputTokens), "max_output_tokens", "integer_below_min_value")
	}
	stored := req.Store == nil || *req.Store
	for i, it := range req.Items {
		typ, _ := it["type"].(string)
		id, _ := it["id"].(string)
		switch typ {
		case "", "message":
			switch role, _ := it["role"].(string); role {
			case "user", "assistant", "system", "developer":
			default:
				return bad(fmt.Sprintf("Invalid value: '%s'. Supported values are: 'user', 'assistant', 'system', and 'developer'.", role), fmt.Sprintf("input[%d].role", i), "invalid_value")
			}
		case "reasoning":
			enc, _ := it["encrypted_content"].(string)
			if enc == "" && !stored {
				return http.StatusNotFound, apiErrorSpec{Message: fmt.Sprintf("Item with id '%s' not found. Items are not persisted when `store` is set to false. Try again with `store` set to true, or remove this item from your input.", id), Type: "invalid_request_error", Param: "input"}, false
			}
			if v, ok := unseal(enc); enc != "" && (!ok || v.Model != req.Model) {
				return bad(fmt.Sprintf("The encrypted content for item %s could not be verified.", id), "input", "invalid_encrypted_content")
			}
			if i == len(req.Items)-1 {
				return bad(fmt.Sprintf("Item '%s' of type 'reasoning' was provided without its required following item.", id), "input", "")
			}
		case "compaction":
			if enc, _ := it["encrypted_content"].(string); enc == "" {
				return bad("A compaction item needs its encrypted_content.", fmt.Sprintf("input[%d]", i), "missing_required_parameter")
			}
		default:
			return bad(fmt.Sprintf("Invalid value: '%s'. Supported values are: 'message', 'reasoning', 'compaction' and tool items.", typ), fmt.Sprintf("input[%d].type", i), "invalid_value")
		}
	}
	return 0, apiErrorSpec{}, true
}

func quoteList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = "'" + v + "'"
	}
	if len(q) > 1 {
		q[len(q)-1] = "and " + q[len(q)-1]
	}
	return strings.Join(q, ", ")
}

// countInput counts the input as the model sees it: instructions and messages with their
// framing, carried reasoning as the tokens it held, a compaction item as its summary. It also
// returns the prompt's tokens for prompt-cache matching.
func (s *Server) countInput(req ResponsesRequest) (int, []int) {
	enc := tokens.EncodingFor(req.Model)
	var msgs []tokens.Message
	var ids []int
	extra := 0
	if req.Instructions != "" {
		msgs = append(msgs, tokens.Message{Role: "developer", Content: req.Instructions})
	}
	for _, it := range req.Items {
		switch typ, _ := it["type"].(string); typ {
		case "reasoning":
			enc, _ := it["encrypted_content"].(string)
			v, _ := unseal(enc)
			extra += v.Tokens
		case "compaction":
			extra = compactionTokens // what came before is in it
			msgs, ids = nil, nil
		default:
			role, _ := it["role"].(string)
			text := itemText(it["content"])
			msgs = append(msgs, tokens.Message{Role: role, Content: text})
			one, _ := tokens.Encode(enc, role+"\x00"+text)
			ids = append(ids, one...)
		}
	}
	n, _ := tokens.Default().Chat(enc, msgs)
	files, _, _ := checkAttachments(req.Model, req.Attachments())
	return n + extra + files, ids
}

// respPlan is a prepared response: what it streams, and what it costs.
type respPlan struct {
	id, model, msgID, rsID, cmpID string
	created                       int64
	effort, summaryMode           string
	summary                       []string // the reasoning summary, in streamable pieces
	reasoning                     int      // reasoning tokens
	encrypted                     string   // the reasoning item's encrypted content, when asked for
	compaction                    string   // a compaction item's encrypted content, when compacted
	pieces                        []string // the answer's text
	status, incomplete            string
	tier                          string
	store                         bool
	usage                         respUsage
}

type respUsage struct {
	InputTokens        int `json:"input_tokens"`
	InputTokensDetails struct {
		CachedTokens     int `json:"cached_tokens"`
		CacheWriteTokens int `json:"cache_write_tokens"`
	} `json:"input_tokens_details"`
	OutputTokens        int `json:"output_tokens"`
	OutputTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
	TotalTokens int `json:"total_tokens"`
}

// plan writes the response: the reply, the model's thinking, its usage.
func (s *Server) plan(req ResponsesRequest, prompt int, ids []int) respPlan {
	chat := ChatRequest{Model: req.Model, Messages: req.Messages()}
	s.mu.Lock()
	var text string
	if len(s.replies) > 0 {
		text, s.replies = s.replies[0], s.replies[1:]
		s.mu.Unlock()
	} else {
		s.mu.Unlock()
		text = s.opts.Reply(chat)
	}
	p := respPlan{
		id: "resp_" + randomHex(32), model: req.Model, msgID: "msg_" + randomHex(32), rsID: "rs_" + randomHex(32),
		created: s.now().Unix(), status: "completed", tier: "default", store: req.Store == nil || *req.Store,
	}
	switch req.ServiceTier {
	case "flex":
		p.tier = "flex"
	case "priority", "fast":
		p.tier = "priority"
	}
	if acc := efforts(req.Model); acc != nil {
		p.effort = "medium"
		if !slices.Contains(acc, "medium") {
			p.effort = acc[0]
		}
		if req.Reasoning != nil && req.Reasoning.Effort != "" {
			p.effort = req.Reasoning.Effort
		}
		p.reasoning = effortTokens[p.effort]
		if req.Reasoning != nil && req.Reasoning.Mode == "pro" {
			p.reasoning *= 4
		}
		if req.Reasoning != nil {
			p.summaryMode = req.Reasoning.Summary
		}
	}
	enc := tokens.EncodingFor(req.Model)
	answer, _ := tokens.Encode(enc, text)
	limit := 0
	if req.MaxOutputTokens != nil {
		limit = *req.MaxOutputTokens
	}
	if limit > 0 && p.reasoning >= limit {
		p.reasoning, answer = limit, nil
		p.status, p.incomplete = "incomplete", "max_output_tokens"
	} else if limit > 0 && p.reasoning+len(answer) > limit {
		answer = answer[:limit-p.reasoning]
		p.status, p.incomplete = "incomplete", "max_output_tokens"
	}
	p.pieces = pieces(enc, answer, s.opts.TokensPerChunk)
	if p.reasoning > 0 && p.summaryMode != "" {
		q := strings.Join(strings.Fields(req.LastUser()), " ")
		if len([]rune(q)) > 60 {
			q = string([]rune(q)[:60]) + "…"
		}
		words := fmt.Sprintf("**Reading the question**\n\nThe user asks: “%s”. I will think it through at %s effort, then answer plainly.", q, p.effort)
		p.summary = strings.SplitAfter(words, " ")
	}
	if p.reasoning > 0 && slices.Contains(req.Include, "reasoning.encrypted_content") {
		p.encrypted = seal(sealed{Model: req.Model, Tokens: p.reasoning, Summary: strings.Join(p.summary, "")})
	}
	for _, cm := range req.ContextManagement {
		if cm.Type == "compaction" && cm.CompactThreshold > 0 && prompt > cm.CompactThreshold {
			p.cmpID = "cmp_" + randomHex(32)
			p.compaction = seal(sealed{Model: req.Model, Tokens: compactionTokens})
		}
	}
	p.usage.InputTokens = prompt
	cached := s.cachedTokens(ids)
	p.usage.InputTokensDetails.CachedTokens = cached
	if writesCache(req.Model) && prompt >= 1024 {
		p.usage.InputTokensDetails.CacheWriteTokens = (prompt - cached) / 128 * 128
	}
	p.usage.OutputTokens = len(answer) + p.reasoning
	p.usage.OutputTokensDetails.ReasoningTokens = p.reasoning
	p.usage.TotalTokens = p.usage.InputTokens + p.usage.OutputTokens
	return p
}

// The output items of a response, as its events and its object carry them.

func (p respPlan) reasoningItem(done bool) map[string]any {
	item := map[string]any{"id": p.rsID, "type": "reasoning", "summary": []any{}}
	if done {
		if len(p.summary) > 0 {
			item["summary"] = []any{map[string]any{"type": "summary_text", "text": strings.Join(p.summary, "")}}
		}
		if p.encrypted != "" {
			item["encrypted_content"] = p.encrypted
		}
	}
	return item
}

func (p respPlan) messageItem(done bool) map[string]any {
	status, content := "in_progress", []any{}
	if done {
		status = "completed"
		if p.status == "incomplete" {
			status = "incomplete"
		}
		content = []any{map[string]any{"type": "output_text", "text": strings.Join(p.pieces, ""), "annotations": []any{}, "logprobs": []any{}}}
	}
	return map[string]any{"id": p.msgID, "type": "message", "status": status, "role": "assistant", "phase": "final_answer", "content": content}
}

func (p respPlan) compactionItem() map[string]any {
	return map[string]any{"id": p.cmpID, "type": "compaction", "encrypted_content": p.compaction}
}

// output is the response's output items, in order.
func (p respPlan) output() []any {
	var out []any
	if p.compaction != "" {
		out = append(out, p.compactionItem())
	}
	if p.reasoning > 0 {
		out = append(out, p.reasoningItem(true))
	}
	if len(p.pieces) > 0 || p.status == "completed" {
		out = append(out, p.messageItem(true))
	}
	return out
}

// object is the response object in a given status; finished ones carry output and usage.
func (p respPlan) object(status string, finished bool) map[string]any {
	o := map[string]any{
		"id": p.id, "object": "response", "created_at": p.created, "status": status, "model": p.model,
		"output": []any{}, "usage": nil, "service_tier": p.tier, "store": p.store, "error": nil, "incomplete_details": nil,
		"background": false, "truncation": "disabled", "text": map[string]any{"format": map[string]any{"type": "text"}, "verbosity": "medium"},
	}
	if p.effort != "" {
		o["reasoning"] = map[string]any{"effort": p.effort, "summary": p.summaryMode, "context": "current_turn"}
	}
	if finished {
		o["output"] = p.output()
		o["usage"] = p.usage
		o["completed_at"] = p.created + 1
		if p.incomplete != "" {
			o["incomplete_details"] = map[string]any{"reason": p.incomplete}
		}
	}
	return o
}

// sseEvent is one event of a Responses stream, as sent: its name and JSON, its number, and
// whether it carries the answer's text (which paces the stream and counts for faults).
type sseEvent struct {
	name string
	data []byte
	seq  int
	text bool
}

func (e sseEvent) frame() []byte {
	return []byte("event: " + e.name + "\ndata: " + string(e.data) + "\n\n")
}

// events are a response's whole event stream, numbered from 0, exactly one terminal event at
// the end. A background response is queued first.
func (p respPlan) events(background bool) []sseEvent {
	var out []sseEvent
	add := func(typ string, text bool, fields map[string]any) {
		fields["type"], fields["sequence_number"] = typ, len(out)
		b, _ := json.Marshal(fields)
		out = append(out, sseEvent{name: typ, data: b, seq: len(out), text: text})
	}
	first := "in_progress"
	if background {
		first = "queued"
	}
	add("response.created", false, map[string]any{"response": p.object(first, false)})
	if background {
		add("response.queued", false, map[string]any{"response": p.object("queued", false)})
	}
	add("response.in_progress", false, map[string]any{"response": p.object("in_progress", false)})
	index := 0
	if p.compaction != "" {
		add("response.output_item.added", false, map[string]any{"output_index": index, "item": p.compactionItem()})
		add("response.output_item.done", false, map[string]any{"output_index": index, "item": p.compactionItem()})
		index++
	}
	if p.reasoning > 0 {
		add("response.output_item.added", false, map[string]any{"output_index": index, "item": p.reasoningItem(false)})
		if len(p.summary) > 0 {
			part := map[string]any{"type": "summary_text", "text": ""}
			add("response.reasoning_summary_part.added", false, map[string]any{"item_id": p.rsID, "output_index": index, "summary_index": 0, "part": part})
			for _, piece := range p.summary {
				add("response.reasoning_summary_text.delta", true, map[string]any{"item_id": p.rsID, "output_index": index, "summary_index": 0, "delta": piece, "obfuscation": "x"})
			}
			text := strings.Join(p.summary, "")
			add("response.reasoning_summary_text.done", false, map[string]any{"item_id": p.rsID, "output_index": index, "summary_index": 0, "text": text})
			add("response.reasoning_summary_part.done", false, map[string]any{"item_id": p.rsID, "output_index": index, "summary_index": 0, "part": map[string]any{"type": "summary_text", "text": text}})
		}
		add("response.output_item.done", false, map[string]any{"output_index": index, "item": p.reasoningItem(true)})
		index++
	}
	if len(p.pieces) > 0 || p.status == "completed" {
		add("response.output_item.added", false, map[string]any{"output_index": index, "item": p.messageItem(false)})
		add("response.content_part.added", false, map[string]any{"item_id": p.msgID, "output_index": index, "content_index": 0, "part": map[string]any{"type": "output_text", "text": "", "annotations": []any{}}})
		for _, piece := range p.pieces {
			add("response.output_text.delta", true, map[string]any{"item_id": p.msgID, "output_index": index, "content_index": 0, "delta": piece, "logprobs": []any{}, "obfuscation": "ab"})
		}
		text := strings.Join(p.pieces, "")
		add("response.output_text.done", false, map[string]any{"item_id": p.msgID, "output_index": index, "content_index": 0, "text": text, "logprobs": []any{}})
		add("response.content_part.done", false, map[string]any{"item_id": p.msgID, "output_index": index, "content_index": 0, "part": map[string]any{"type": "output_text", "text": text, "annotations": []any{}}})
		add("response.output_item.done", false, map[string]any{"output_index": index, "item": p.messageItem(true)})
	}
	if p.status == "incomplete" {
		add("response.incomplete", false, map[string]any{"response": p.object("incomplete", true)})
	} else {
		add("response.completed", false, map[string]any{"response": p.object("completed", true)})
	}
	return out
}

// streamResponse streams a response as OpenAI does: "event:" and "data:" lines, every event
// numbered, the text and the reasoning summary as deltas, exactly one terminal event.
func (s *Server) streamResponse(w http.ResponseWriter, r *http.Request, p respPlan, fault Fault, events []sseEvent) {
	framing := s.opts.Framing
	if fault.Framing != "" {
		framing = fault.Framing
	}
	out, err := openStream(w, framing, fault.Kind == Split, s.opts.StreamType)
	if err != nil {
		return
	}
	defer out.end()
	send := func(typ string, fields map[string]any) bool {
		fields["type"], fields["sequence_number"] = typ, len(events)
		b, _ := json.Marshal(fields)
		return out.write(sseEvent{name: typ, data: b}.frame())
	}
	var interval time.Duration
	if s.opts.TokensPerSecond > 0 {
		interval = time.Second * time.Duration(s.opts.TokensPerChunk) / time.Duration(s.opts.TokensPerSecond)
	}
	start, texts, answerTexts := time.Now(), 0, 0
	waited := false
	for _, e := range events {
		if e.text {
			if !waited {
				if s.opts.FirstToken > 0 {
					wait(r, s.opts.FirstToken)
				}
				start = time.Now() // the pace counts from the first token, not from the thinking before it
			}
			waited = true
			if e.name == "response.output_text.delta" {
				if fault.midStream() && fault.Kind != Split && answerTexts == fault.After {
					s.respMisbehave(out, r, fault, send)
					return
				}
				answerTexts++
			}
			if interval > 0 {
				if d := time.Until(start.Add(time.Duration(texts) * interval)); d > 0 {
					select {
					case <-time.After(d):
					case <-r.Context().Done():
						return
					}
				}
			}
			texts++
		}
		if e.name == "response.completed" || e.name == "response.incomplete" {
			if fault.midStream() && fault.Kind != Split && fault.After >= answerTexts {
				s.respMisbehave(out, r, fault, send)
				return
			}
		}
		if !out.write(e.frame()) {
			return
		}
	}
}

// respMisbehave carries out a mid-stream fault in a Responses stream: errors come as an "error"
// event or a failed response, as OpenAI sends them; the rest as on Chat Completions.
func (s *Server) respMisbehave(out *sink, r *http.Request, f Fault, send func(string, map[string]any) bool) {
	switch f.Kind {
	case ErrorEvent:
		code := or(f.Code, "server_error")
		msg := or(f.Message, "The server had an error while processing your request. Sorry about that!")
		if f.Type == "response.failed" {
			send("response.failed", map[string]any{"response": map[string]any{"id": "resp_failed", "object": "response", "status": "failed",
				"error": map[string]any{"code": code, "message": msg}, "output": []any{}}})
			return
		}
		send("error", map[string]any{"code": code, "message": msg, "param": nil})
	case Malformed:
		out.write([]byte("event: response.output_text.delta\ndata: {\"type\": \"response.output_text.delta\", \"delta\": \"unterminated\n\n"))
	default:
		s.misbehave(out, r, f)
	}
}

// serveInputTokens counts a request's input as /v1/responses/input_tokens does. It takes the
// fields counting needs and refuses those of creating a response (the stream, storage, output
// caps), as the real endpoint's strict schema does.
func (s *Server) serveInputTokens(w http.ResponseWriter, body []byte) {
	req, err := ParseResponsesRequest(body)
	if err != nil {
		s.writeError(w, http.StatusBadRequest, apiErrorSpec{Message: "We could not parse the JSON body of your request.", Type: "invalid_request_error"})
		return
	}
	for _, field := range []string{"stream", "store", "include", "max_output_tokens", "service_tier", "background", "stream_options", "prompt_cache_key", "context_management"} {
		if _, ok := req.Raw[field]; ok {
			s.writeError(w, http.StatusBadRequest, apiErrorSpec{Message: fmt.Sprintf("Unknown parameter: '%s'.", field), Type: "invalid_request_error", Param: field, Code: "unknown_parameter"})
			return
		}
	}
	if status, e, ok := s.validateResponses(req); !ok {
		s.writeErrorFor(w, req.Model, status, e)
		return
	}
	if _, e, ok := checkAttachments(req.Model, req.Attachments()); !ok {
		s.writeErrorFor(w, req.Model, http.StatusBadRequest, e)
		return
	}
	n, _ := s.countInput(req)
	s.rateLimitHeaders(w, req.Model)
	writeJSON(w, map[string]any{"object": "response.input_tokens", "input_tokens": n})
}

// serveCompact compacts a conversation as /v1/responses/compact does: every user message as it
// was, then one compaction item standing for the rest.
func (s *Server) serveCompact(w http.ResponseWriter, body []byte) {
	req, err := ParseResponsesRequest(body)
	if err != nil {
		s.writeError(w, http.StatusBadRequest, apiErrorSpec{Message: "We could not parse the JSON body of your request.", Type: "invalid_request_error"})
		return
	}
	if status, e, ok := s.validateResponses(req); !ok {
		s.writeErrorFor(w, req.Model, status, e)
		return
	}
	n, _ := s.countInput(req)
	var output []any
	for _, it := range req.Items {
		if role, _ := it["role"].(string); role == "user" {
			output = append(output, map[string]any{"type": "message", "role": "user", "content": it["content"]})
		}
	}
	output = append(output, map[string]any{"id": "cmp_" + randomHex(32), "type": "compaction", "encrypted_content": seal(sealed{Model: req.Model, Tokens: compactionTokens})})
	s.rateLimitHeaders(w, req.Model)
	writeJSON(w, map[string]any{"id": "cmp_" + randomHex(24), "object": "response.compaction", "created_at": s.now().Unix(), "output": output,
		"usage": map[string]any{"input_tokens": n, "output_tokens": compactionTokens, "total_tokens": n + compactionTokens}})
}
