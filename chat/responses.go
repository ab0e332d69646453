package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	openai "github.com/sashabaranov/go-openai"
)

// responses is the Responses API (POST /v1/responses), OpenAI's own protocol since 2025: it
// carries reasoning summaries, encrypted reasoning from turn to turn (stateless, with store
// false), service tiers, server-side compaction and exact counts, which Chat Completions does
// not. go-openai's typed stream items lose what must be replayed (encrypted_content, phase,
// compaction), so output items are kept from each event's raw JSON.
type responses struct {
	api   *openai.Client
	store bool // keep responses on OpenAI (the profile's choice); false: nothing is kept there
}

func (responses) Endpoint() string { return "/responses" }

func (w responses) Open(ctx context.Context, call Call) (Stream, error) {
	if x := exchangeOf(ctx); x != nil {
		x.watchDone = true // a stream: its type checked, its lines bounded
	}
	r, err := responsesRequest(call, w.store)
	if err != nil {
		return nil, err
	}
	s, err := w.api.CreateResponseStream(ctx, r)
	if err != nil {
		return nil, err
	}
	return &responseStream{recv: s.Recv, close: s.Close}, nil
}

// compactShare is how full a Responses conversation may get, of the model's context window,
// before the server compacts what came before into one item: long before the window's end, so
// the answer keeps its room.
const compactShare = 0.7

// responsesRequest builds the API request: the system prompt as instructions (sent every turn:
// they are not carried over), the conversation as input items, the earlier answers' own output
// items replayed as they came (reasoning with its encrypted content) when the model is the
// same, and the parameters the model accepts.
func responsesRequest(call Call, store bool) (openai.CreateResponseRequest, error) {
	req, m := call.Request, call.Model
	input, err := inputItems(req.Model, call.Messages)
	if err != nil {
		return openai.CreateResponseRequest{}, err
	}
	r := openai.CreateResponseRequest{
		Model: req.Model, Input: input, Instructions: req.System,
		Store: &store, StreamOptions: &openai.ResponseStreamOptions{IncludeObfuscation: new(bool)},
		ServiceTier: req.ServiceTier, MaxOutputTokens: req.MaxOutput,
	}
	if req.Background {
		// A background response is kept on OpenAI until it is fetched: it must be stored.
		r.Background, store = true, true
		r.Store = &store
	}
	if m.Reasoning {
		rs := &openai.ResponseReasoning{Summary: "auto"}
		if req.Effort != "" && (len(m.Efforts) == 0 || slices.Contains(m.Efforts, req.Effort)) {
			rs.Effort = req.Effort
		}
		if req.Pro && m.Pro {
			rs.Mode = "pro"
		}
		r.Reasoning = rs
		r.Include = []openai.ResponseInclude{openai.ResponseIncludeReasoningEncryptedContent}
	}
	// Sampling settings are taken only without reasoning (GPT-6 refuses them otherwise).
	if req.Temperature != nil && (!m.Reasoning || req.Effort == "none") {
		t := *req.Temperature
		r.Temperature = &t
	}
	if req.Conversation != 0 {
		r.PromptCacheKey = fmt.Sprintf("parley-conversation-%d", req.Conversation)
	}
	if m.ContextWindow > 0 {
		r.ContextManagement = []any{map[string]any{"type": "compaction", "compact_threshold": int(compactShare * float64(m.ContextWindow))}}
	}
	return r, nil
}

