package chat

import (
	"context"
	"errors"
	"io"

	openai "github.com/sashabaranov/go-openai"
)

// completions is the Chat Completions protocol (POST /v1/chat/completions, streamed as
// Server-Sent Events), which OpenAI and every compatible server speak.
type completions struct{ api *openai.Client }

func (completions) Endpoint() string { return "/chat/completions" }

func (w completions) Open(ctx context.Context, call Call) (Stream, error) {
	x := exchangeOf(ctx)
	if x != nil {
		// go-openai leaves out a temperature of 0; the transport puts it back on the wire.
		x.zeroTemp = call.Request.Temperature != nil && *call.Request.Temperature == 0 && !call.Model.Reasoning
		x.watchDone = true
	}
	s, err := w.api.CreateChatCompletionStream(ctx, completionRequest(call))
	if err != nil {
		return nil, err
	}
	return &completionStream{s: s, x: x}, nil
}

// completionRequest builds the API request: the system prompt first, then the fitted messages,
// with the parameters the model accepts.
func completionRequest(call Call) openai.ChatCompletionRequest {
	req, m := call.Request, call.Model
	msgs := make([]openai.ChatCompletionMessage, 0, len(call.Messages)+1)
	if req.System != "" {
		msgs = append(msgs, openai.ChatCompletionMessage{Role: string(System), Content: req.System})
	}
	for _, msg := range call.Messages {
		msgs = append(msgs, openai.ChatCompletionMessage{Role: string(msg.Role), Content: msg.Content, Name: msg.Name})
	}
	r := openai.ChatCompletionRequest{
		Model: req.Model, Messages: msgs, Stream: true,
		StreamOptions: &openai.StreamOptions{IncludeUsage: true},
	}
	switch {
	case req.MaxOutput <= 0:
	case m.Reasoning || call.OpenAI:
		r.MaxCompletionTokens = req.MaxOutput
	default:
		//lint:ignore SA1019 compatible servers (Ollama, llama.cpp, vLLM) understand max_tokens, not its successor
		r.MaxTokens = req.MaxOutput
	}
	if req.Temperature != nil && !m.Reasoning {
		r.Temperature = *req.Temperature
	}
	return r
}

// completionStream reads the chunks of a streamed chat completion. The answer is finished by a
// choice's finish_reason, or by "data: [DONE]" (compatible servers send one without the other);
// go-openai reports the end of the body as io.EOF either way, so the transport watches for
// [DONE] itself.
type completionStream struct {
	s        *openai.ChatCompletionStream
	x        *exchange
	finished bool
	ended    bool
}

func (c *completionStream) Next() (Chunk, error) {
	if c.ended {
		return Chunk{}, io.EOF
	}
	resp, err := c.s.Recv()
	if errors.Is(err, io.EOF) {
		c.ended = true
		if !c.finished && c.x != nil && c.x.sawDone() {
			c.finished = true
			return Chunk{Finish: FinishStop}, nil
		}
		return Chunk{}, io.EOF
	}
	if err != nil {
		return Chunk{}, err
	}
	out := Chunk{Model: resp.Model}
	if u := resp.Usage; u != nil {
		out.Usage = &Usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens}
		if d := u.PromptTokensDetails; d != nil {
			out.Usage.CachedTokens = d.CachedTokens
		}
		if d := u.CompletionTokensDetails; d != nil {
			out.Usage.ReasoningTokens = d.ReasoningTokens
		}
	}
	// The usage chunk has no choices: never index blindly.
	for _, choice := range resp.Choices {
		out.Text += choice.Delta.Content
		if choice.FinishReason != "" {
			out.Finish = Finish(choice.FinishReason)
			c.finished = true
		}
	}
	return out, nil
}

func (c *completionStream) Close() error { return c.s.Close() }
