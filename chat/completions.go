package chat

import (
	"context"
	"errors"
	"fmt"
	"io"

	openai "github.com/sashabaranov/go-openai"
)

// completions is the Chat Completions protocol (POST /v1/chat/completions, streamed as
// Server-Sent Events), which OpenAI and every compatible server speak.
type completions struct{ api *openai.Client }

func (completions) Endpoint() string { return "/chat/completions" }

func (w completions) Open(ctx context.Context, call Call) (Stream, error) {
	r, files, err := completionRequest(call)
	if err != nil {
		return nil, err
	}
	x := exchangeOf(ctx)
	if x != nil {
		// go-openai leaves out a temperature of 0, and has no file part: the transport puts
		// them on the wire.
		x.zeroTemp = call.Request.Temperature != nil && *call.Request.Temperature == 0 && !call.Model.Reasoning
		x.files = files
		x.watchDone = true
	}
	s, err := w.api.CreateChatCompletionStream(ctx, r)
	if err != nil {
		return nil, err
	}
	return &completionStream{s: s, x: x}, nil
}

// completionRequest builds the API request: the system prompt first, then the fitted messages,
// with the parameters the model accepts.
func completionRequest(call Call) (openai.ChatCompletionRequest, []filePart, error) {
	req, m := call.Request, call.Model
	msgs := make([]openai.ChatCompletionMessage, 0, len(call.Messages)+1)
	if req.System != "" {
		msgs = append(msgs, openai.ChatCompletionMessage{Role: string(System), Content: req.System})
	}
	var files []filePart
	for _, msg := range call.Messages {
		if len(msg.Attachments) == 0 {
			msgs = append(msgs, openai.ChatCompletionMessage{Role: string(msg.Role), Content: msg.Content, Name: msg.Name})
			continue
		}
		parts, more, err := contentParts(msg, call.OpenAI, len(files))
		if err != nil {
			return openai.ChatCompletionRequest{}, nil, err
		}
		files = append(files, more...)
		msgs = append(msgs, openai.ChatCompletionMessage{Role: string(msg.Role), MultiContent: parts, Name: msg.Name})
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
	return r, files, nil
}

// filePart is a PDF sent as a Chat Completions file part: go-openai has no such part, so the
// request carries a marker in its place, and the transport puts the part there on the wire.
type filePart struct {
	marker, name, data string
}

// contentParts is a question with its attachments as Chat Completions parts: the text, images
// as image_url parts, PDFs as file parts (OpenAI only: compatible servers take none), text files
// as text.
func contentParts(m Message, openAI bool, before int) ([]openai.ChatMessagePart, []filePart, error) {
	var parts []openai.ChatMessagePart
	var files []filePart
	if m.Content != "" {
		parts = append(parts, openai.ChatMessagePart{Type: openai.ChatMessagePartTypeText, Text: m.Content})
	}
	for _, a := range m.Attachments {
		if a.Kind == AttachText {
			parts = append(parts, openai.ChatMessagePart{Type: openai.ChatMessagePartTypeText, Text: textPart(a)})
			continue
		}
		if a.Kind == AttachPDF && !openAI {
			return nil, nil, &Error{Kind: UnsupportedParam, Code: "unsupported_attachment",
				Message: "This server takes no PDF files over Chat Completions, so " + quote(a.Name) + " cannot be sent.",
				Action:  "Remove the file, or paste its text."}
		}
		data, err := readAttachment(a)
		if err != nil {
			return nil, nil, err
		}
		switch a.Kind {
		case AttachImage:
			parts = append(parts, openai.ChatMessagePart{Type: openai.ChatMessagePartTypeImageURL,
				ImageURL: &openai.ChatMessageImageURL{URL: dataURL(a.MIME, data), Detail: openai.ImageURLDetail(detailOf(a))}})
		case AttachPDF:
			f := filePart{marker: fmt.Sprintf("parley-file-part-%d", before+len(files)), name: a.Name, data: dataURL("application/pdf", data)}
			files = append(files, f)
			parts = append(parts, openai.ChatMessagePart{Type: "file", Text: f.marker})
		}
	}
	return parts, files, nil
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
