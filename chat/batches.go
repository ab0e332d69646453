package chat

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// The Batch API: a JSONL file of requests is uploaded (the Files API, purpose "batch"), a batch
// made from it runs within 24 hours at half price, and its results come back as files whose lines
// are in no particular order. go-openai's Batch lacks the fields Parley shows (usage, model), so
// these calls are plain HTTP, in the engine's ways.

// MaxBatchLines and MaxBatchBytes are the Batch API's limits on one input file.
const (
	MaxBatchLines = 50_000
	MaxBatchBytes = 200 << 20
)

// BatchEndpoint is the endpoint Parley's batches ask.
const BatchEndpoint = "/v1/responses"

// Batch is a batch as the API shows it.
type Batch struct {
	ID           string
	Status       string // validating, in_progress, finalizing, completed, failed, expired, cancelling, cancelled
	Endpoint     string
	Model        string
	InputFileID  string
	OutputFileID string
	ErrorFileID  string
	Created      time.Time
	Expires      time.Time
	Total        int
	Completed    int
	Failed       int
	// Errors are why validation failed the batch, each with its line of the input (from 1).
	Errors []BatchError
	// Usage is what its requests used so far (input and output tokens), when the API says.
	Usage    Usage
	Metadata map[string]string
}

// BatchError is one fault of a batch's input.
type BatchError struct {
	Line          int
	Code, Message string
}

// Done tells a batch that will not change any more.
func (b Batch) Done() bool {
	switch b.Status {
	case "completed", "failed", "expired", "cancelled":
		return true
	}
	return false
}

// wireBatch is a batch as it comes on the wire.
type wireBatch struct {
	ID            string            `json:"id"`
	Status        string            `json:"status"`
	Endpoint      string            `json:"endpoint"`
	Model         string            `json:"model"`
	InputFileID   string            `json:"input_file_id"`
	OutputFileID  *string           `json:"output_file_id"`
	ErrorFileID   *string           `json:"error_file_id"`
	CreatedAt     int64             `json:"created_at"`
	ExpiresAt     int64             `json:"expires_at"`
	Metadata      map[string]string `json:"metadata"`
	RequestCounts struct {
		Total, Completed, Failed int
	} `json:"request_counts"`
	Errors *struct {
		Data []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Line    *int   `json:"line"`
		} `json:"data"`
	} `json:"errors"`
	Usage *struct {
		InputTokens        int `json:"input_tokens"`
		OutputTokens       int `json:"output_tokens"`
		InputTokensDetails *struct {
			CachedTokens int `json:"cached_tokens"`
		} `json:"input_tokens_details"`
		OutputTokensDetails *struct {
			ReasoningTokens int `json:"reasoning_tokens"`
		} `json:"output_tokens_details"`
	} `json:"usage"`
}

func (w wireBatch) batch() Batch {
	b := Batch{ID: w.ID, Status: w.Status, Endpoint: w.Endpoint, Model: w.Model, InputFileID: w.InputFileID,
		Created: time.Unix(w.CreatedAt, 0), Total: w.RequestCounts.Total, Completed: w.RequestCounts.Completed,
		Failed: w.RequestCounts.Failed, Metadata: w.Metadata}
	if w.ExpiresAt > 0 {
		b.Expires = time.Unix(w.ExpiresAt, 0)
	}
	if w.OutputFileID != nil {
		b.OutputFileID = *w.OutputFileID
	}
	if w.ErrorFileID != nil {
		b.ErrorFileID = *w.ErrorFileID
	}
	if w.Errors != nil {
		for _, e := range w.Errors.Data {
			be := BatchError{Code: e.Code, Message: e.Message}
			if e.Line != nil {
				be.Line = *e.Line
			}
			b.Errors = append(b.Errors, be)
		}
	}
	if u := w.Usage; u != nil {
		b.Usage = Usage{PromptTokens: u.InputTokens, CompletionTokens: u.OutputTokens, ServiceTier: "batch"}
		if u.InputTokensDetails != nil {
			b.Usage.CachedTokens = u.InputTokensDetails.CachedTokens
		}
		if u.OutputTokensDetails != nil {
			b.Usage.ReasoningTokens = u.OutputTokensDetails.ReasoningTokens
		}
	}
	return b
}

