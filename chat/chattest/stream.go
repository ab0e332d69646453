package chattest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Framing is how a streamed body is delimited on the wire.
type Framing string

const (
	// Chunked is HTTP/1.1 chunked transfer encoding, as OpenAI streams: an abrupt end is
	// visible to the client as an unexpected EOF.
	Chunked Framing = "chunked"
	// CloseDelimited ends the body by closing the connection, as HTTP/1.0 servers and some
	// proxies do: a body cut short then looks exactly like one that ended cleanly.
	CloseDelimited Framing = "close"
)

// sink writes one streamed body, framed one way or the other.
type sink struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	conn  net.Conn      // close-delimited only: the hijacked connection
	buf   *bufio.Writer // and its writer
	split bool          // write every line in pieces of a few bytes
}

// openStream sends the response head of a streamed answer.
func openStream(w http.ResponseWriter, framing Framing, split bool, contentType string) (*sink, error) {
	if contentType == "" {
		contentType = "text/event-stream; charset=utf-8"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-cache")
	s := &sink{w: w, rc: http.NewResponseController(w), split: split}
	if framing != CloseDelimited {
		w.WriteHeader(http.StatusOK)
		return s, nil
	}
	conn, buf, err := s.rc.Hijack()
	if err != nil {
		return nil, err
	}
	s.conn, s.buf = conn, buf.Writer
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\n")
	w.Header().Set("Connection", "close")
	w.Header().Write(buf)
	fmt.Fprintf(buf, "\r\n")
	return s, buf.Flush()
}

// write sends bytes and flushes them, in pieces when the split fault asks for it.
func (s *sink) write(b []byte) bool {
	step := len(b)
	if s.split {
		step = 5
	}
	for len(b) > 0 {
		n := min(step, len(b))
		if !s.writeNow(b[:n]) {
			return false
		}
		b = b[n:]
	}
	return true
}

func (s *sink) writeNow(b []byte) bool {
	if s.conn != nil {
		if _, err := s.buf.Write(b); err != nil {
			return false
		}
		return s.buf.Flush() == nil
	}
	if _, err := s.w.Write(b); err != nil {
		return false
	}
	return s.rc.Flush() == nil
}

// event sends one Server-Sent Event's data line.
func (s *sink) event(data []byte) bool {
	return s.write(append(append([]byte("data: "), data...), '\n', '\n'))
}

// end finishes the body cleanly: the last chunk, or the connection closed.
func (s *sink) end() {
	if s.conn != nil {
		s.conn.Close()
	}
}

// hangUp drops the connection without ending the body, as a network failure would.
func (s *sink) hangUp() {
	if s.conn != nil {
		s.conn.Close()
		return
	}
	hangUp(s.w)
}

// stream answers a streaming request as Server-Sent Events, chunk by chunk.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, a answer, fault Fault) {
	framing := s.opts.Framing
	if fault.Framing != "" {
		framing = fault.Framing
	}
	out, err := openStream(w, framing, fault.Kind == Split, s.opts.StreamType)
	if err != nil {
		return
	}
	defer out.end()
	chunk := func(delta map[string]any, finish any) []byte {
		c := map[string]any{
			"id": a.id, "object": "chat.completion.chunk", "created": a.created, "model": a.model,
			"service_tier": "default", "system_fingerprint": "fp_chattest",
			"choices": []any{map[string]any{"index": 0, "delta": delta, "logprobs": nil, "finish_reason": finish}},
		}
		if a.includeUsage && !s.opts.OmitUsage {
			c["usage"] = nil
		}
		b, _ := json.Marshal(c)
		return b
	}

	if s.opts.FirstToken > 0 {
		wait(r, s.opts.FirstToken)
	}
	if !out.event(chunk(map[string]any{"role": "assistant", "content": "", "refusal": nil}, nil)) {
		return
	}
	var interval time.Duration
	if s.opts.TokensPerSecond > 0 {
		interval = time.Second * time.Duration(s.opts.TokensPerChunk) / time.Duration(s.opts.TokensPerSecond)
	}
	start := time.Now()
	for i, piece := range a.pieces {
		if fault.midStream() && fault.Kind != Split && i == fault.After {
			s.misbehave(out, r, fault)
			return
		}
		if interval > 0 {
			if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
				select {
				case <-time.After(d):
				case <-r.Context().Done():
					return
				}
			}
		}
		if !out.event(chunk(map[string]any{"content": piece}, nil)) {
			return
		}
	}
	if fault.midStream() && fault.Kind != Split && fault.After >= len(a.pieces) {
		s.misbehave(out, r, fault)
		return
	}
	if s.opts.OmitFinishReason {
		out.event(chunk(map[string]any{}, nil))
	} else {
		out.event(chunk(map[string]any{}, a.finish))
	}
	if a.includeUsage && !s.opts.OmitUsage {
		b, _ := json.Marshal(map[string]any{
			"id": a.id, "object": "chat.completion.chunk", "created": a.created, "model": a.model,
			"service_tier": "default", "system_fingerprint": "fp_chattest",
			"choices": []any{}, "usage": a.usage,
		})
		out.event(b)
	}
	if !s.opts.OmitDone {
		out.event([]byte("[DONE]"))
	}
}

// misbehave carries out a mid-stream fault.
func (s *Server) misbehave(out *sink, r *http.Request, f Fault) {
	switch f.Kind {
	case Cut:
		out.hangUp()
	case Truncate:
		// The body simply ends, cleanly framed, with neither a finish_reason nor [DONE]: what
		// a server killed mid-answer behind a proxy, or a close-delimited response, looks like.
	case Stall:
		wait(r, f.Wait)
		out.hangUp()
	case ErrorEvent:
		e := apiErrorSpec{Message: or(f.Message, "The server had an error while processing your request. Sorry about that!"), Type: or(f.Type, "server_error"), Code: f.Code}
		out.event(e.body())
	case Malformed:
		out.write([]byte("data: {\"id\": \"chatcmpl-broken\", \"choices\": [{\"delta\": {\"content\": \"unterminated\n\n"))
	case Empty:
		every := f.Wait
		if every <= 0 {
			every = 50 * time.Millisecond
		}
		for {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(every):
			}
			if !out.event([]byte(`{"id":"chatcmpl-empty","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":""},"finish_reason":null}]}`)) {
				return
			}
		}
	case HugeLine:
		size := f.Size
		if size <= 0 {
			size = 64 << 20
		}
		block := []byte(strings.Repeat("x", 64<<10))
		out.write([]byte(`data: {"choices":[{"delta":{"content":"`))
		for sent := 0; sent < size; sent += len(block) {
			if !out.write(block[:min(len(block), size-sent)]) {
				return
			}
		}
		wait(r, 0) // never ends the line
	}
}

// hangUp drops the connection without ending the response, as a network failure would.
func hangUp(w http.ResponseWriter) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2 or a recorder: abort the stream instead
	}
	buf.Flush()
	conn.Close()
}
