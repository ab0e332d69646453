package chat

import (
	"fmt"

	"parley/chat/tokens"
)

// Fit is a request made to fit its model's context window: what will be sent, and what it costs.
type Fit struct {
	Messages     []Message // the messages sent after the system prompt
	PromptTokens int       // the whole prompt, by the cookbook formula
	LastTokens   int       // the newest message alone, framing included
	Dropped      int       // old messages left out
	Window       int       // the model's context window; 0 when unknown
	Reserve      int       // tokens kept free for the answer
}

// defaultReserve is how much room is kept for an answer when the user set no output cap: a
// long answer, or the model's whole output when that is smaller.
const defaultReserve = 4096

// FitRequest counts a request and, when the prompt and the room for the answer exceed the
// model's context window, leaves out the oldest messages: never the system prompt, never the
// newest message. A conversation never starts with an answer whose question was left out. When
// the newest message cannot fit even alone, it says so before anything is sent.
func FitRequest(counter *tokens.Counter, m ModelInfo, req Request) (Fit, error) {
	enc := m.Encoding
	if enc == "" {
		enc = tokens.EncodingFor(req.Model)
	}
	f := Fit{Window: m.ContextWindow, Reserve: reserveFor(m, req)}
	fixed := tokens.ReplyPrime
	if req.System != "" {
		n, err := counter.Message(enc, tokens.Message{Role: string(System), Content: req.System})
		if err != nil {
			return f, err
		}
		fixed += n
	}
	counts := make([]int, len(req.Messages))
	total := fixed
	for i, msg := range req.Messages {
		n, err := counter.Message(enc, tokens.Message{Role: string(msg.Role), Name: msg.Name, Content: msg.Content})
		if err != nil {
			return f, err
		}
		files, err := attachmentsOf(counter, enc, m, msg)
		if err != nil {
			return f, err
		}
		n += files
		counts[i] = n
		total += n
	}
	if len(counts) > 0 {
		f.LastTokens = counts[len(counts)-1]
	}
	f.Messages, f.PromptTokens = req.Messages, total
	if f.Window <= 0 || total+f.Reserve <= f.Window {
		return f, nil
	}
	last := len(req.Messages) - 1
	if last < 0 || fixed+counts[last]+f.Reserve > f.Window {
		return f, &Error{
			Kind: ContextTooLong,
			Message: fmt.Sprintf("This message is too long for %s: %s tokens with the system prompt, and the model takes %s, keeping %s for the answer.",
				quote(req.Model), Thousands(fixed+f.LastTokens), Thousands(f.Window), Thousands(f.Reserve)),
			Action: "Shorten the message or the system prompt, or pick a model with a larger context window.",
		}
	}
	drop := 0
	for total+f.Reserve > f.Window && drop < last {
		total -= counts[drop]
		drop++
	}
	for drop < last && req.Messages[drop].Role == Assistant {
		total -= counts[drop]
		drop++
	}
	f.Messages, f.PromptTokens, f.Dropped = req.Messages[drop:], total, drop
	return f, nil
}

func reserveFor(m ModelInfo, req Request) int {
	switch {
	case req.MaxOutput > 0:
		return req.MaxOutput
	case m.MaxOutput > 0:
		return min(m.MaxOutput, defaultReserve)
	}
	return defaultReserve
}