// plain sends one plain request to the client's endpoint.
func (c *Client) plain(ctx context.Context, method, path, contentType string, body []byte, out any) error {
	return doPlain(ctx, c.cfg, c.http, plainRequest{method: method, url: c.cfg.BaseURL + path, contentType: contentType, body: body}, out,
		func(err error) *Error { return c.classify(err, "") },
		func(status int, body []byte) *Error {
			return c.classify(statusError(&http.Response{StatusCode: status, Status: http.StatusText(status), Body: io.NopCloser(bytes.NewReader(body))}), "")
		},
		"The server sent something Parley cannot read as the Batch API's answer.")
}

// UploadBatchFile uploads a batch's input (JSONL) and returns the file's id.
func (c *Client) UploadBatchFile(ctx context.Context, name string, data []byte) (string, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("purpose", string(openai.PurposeBatch))
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		return "", err
	}
	fw.Write(data)
	if err := mw.Close(); err != nil {
		return "", err
	}
	var f struct {
		ID string `json:"id"`
	}
	if err := c.plain(ctx, http.MethodPost, "/files", mw.FormDataContentType(), body.Bytes(), &f); err != nil {
		return "", err
	}
	return f.ID, nil
}

// CreateBatch makes a batch of the uploaded file's requests, to run within 24 hours.
func (c *Client) CreateBatch(ctx context.Context, fileID string, metadata map[string]string) (Batch, error) {
	body, _ := json.Marshal(map[string]any{"input_file_id": fileID, "endpoint": BatchEndpoint, "completion_window": "24h", "metadata": metadata})
	var w wireBatch
	err := c.plain(ctx, http.MethodPost, "/batches", "application/json", body, &w)
	return w.batch(), err
}

// Batch fetches a batch as it stands.
func (c *Client) Batch(ctx context.Context, id string) (Batch, error) {
	var w wireBatch
	err := c.plain(ctx, http.MethodGet, "/batches/"+url.PathEscape(id), "", nil, &w)
	return w.batch(), err
}

