// Package chat is Parley's conversation engine: it sends a conversation to an OpenAI-compatible
// server and streams the answer back as events, counting tokens exactly, fitting the context
// window, watching rate limits, retrying what is worth retrying and putting errors in plain
// words. It never imports Fyne: everything here runs and is tested with `go test` alone.
package chat

import (
	"encoding/json"
	"strings"
	"time"
)

// Role is who wrote a message.
type Role string

// The roles of a chat conversation.
const (
	System    Role = "system"
	User      Role = "user"
	Assistant Role = "assistant"
)

// Message is one turn of a conversation.
type Message struct {
	Role    Role
	Content string
	Name    string // optional author name, as the API allows
	// Items are an answer's own output items as the Responses API sent them (reasoning with
	// its encrypted content, the message, a compaction), replayed as they came to ItemsModel,
	// the model that wrote them; another model gets the text.
	Items      []json.RawMessage
	ItemsModel string
	// Attachments are files sent with a question (attachments.go).
	Attachments []Attachment
}

// Request is one question: the conversation so far, ending with the user's newest message.
type Request struct {
	Model    string
	System   string    // the system prompt; empty for none
	Messages []Message // oldest first; the last one is the newest user message
	// Temperature is the sampling temperature; nil leaves the model's default. Reasoning models
	// accept only their default, so it is never sent to them.
	Temperature *float32
	// MaxOutput caps the answer's tokens (sent as max_completion_tokens); 0 sends no cap and
	// reserves the model's usual answer length when fitting the context window.
	MaxOutput int
	// Effort is the reasoning effort ("" : the model's default), sent only to a model that takes
	// it; Pro asks for reasoning.mode "pro" where the model has it.
	Effort string
	Pro    bool
	// ServiceTier asks for a service tier ("flex", "priority"; "": the project's default).
	ServiceTier string
	// Conversation names the conversation, for the prompt cache's key (0: none).
	Conversation int64
	// Background asks in background mode (Responses API only): the answer is made, and kept
	// for a while, on OpenAI, whether or not Parley stays to read it (see background.go).
	Background bool
}

// Finish says how an answer ended.
type Finish string

// How an answer can end. Stopped and Interrupted keep the text that arrived.
const (
	FinishStop          Finish = "stop"           // the model finished
	FinishLength        Finish = "length"         // the output cap or context window cut it short
	FinishContentFilter Finish = "content_filter" // the server withheld the rest
	FinishStopped       Finish = "stopped"        // the user pressed Stop
	FinishInterrupted   Finish = "interrupted"    // a failure after text had arrived
	FinishFailed        Finish = "failed"         // a failure before any text
	// FinishBackground: the answer goes on on OpenAI, and Parley stopped following it (it
	// quit, the user left it running); its ResponseID fetches it later.
	FinishBackground Finish = "background"
)

// Usage is what an answer cost in tokens, as the API reported it, or as Parley counted it when
// the server sent no usage (Estimated). The prompt's tokens include the cached and the written
// ones; the completion's include the reasoning ones: nothing is counted twice.
type Usage struct {
	PromptTokens     int    `json:"prompt_tokens"`
	CachedTokens     int    `json:"cached_tokens,omitempty"`
	CacheWriteTokens int    `json:"cache_write_tokens,omitempty"`
	CompletionTokens int    `json:"completion_tokens"`
	ReasoningTokens  int    `json:"reasoning_tokens,omitempty"`
	ServiceTier      string `json:"service_tier,omitempty"` // the tier that served it, as the server said
	Estimated        bool   `json:"estimated,omitempty"`
}

// Total is prompt plus completion tokens.
func (u Usage) Total() int { return u.PromptTokens + u.CompletionTokens }

// Answer is the outcome of one request: always delivered last, in the Done event.
type Answer struct {
	Content string
	Model   string // the model that answered, as the server named it
	// Thinking is the model's reasoning summary (Responses API), shown apart, never sent back as
	// text; ThinkingTime is how long it thought before its first word.
	Thinking     string
	ThinkingTime time.Duration
	// Items are the answer's output items, to replay on the next turn (Responses API).
	Items []json.RawMessage
	// API is the protocol that answered: APIResponses or APIChat.
	API string
	// ResponseID names a background answer's response on OpenAI.
	ResponseID string
	seq        int    // the last event of a background stream read, to pick it up after
	status     string // where the background response stands, as last announced
	Finish     Finish
	Usage      Usage
	Cost       Cost
	Err        *Error // why it failed or was interrupted; nil otherwise
	// Retries is how many times the request was sent again after a retryable failure.
	Retries int
	// EstimatedPrompt is Parley's own count of the prompt, made before sending.
	EstimatedPrompt int
	// Dropped is how many old messages context fitting left out.
	Dropped int
	// RateLimit is the last rate-limit snapshot the server sent, if any.
	RateLimit *RateLimit
	Started   time.Time
	Ended     time.Time
}