// inputItems is the conversation as input items. An answer carries its own output items when
// they were kept and the model has not changed (encrypted reasoning belongs to its model); the
// items before the latest compaction item are left out: it stands for them.
func inputItems(model string, msgs []Message) ([]any, error) {
	var items []any
	for _, m := range msgs {
		if m.Role == Assistant && len(m.Items) > 0 && m.ItemsModel == model {
			var own []map[string]any
			for _, raw := range m.Items {
				var item map[string]any
				if json.Unmarshal(raw, &item) != nil {
					continue
				}
				delete(item, "status") // as OpenAI's own samples replay them
				if item["type"] == "compaction" {
					items, own = items[:0], own[:0]
				}
				own = append(own, item)
			}
			// Reasoning that led to no message (the budget ran out) has no item to follow it,
			// which the API refuses: it goes, and the text (if any) stands in.
			for len(own) > 0 && own[len(own)-1]["type"] == "reasoning" {
				own = own[:len(own)-1]
			}
			for _, item := range own {
				items = append(items, item)
			}
			if len(own) > 0 && own[len(own)-1]["type"] != "compaction" {
				continue
			}
		}
		if m.Content == "" && len(m.Attachments) == 0 {
			continue // an answer that failed before its first word
		}
		if len(m.Attachments) == 0 {
			items = append(items, map[string]any{"type": "message", "role": string(m.Role), "content": m.Content})
			continue
		}
		parts, err := inputParts(m)
		if err != nil {
			return nil, err
		}
		items = append(items, map[string]any{"type": "message", "role": string(m.Role), "content": parts})
	}
	return items, nil
}

// inputParts is a question with its attachments as Responses content parts: the text, each
// image as input_image and each PDF as input_file (data URLs), each text file as text.
func inputParts(m Message) ([]any, error) {
	var parts []any
	if m.Content != "" {
		parts = append(parts, map[string]any{"type": "input_text", "text": m.Content})
	}
	for _, a := range m.Attachments {
		if a.Kind == AttachText {
			parts = append(parts, map[string]any{"type": "input_text", "text": textPart(a)})
			continue
		}
		data, err := readAttachment(a)
		if err != nil {
			return nil, err
		}
		switch a.Kind {
		case AttachImage:
			parts = append(parts, map[string]any{"type": "input_image", "image_url": dataURL(a.MIME, data), "detail": detailOf(a)})
		case AttachPDF:
			part := map[string]any{"type": "input_file", "filename": a.Name, "file_data": dataURL("application/pdf", data)}
			if a.Detail != "" {
				part["detail"] = a.Detail
			}
			parts = append(parts, part)
		}
	}
	return parts, nil
}

// responseStream reads a streamed response, sent or picked up again. The answer is finished
// only by its terminal event (response.completed, .incomplete or .failed) or an error event:
// go-openai reports the end of the body as io.EOF however it came.
type responseStream struct {
	recv  func() (openai.ResponseStreamEvent, error)
	close func() error
	ended bool
}

func (r *responseStream) Next() (Chunk, error) {
	for !r.ended {
		e, err := r.recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Chunk{}, err
		}
		c, ok, err := chunkOf(e)
		if err != nil || (ok && c.Finish != "") {
			r.ended = true
		}
		if err != nil {
			return Chunk{}, err
		}
		if ok {
			c.Seq = e.SequenceNumber
			return c, nil
		}
	}
	r.ended = true
	return Chunk{}, io.EOF
}