// Batches lists the account's batches, newest first, at most limit of them.
func (c *Client) Batches(ctx context.Context, limit int) ([]Batch, error) {
	var out []Batch
	after := ""
	for len(out) < limit {
		q := url.Values{"limit": {"100"}}
		if after != "" {
			q.Set("after", after)
		}
		var page struct {
			Data    []wireBatch `json:"data"`
			HasMore bool        `json:"has_more"`
		}
		if err := c.plain(ctx, http.MethodGet, "/batches?"+q.Encode(), "", nil, &page); err != nil {
			return out, err
		}
		for _, w := range page.Data {
			out = append(out, w.batch())
		}
		if !page.HasMore || len(page.Data) == 0 {
			break
		}
		after = page.Data[len(page.Data)-1].ID
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// CancelBatch cancels a batch; what it finished is kept.
func (c *Client) CancelBatch(ctx context.Context, id string) (Batch, error) {
	var w wireBatch
	err := c.plain(ctx, http.MethodPost, "/batches/"+url.PathEscape(id)+"/cancel", "", nil, &w)
	return w.batch(), err
}

// FileContent downloads a file: a batch's results, or its errors.
func (c *Client) FileContent(ctx context.Context, id string) ([]byte, error) {
	var data []byte
	err := c.plain(ctx, http.MethodGet, "/files/"+url.PathEscape(id)+"/content", "", nil, &data)
	return data, err
}

// BatchResult is one line of a batch's output or error file: the answer to the request named
// CustomID, or why it failed.
type BatchResult struct {
	CustomID string
	Answer   Answer // its text, thinking, items, usage (at batch price) and model
	Err      *Error // why it failed; nil when it was answered
}

// ParseBatchResults reads an output or error file's lines. They come in no particular order:
// join them on CustomID. model describes the model the requests asked, for the price.
func ParseBatchResults(data []byte, model func(id string) ModelInfo) ([]BatchResult, error) {
	var out []BatchResult
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var l struct {
			CustomID string `json:"custom_id"`
			Response *struct {
				StatusCode int                           `json:"status_code"`
				Body       openai.CreateResponseResponse `json:"body"`
			} `json:"response"`
			Error *struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(line, &l); err != nil {
			return out, &Error{Kind: BadResponse, Message: "Line " + strconv.Itoa(i+1) + " of the batch's results cannot be read.", Detail: err.Error()}
		}
		r := BatchResult{CustomID: l.CustomID}
		switch {
		case l.Error != nil:
			r.Err = &Error{Kind: BadRequest, Code: l.Error.Code, Message: strings.TrimSpace(l.Error.Message)}
		case l.Response == nil:
			r.Err = &Error{Kind: BadResponse, Message: "The result came with neither an answer nor an error."}
		case l.Response.StatusCode != http.StatusOK:
			body := l.Response.Body
			msg := "The request failed (HTTP " + strconv.Itoa(l.Response.StatusCode) + ")."
			if body.Error != nil && body.Error.Message != "" {
				msg = body.Error.Message
			}
			r.Err = &Error{Kind: BadRequest, Status: l.Response.StatusCode, Message: msg}
		default:
			resp := l.Response.Body
			text, thinking, items := outputOf(resp.Output)
			finish := FinishStop
			if resp.Status == "incomplete" {
				finish = incompleteFinish(&resp)
			}
			end := endOf(&resp, finish)
			a := Answer{Content: text, Thinking: thinking, Items: items, Model: resp.Model, Finish: finish, API: APIResponses}
			if end.Usage != nil {
				a.Usage = *end.Usage
			}
			a.Usage.ServiceTier = "batch"
			info := model(resp.Model)
			a.Cost = CostOf(a.Usage, info.Price)
			r.Answer = a
		}
		out = append(out, r)
	}
	return out, nil
}

// BatchLine is one line of a batch's input: the request as Parley sends it on the Responses API,
// whole (not streamed, nothing kept on OpenAI, the reasoning returned encrypted), named
// customID; with the prompt's tokens as Parley counts them. A prompt too long for its model is
// refused here, before anything is sent.
func (c *Client) BatchLine(customID string, req Request) ([]byte, int, error) {
	model := c.Model(req.Model)
	req.Background, req.Conversation = false, 0
	fit, err := c.Fit(req)
	if err != nil {
		return nil, 0, c.classify(err, req.Model)
	}
	body, err := responsesRequest(Call{Request: req, Model: model, Messages: fit.Messages, OpenAI: c.openai}, false)
	if err != nil {
		return nil, 0, c.classify(err, req.Model)
	}
	body.StreamOptions, body.ContextManagement = nil, nil
	line, err := json.Marshal(map[string]any{"custom_id": customID, "method": http.MethodPost, "url": BatchEndpoint, "body": body})
	return line, fit.PromptTokens, err
}

// ParseBatchLine reads one line of a batch's input, as BatchLine writes it or another program
// did: its custom_id and the question it asks (model, instructions, effort, and the last user
// message's text). ok is false for a line that is not a Responses request.
func ParseBatchLine(line []byte) (customID string, req Request, ok bool) {
	var l struct {
		CustomID string `json:"custom_id"`
		Body     struct {
			Model        string          `json:"model"`
			Instructions string          `json:"instructions"`
			Input        json.RawMessage `json:"input"`
			Reasoning    *struct {
				Effort string `json:"effort"`
			} `json:"reasoning"`
		} `json:"body"`
	}
	if json.Unmarshal(line, &l) != nil || l.CustomID == "" {
		return "", Request{}, false
	}
	req = Request{Model: l.Body.Model, System: l.Body.Instructions}
	if l.Body.Reasoning != nil {
		req.Effort = l.Body.Reasoning.Effort
	}
	var text string
	if json.Unmarshal(l.Body.Input, &text) != nil {
		var items []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		}
		json.Unmarshal(l.Body.Input, &items)
		for _, it := range items {
			if it.Role != "user" {
				continue
			}
			if json.Unmarshal(it.Content, &text) != nil {
				var parts []struct{ Text string }
				json.Unmarshal(it.Content, &parts)
				text = ""
				for _, p := range parts {
					text += p.Text
				}
			}
		}
	}
	req.Messages = []Message{{Role: User, Content: text}}
	return l.CustomID, req, true
}
