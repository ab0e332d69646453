package chat

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Background mode (Responses API, background: true) is the asynchronous half of the API: the
// answer is made on OpenAI whether or not Parley stays to read it, and kept there for a while
// (store: true). Parley streams it as usual; when the stream breaks it follows the response
// instead of asking again: it picks the stream up where it stopped (starting_after the last
// event it read) or, where the server will not stream it again, polls its status. Quitting
// leaves it running (FinishBackground); ResumeBackground finishes it later, in any Parley.

// Polling: the first wait, how it grows while nothing new comes, and its ceiling. No pending
// answer costs more than one request per pollFirst.
const (
	pollFirst  = 2 * time.Second
	pollGrowth = 1.5
	pollMax    = 30 * time.Second
)

// resumePoint is where a background response's stream is picked up: after event number after
// (-1: from its start).
type resumePoint struct {
	id    string
	after int
}

// CanBackground tells whether this client can ask in background mode: only the Responses API
// has it.
func (c *Client) CanBackground() bool { return c.API() == APIResponses }

// ResumeBackground finishes a background answer a Parley left (it quit, or was killed): it
// reads the response from its start, streaming it while it is being made, or takes it whole
// once it is done. req is the request it answers (for the model, its price and the prompt's
// count). The events are Stream's; Done's answer holds the whole answer.
func (c *Client) ResumeBackground(ctx context.Context, req Request, id string) <-chan Event {
	return c.resume(ctx, req, id, false)
}

// CheckBackground looks once at a background answer a Parley left: done, it is read whole, as
// ResumeBackground reads it; still being made, Done says FinishBackground. One request.
func (c *Client) CheckBackground(ctx context.Context, req Request, id string) <-chan Event {
	return c.resume(ctx, req, id, true)
}

func (c *Client) resume(ctx context.Context, req Request, id string, once bool) <-chan Event {
	events := make(chan Event, 64)
	go func() {
		defer close(events)
		emit := func(e Event) { events <- e }
		req.Background = true
		model := c.Model(req.Model)
		a := Answer{Model: req.Model, Started: c.cfg.Now(), ResponseID: id, API: APIResponses, seq: -1}
		if fit, err := c.Fit(req); err == nil {
			a.EstimatedPrompt = fit.PromptTokens
		}
		call := Call{Request: req, Model: model, OpenAI: c.openai}
		usage, finish, e := c.follow(ctx, call, &a, emit, false, once)
		events <- Done{Answer: c.settle(a, model, usage, finish, e, emit)}
	}()
	return events
}

// CancelBackground cancels a background response on OpenAI. One that is gone already is not an
// error; one that had finished stays as it was.
func (c *Client) CancelBackground(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := c.api.CancelResponse(withExchange(ctx, &exchange{}), id); err != nil {
		if e := c.classify(err, ""); e.Status != http.StatusNotFound {
			return e
		}
	}
	return nil
}