// chunkOf is what one event brings; ok is false for the events that bring nothing Parley keeps.
func chunkOf(e openai.ResponseStreamEvent) (c Chunk, ok bool, err error) {
	switch e.Type {
	case openai.ResponseStreamEventCreated, openai.ResponseStreamEventQueued, openai.ResponseStreamEventInProgress:
		if e.Response != nil {
			return Chunk{Model: e.Response.Model, ResponseID: e.Response.ID, Status: string(e.Response.Status)}, true, nil
		}
	case openai.ResponseStreamEventOutputTextDelta, openai.ResponseStreamEventRefusalDelta:
		return Chunk{Text: e.Delta}, true, nil
	case openai.ResponseStreamEventReasoningSummaryTextDelta, openai.ResponseStreamEventReasoningTextDelta:
		return Chunk{Thinking: e.Delta}, true, nil
	case openai.ResponseStreamEventReasoningSummaryPartAdded:
		if e.SummaryIndex > 0 {
			return Chunk{Thinking: "\n\n"}, true, nil // a new part of the summary: a new paragraph
		}
	case openai.ResponseStreamEventOutputItemDone:
		var ev struct {
			Item json.RawMessage `json:"item"`
		}
		if json.Unmarshal(e.Raw, &ev) == nil && len(ev.Item) > 0 {
			return Chunk{Item: ev.Item}, true, nil
		}
	case openai.ResponseStreamEventCompleted:
		return endOf(e.Response, FinishStop), true, nil
	case openai.ResponseStreamEventIncomplete:
		return endOf(e.Response, incompleteFinish(e.Response)), true, nil
	case openai.ResponseStreamEventFailed:
		return Chunk{}, false, failedError(e.Response)
	case openai.ResponseStreamEventError:
		return Chunk{}, false, &openai.APIError{Code: e.Code, Message: e.Message, Type: "error"}
	}
	return Chunk{}, false, nil
}

// incompleteFinish is how an incomplete response ended: cut by the output cap, or withheld.
func incompleteFinish(resp *openai.CreateResponseResponse) Finish {
	if resp != nil && resp.IncompleteDetails != nil && resp.IncompleteDetails.Reason == "content_filter" {
		return FinishContentFilter
	}
	return FinishLength
}

// failedError is the error a failed response carries.
func failedError(resp *openai.CreateResponseResponse) error {
	code, msg := "server_error", "The response failed."
	if resp != nil && resp.Error != nil {
		code, msg = resp.Error.Code, resp.Error.Message
	}
	return &openai.APIError{Code: code, Message: msg, Type: "response.failed"}
}

// endOf is the chunk of a terminal event: how it ended, and its usage.
func endOf(resp *openai.CreateResponseResponse, finish Finish) Chunk {
	c := Chunk{Finish: finish}
	if resp == nil {
		return c
	}
	c.Model = resp.Model
	if u := resp.Usage; u != nil {
		c.Usage = &Usage{PromptTokens: u.InputTokens, CompletionTokens: u.OutputTokens, ServiceTier: resp.ServiceTier}
		if d := u.InputTokensDetails; d != nil {
			c.Usage.CachedTokens, c.Usage.CacheWriteTokens = d.CachedTokens, d.CacheWriteTokens
		}
		if d := u.OutputTokensDetails; d != nil {
			c.Usage.ReasoningTokens = d.ReasoningTokens
		}
	}
	return c
}

func (r *responseStream) Close() error { return r.close() }

// ErrNoExactCount says the endpoint cannot count a request exactly (Chat Completions, compatible
// servers): Parley's own count is the estimate.
var ErrNoExactCount = errors.New("this endpoint does not count tokens")

// CountExact asks the server how many input tokens a request will bill
// (POST /v1/responses/input_tokens), as the model will see it. Only the fields counting takes are
// sent: the endpoint's schema is strict.
func (c *Client) CountExact(ctx context.Context, req Request) (int, error) {
	if c.API() != APIResponses {
		return 0, ErrNoExactCount
	}
	model := c.Model(req.Model)
	fit, err := c.Fit(req)
	if err != nil {
		return 0, err
	}
	full, err := responsesRequest(Call{Request: req, Model: model, Messages: fit.Messages}, false)
	if err != nil {
		return 0, c.classify(err, req.Model)
	}
	count := openai.CreateResponseRequest{Model: full.Model, Input: full.Input, Instructions: full.Instructions}
	if full.Reasoning != nil && full.Reasoning.Effort != "" {
		count.Reasoning = &openai.ResponseReasoning{Effort: full.Reasoning.Effort}
	}
	x := &exchange{model: model.ID}
	resp, err := c.api.CountResponseInputTokens(withExchange(ctx, x), count)
	if err != nil {
		return 0, c.classify(err, req.Model)
	}
	return resp.InputTokens, nil
}