// ModelInfo is what the engine needs to know of a model. The catalog in settings supplies it;
// for a model nobody knows, zero values mean unknown.
type ModelInfo struct {
	ID            string
	ContextWindow int // tokens; 0 when unknown
	MaxOutput     int // tokens; 0 when unknown
	Encoding      string
	Reasoning     bool
	// Efforts are the reasoning efforts the model accepts (empty: unknown, or none); Pro says it
	// takes reasoning.mode "pro".
	Efforts []string
	Pro     bool
	// ServiceTiers are the tiers beyond the standard one it can be asked for.
	ServiceTiers []string
	Price        Price
	// Known says the catalog knows the model; then Vision and Files say whether it reads images
	// and PDFs (a model nobody knows is sent what the user attaches, and its server decides).
	// Image is how it counts an image's tokens.
	Known, Vision, Files bool
	Image                ImageSizing
}

// Price is what a model costs, in dollars per million tokens: uncached input, cached input,
// input written to the cache (0: no extra charge, models before GPT-5.6), output; the premium
// of a request whose input is over LongAbove tokens (the whole request pays it); and what each
// service tier multiplies it by.
type Price struct {
	Input, CachedInput, CacheWrite, Output float64
	LongAbove                              int
	LongInput, LongOutput                  float64
	Tiers                                  map[string]float64
	Known                                  bool
}

// Cost is an amount in US dollars, whether the price behind it is known, and how it was made.
type Cost struct {
	USD   float64
	Known bool
	Parts CostParts
}

// CostParts is a cost in its parts, for showing how it was made.
type CostParts struct {
	Uncached, Cached, CacheWrite, Output float64 // dollars, each part after every multiplier
	LongContext                          bool    // the long-context premium applied
	TierMultiplier                       float64 // the service tier's multiplier (1: standard)
}

// CostOf prices a usage. Every prompt token is billed at exactly one rate: cached, written to
// the cache, or uncached; reasoning tokens are part of the completion and billed as output.
// Above the long-context threshold the whole request pays the premium; the service tier that
// served it multiplies everything.
func CostOf(u Usage, p Price) Cost {
	if !p.Known {
		return Cost{}
	}
	cachedRate, writeRate := p.CachedInput, p.CacheWrite
	if cachedRate == 0 {
		cachedRate = p.Input
	}
	if writeRate == 0 {
		writeRate = p.Input
	}
	in, out := 1.0, 1.0
	long := p.LongAbove > 0 && u.PromptTokens > p.LongAbove
	if long {
		in, out = max(p.LongInput, 1), max(p.LongOutput, 1)
	}
	tier := 1.0
	if x, ok := p.Tiers[u.ServiceTier]; ok {
		tier = x
	}
	cached := min(max(u.CachedTokens, 0), u.PromptTokens)
	written := min(max(u.CacheWriteTokens, 0), u.PromptTokens-cached)
	uncached := u.PromptTokens - cached - written
	parts := CostParts{
		Uncached:    float64(uncached) * p.Input * in * tier / 1e6,
		Cached:      float64(cached) * cachedRate * in * tier / 1e6,
		CacheWrite:  float64(written) * writeRate * in * tier / 1e6,
		Output:      float64(u.CompletionTokens) * p.Output * out * tier / 1e6,
		LongContext: long, TierMultiplier: tier,
	}
	return Cost{USD: parts.Uncached + parts.Cached + parts.CacheWrite + parts.Output, Known: true, Parts: parts}
}

// IsReasoning tells the reasoning models (o1, o3, o4, gpt-5 and gpt-6 families) when the catalog
// does not know them: they take max_completion_tokens, reject max_tokens and any temperature
// but their default.
func IsReasoning(model string) bool {
	m := strings.ToLower(model)
	for _, p := range []string{"o1", "o3", "o4", "gpt-5", "gpt-6"} {
		if strings.HasPrefix(m, p) {
			return !strings.HasPrefix(m, "gpt-5-chat") // the chat snapshot of gpt-5 is not a reasoning model
		}
	}
	return false
}

// IsChatModel tells whether a model id from /v1/models answers chat completions. OpenAI lists
// no capability, so ids of embedding, audio, image, moderation, realtime, search and
// Responses-only models are left out; anything else, including models of compatible servers
// that Parley does not know, is kept.
func IsChatModel(id string) bool {
	m := strings.ToLower(id)
	for _, no := range []string{
		"embed", "whisper", "tts", "dall-e", "image", "moderation", "realtime", "audio",
		"transcribe", "search", "davinci", "babbage", "-pro", "codex", "deep-research",
		"computer-use", "sora",
	} {
		if strings.Contains(m, no) {
			return false
		}
	}
	return true
}