// follow stays with a background response whose stream broke (or was never read: streamed
// false) until it ends, one request at a time, never two within the current interval: it picks
// the stream up again where it stopped, or, when the server cannot stream it, polls its status.
// The interval starts at pollFirst, grows while nothing new comes, and is at least what a 429
// asks. It ends when the response does, when ctx is cancelled (FinishBackground: it runs on),
// or on a failure that waiting does not mend (a refused key: FinishBackground with the error,
// so it is tried again later).
// Once, it leaves after its first look, if the response is not done.
func (c *Client) follow(ctx context.Context, call Call, a *Answer, emit func(Event), streamed, once bool) (*Usage, Finish, *Error) {
	id := a.ResponseID
	canStream := true // until the server refuses to stream it again
	interval, wait := pollFirst, time.Duration(0)
	var last time.Time // when the last request began
	var usage *Usage
	for {
		if wait > 0 {
			if err := c.cfg.Sleep(ctx, last.Add(wait).Sub(c.cfg.Now())); err != nil {
				return usage, FinishBackground, nil
			}
		}
		if ctx.Err() != nil {
			return usage, FinishBackground, nil
		}
		last = c.cfg.Now()
		var e *Error
		var header http.Header
		progress := false
		if streamed && canStream {
			before := len(a.Content) + len(a.Thinking) + len(a.Items)
			call.resume = &resumePoint{id: id, after: a.seq}
			var u *Usage
			u, e, header = c.attempt(ctx, call, a, emit)
			if u != nil {
				usage = u
			}
			if e == nil {
				return usage, "", nil
			}
			progress = len(a.Content)+len(a.Thinking)+len(a.Items) > before
			if ctx.Err() == nil && e.Status >= 400 && e.Status < 500 && e.Status != http.StatusNotFound &&
				e.Status != http.StatusTooManyRequests && e.Kind != InvalidKey && e.Kind != NoAccess {
				canStream, e = false, nil // the server will not stream it again: poll it
			}
		} else {
			var resp openai.CreateResponseResponse
			resp, header, e = c.retrieve(ctx, id, call.Model.ID)
			if e == nil {
				a.noteStatus(string(resp.Status), emit)
				if finish, err, done := c.ended(resp, a, emit); done {
					if resp.Usage != nil {
						usage = endOf(&resp, finish).Usage
					}
					return usage, finish, err
				}
				streamed = resp.Status == "in_progress" // being written: read it as it comes
				if once {
					return usage, FinishBackground, nil
				}
			}
		}
		switch {
		case ctx.Err() != nil:
			return usage, FinishBackground, nil
		case e == nil:
		case e.Status == http.StatusNotFound:
			return usage, "", gone(id)
		case e.Kind == InvalidKey || e.Kind == NoAccess || e.Kind == OutOfCredit:
			return usage, FinishBackground, e
		}
		if progress {
			interval = pollFirst
		}
		wait, interval = interval, min(time.Duration(float64(interval)*pollGrowth), pollMax)
		if named, ok := serverWait(header, c.cfg.Now()); ok && named > wait {
			wait = named
		}
	}
}

// noteStatus announces where a background response stands (queued, in_progress) when that
// changes; the end is announced by Done.
func (a *Answer) noteStatus(status string, emit func(Event)) {
	if (status == "queued" || status == "in_progress") && status != a.status {
		a.status = status
		emit(Background{ID: a.ResponseID, Status: status})
	}
}

// gone is the error of a background response OpenAI no longer has: it expired before Parley
// came back for it (or was deleted).
func gone(id string) *Error {
	return &Error{
		Kind: BadRequest, Status: http.StatusNotFound, Code: "response_expired",
		Message: "This answer expired on OpenAI before Parley came back for it (response " + id + ").",
		Action:  "Ask again; what arrived before is kept.",
	}
}

// retrieve fetches a response's status and, once it is done, the response whole.
func (c *Client) retrieve(ctx context.Context, id, model string) (openai.CreateResponseResponse, http.Header, *Error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	x := &exchange{model: model}
	resp, err := c.api.RetrieveResponse(withExchange(ctx, x), id, openai.RetrieveResponseOptions{
		Include: []openai.ResponseInclude{openai.ResponseIncludeReasoningEncryptedContent},
	})
	_, header, _ := x.captured()
	if err != nil {
		return resp, header, c.classify(err, model)
	}
	return resp, header, nil
}

// ended reads a polled response: whether it is over, how, and the answer it holds, whose text
// and thinking beyond what streamed before are emitted as they would have streamed.
func (c *Client) ended(resp openai.CreateResponseResponse, a *Answer, emit func(Event)) (Finish, *Error, bool) {
	switch resp.Status {
	case "completed", "incomplete":
	case "failed":
		return "", c.classify(failedError(&resp), resp.Model), true
	case "cancelled":
		return FinishStopped, &Error{Kind: ServerTrouble, Code: "cancelled",
			Message: "This answer was cancelled on OpenAI before it was finished.", Action: "Ask again if you still need it."}, true
	default:
		return "", nil, false
	}
	text, thinking, items := outputOf(resp.Output)
	if rest, ok := strings.CutPrefix(thinking, a.Thinking); ok && rest != "" {
		emit(Thinking{Text: rest})
	}
	if rest, ok := strings.CutPrefix(text, a.Content); ok && rest != "" {
		emit(Delta{Text: rest})
	}
	a.Content, a.Thinking, a.Items = text, thinking, items
	if resp.Model != "" {
		a.Model = resp.Model
	}
	if resp.Status == "incomplete" {
		return incompleteFinish(&resp), nil, true
	}
	return FinishStop, nil, true
}

