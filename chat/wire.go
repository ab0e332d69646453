package chat

import (
	"context"
	"encoding/json"
)

// Wire is one of the API's protocols for asking a model (Chat Completions today, the Responses
// API beside it): it puts one request on the wire and reads its answer back as chunks. The
// Client does everything around it the same way for every protocol: fitting the context window,
// pacing, retries, rate limits, the idle watchdog, errors in plain words and key redaction.
type Wire interface {
	// Endpoint is the API path the requests go to, as rate limits are kept ("/chat/completions").
	Endpoint() string
	// Open sends the call. ctx carries the request's exchange with the transport: open the
	// HTTP request with it.
	Open(ctx context.Context, call Call) (Stream, error)
}

// Call is one request as a Wire sends it: the request, what is known of its model, and the
// messages context fitting kept.
type Call struct {
	Request  Request
	Model    ModelInfo
	Messages []Message
	// OpenAI says the endpoint is OpenAI itself, not a compatible server.
	OpenAI bool
	// resume picks up a background response's stream instead of sending the request.
	resume *resumePoint
	// sent, if not nil, is called once the request has been written to the connection.
	sent func()
}

// Stream is an answer being read, in the spirit of mods' Stream.
type Stream interface {
	// Next returns the next chunk, or io.EOF once the body has ended. The body may end without
	// the protocol's own end (a cut, close-delimited response): only a chunk with Finish set says
	// the answer is finished.
	Next() (Chunk, error)
	Close() error
}

// Chunk is what one step of a stream brought. Any field may be empty.
type Chunk struct {
	Text     string
	Thinking string          // a piece of the model's reasoning summary
	Item     json.RawMessage // an output item, whole, to keep for the next turn
	Model    string          // the model that answers, as the server names it
	Usage    *Usage          // the usage the server reported
	Finish   Finish          // the protocol said the answer ended, and how
	// ResponseID names the response (Responses API), Status where a background one stands
	// (queued, in_progress), and Seq is the number of the event that brought the chunk, from
	// which a broken stream is picked up again.
	ResponseID string
	Status     string
	Seq        int
}

// The protocols.
const (
	APIResponses = "responses" // POST /v1/responses, OpenAI's own
	APIChat      = "chat"      // POST /v1/chat/completions, which every compatible server speaks
	APIAuto      = "auto"      // the Responses API on OpenAI, Chat Completions elsewhere
)
