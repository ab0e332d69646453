// Package tokens counts tokens the way OpenAI's tokenizers do, offline.
//
// Each encoding is built once and reused (building one takes about a second and tens of
// megabytes), and per-message counts are cached, so adding a message to a long conversation
// costs only that message.
package tokens

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
)

// The two encodings current chat models use.
const (
	O200k  = "o200k_base"
	Cl100k = "cl100k_base"
)

// The cookbook's chat formula: every message costs 3 tokens of framing, a name 1 more, and the
// reply is primed with 3.
const (
	perMessage = 3
	perName    = 1
	replyPrime = 3
)

// EncodingFor names the encoding of a model: cl100k_base for the gpt-4 and gpt-3.5 families,
// o200k_base for everything newer and for models it does not know.
func EncodingFor(model string) string {
	m := strings.ToLower(model)
	if i := strings.LastIndex(m, "/"); i >= 0 { // "openai/gpt-4" on routers and proxies
		m = m[i+1:]
	}
	switch {
	case strings.HasPrefix(m, "gpt-4o"), strings.HasPrefix(m, "gpt-4.1"), strings.HasPrefix(m, "gpt-4.5"),
		strings.HasPrefix(m, "chatgpt-4o"):
		return O200k
	case strings.HasPrefix(m, "gpt-4"), strings.HasPrefix(m, "gpt-3.5"), strings.HasPrefix(m, "gpt-35"),
		strings.HasPrefix(m, "text-embedding-3"), strings.HasPrefix(m, "text-embedding-ada-002"):
		return Cl100k
	}
	return O200k
}

// Message is the part of a chat message that costs tokens.
type Message struct {
	Role    string
	Name    string
	Content string
}

// Counter counts tokens and remembers per-message counts. It is safe for concurrent use; make
// one with New, or share Default.
type Counter struct {
	mu    sync.Mutex
	cache map[cacheKey]int
}

// The encoders are process-wide: each is built once, on first use, and is safe to share.
var (
	encodersMu sync.Mutex
	encoders   = map[string]*encoder{}
)

type encoder struct {
	once sync.Once
	enc  *bpe
	err  error
}

type cacheKey struct {
	encoding string
	msg      Message
}

// maxCached bounds the per-message cache; past it the cache starts again (a conversation in use
// refills it at the cost of one count per message).
const maxCached = 200_000

// New returns a Counter with its own cache.
func New() *Counter {
	return &Counter{cache: map[cacheKey]int{}}
}

var defaultCounter = New()

// Default is the process-wide Counter, so that every caller shares one cache.
func Default() *Counter { return defaultCounter }

func encoderFor(encoding string) (*bpe, error) {
	if encoding == "" {
		encoding = O200k
	}
	encodersMu.Lock()
	e, ok := encoders[encoding]
	if !ok {
		e = &encoder{}
		encoders[encoding] = e
	}
	encodersMu.Unlock()
	e.once.Do(func() {
		e.enc, e.err = loadBPE(encoding)
		if e.err != nil {
			e.err = fmt.Errorf("loading the %s tokenizer: %w", encoding, e.err)
		}
		// Reading the vocabulary grows its blocks by doubling: give the megabytes left behind
		// back rather than keep them for the life of the process.
		debug.FreeOSMemory()
	})
	return e.enc, e.err
}

// Warm builds an encoding ahead of its first use, so the first count does not wait for it.
func Warm(encoding string) error {
	_, err := encoderFor(encoding)
	return err
}

// Text counts the tokens of a plain text. Special-token strings such as "<|endoftext|>" count as
// ordinary text, as the API treats them in user content.
func (c *Counter) Text(encoding, text string) (int, error) {
	return c.TextContext(context.Background(), encoding, text)
}

// TextContext counts like Text, and gives up with the context's error once it is done: a
// megabyte takes about a second.
func (c *Counter) TextContext(ctx context.Context, encoding, text string) (int, error) {
	if text == "" {
		return 0, nil
	}
	enc, err := encoderFor(encoding)
	if err != nil {
		return 0, err
	}
	n := 0
	err = enc.encode(ctx, text, func(int) { n++ })
	return n, err
}

// Message counts one message of a chat request: its framing, role, name and content. The result
// is cached, keyed by the message itself.
func (c *Counter) Message(encoding string, m Message) (int, error) {
	if encoding == "" {
		encoding = O200k
	}
	key := cacheKey{encoding, m}
	c.mu.Lock()
	n, ok := c.cache[key]
	c.mu.Unlock()
	if ok {
		return n, nil
	}
	n = perMessage
	for _, field := range []string{m.Role, m.Name, m.Content} {
		t, err := c.Text(encoding, field)
		if err != nil {
			return 0, err
		}
		n += t
	}
	if m.Name != "" {
		n += perName
	}
	c.mu.Lock()
	if len(c.cache) >= maxCached {
		clear(c.cache)
	}
	c.cache[key] = n
	c.mu.Unlock()
	return n, nil
}

// Chat counts a whole chat request by the cookbook formula: the messages plus the reply primer.
// It agrees with the prompt_tokens the API reports.
func (c *Counter) Chat(encoding string, msgs []Message) (int, error) {
	n := replyPrime
	for _, m := range msgs {
		t, err := c.Message(encoding, m)
		if err != nil {
			return 0, err
		}
		n += t
	}
	return n, nil
}

// ReplyPrime is the fixed cost the formula adds for the reply, exported for callers that sum
// cached per-message counts themselves.
const ReplyPrime = replyPrime

// Encode returns the token ids of a text, for callers that need the tokens themselves (the test
// server streams answers token by token).
func Encode(encoding, text string) ([]int, error) {
	enc, err := encoderFor(encoding)
	if err != nil {
		return nil, err
	}
	ids := []int{}
	err = enc.encode(context.Background(), text, func(id int) { ids = append(ids, id) })
	return ids, err
}

// Decode returns the bytes of token ids as a string, which may end inside a UTF-8 character when
// the ids split one.
func Decode(encoding string, ids []int) (string, error) {
	enc, err := encoderFor(encoding)
	if err != nil {
		return "", err
	}
	return enc.decode(ids), nil
}