// outputOf is a whole response's text, reasoning summary and output items (kept as they came,
// encrypted reasoning and all, to replay on the next turn).
func outputOf(output []any) (text, thinking string, items []json.RawMessage) {
	var t, th strings.Builder
	for _, o := range output {
		raw, err := json.Marshal(o)
		if err != nil {
			continue
		}
		items = append(items, raw)
		var item struct {
			Type    string `json:"type"`
			Content []struct {
				Type, Text, Refusal string
			} `json:"content"`
			Summary []struct{ Text string } `json:"summary"`
		}
		if json.Unmarshal(raw, &item) != nil {
			continue
		}
		switch item.Type {
		case "message":
			for _, part := range item.Content {
				t.WriteString(part.Text + part.Refusal)
			}
		case "reasoning":
			for i, s := range item.Summary {
				if i > 0 || th.Len() > 0 {
					th.WriteString("\n\n")
				}
				th.WriteString(s.Text)
			}
		}
	}
	return t.String(), th.String(), items
}

// reattach opens a background response's stream again, after event number after (GET
// /responses/{id}?stream=true&starting_after=N). go-openai has no call for it.
func (c *Client) reattach(ctx context.Context, r resumePoint) (Stream, error) {
	q := url.Values{"stream": {"true"}, "include_obfuscation": {"false"}, "include": {string(openai.ResponseIncludeReasoningEncryptedContent)}}
	if r.after >= 0 {
		q.Set("starting_after", strconv.Itoa(r.after))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.BaseURL+"/responses/"+url.PathEscape(r.id)+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	if c.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	}
	if c.cfg.OrgID != "" {
		req.Header.Set("OpenAI-Organization", c.cfg.OrgID)
	}
	req.Header.Set("Accept", "text/event-stream")
	if x := exchangeOf(ctx); x != nil {
		x.watchDone = true
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, statusError(resp)
	}
	events := &sseReader{r: bufio.NewReader(resp.Body)}
	return &responseStream{recv: events.next, close: resp.Body.Close}, nil
}

// statusError reads an error response as go-openai does: the API's error object, or the body.
func statusError(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var e struct {
		Error *openai.APIError `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != nil {
		e.Error.HTTPStatusCode = resp.StatusCode
		return e.Error
	}
	return &openai.RequestError{HTTPStatus: resp.Status, HTTPStatusCode: resp.StatusCode, Err: errors.New(resp.Status), Body: body}
}

// sseReader reads Responses API events from a Server-Sent Events body: "data:" lines, a blank
// line ending each event ("event:" lines name what the data says again). The transport bounds
// its lines.
type sseReader struct {
	r *bufio.Reader
}

func (s *sseReader) next() (openai.ResponseStreamEvent, error) {
	var data bytes.Buffer
	for {
		line, err := s.r.ReadBytes('\n')
		line = bytes.TrimRight(line, "\r\n")
		if d, ok := bytes.CutPrefix(line, []byte("data:")); ok {
			data.Write(bytes.TrimPrefix(d, []byte(" ")))
		}
		if (len(line) == 0 || err != nil) && data.Len() > 0 {
			if bytes.Equal(data.Bytes(), []byte("[DONE]")) {
				return openai.ResponseStreamEvent{}, io.EOF
			}
			var e openai.ResponseStreamEvent
			if jerr := json.Unmarshal(data.Bytes(), &e); jerr != nil {
				return e, fmt.Errorf("reading the answer's stream: %w", jerr)
			}
			return e, nil
		}
		if err != nil {
			return openai.ResponseStreamEvent{}, err
		}
	}
}
