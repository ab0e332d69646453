package chat

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"parley/chat/chattest"
	"parley/chat/tokens"
)

func TestParseRateLimit(t *testing.T) {
	h := http.Header{}
	h.Set("x-ratelimit-limit-requests", "500")
	h.Set("x-ratelimit-remaining-requests", "499")
	h.Set("x-ratelimit-limit-tokens", "30000")
	h.Set("x-ratelimit-remaining-tokens", "29000")
	h.Set("x-ratelimit-reset-requests", "120ms")
	h.Set("x-ratelimit-reset-tokens", "6m0s")
	at := time.Now()
	r, ok := ParseRateLimit(h, at)
	if !ok || r.LimitRequests != 500 || r.RemainingRequests != 499 || r.LimitTokens != 30000 || r.RemainingTokens != 29000 ||
		r.ResetRequests != 120*time.Millisecond || r.ResetTokens != 6*time.Minute || !r.At.Equal(at) {
		t.Fatalf("%+v %v", r, ok)
	}
	for in, want := range map[string]time.Duration{"1s": time.Second, "1.574s": 1574 * time.Millisecond, "12ms": 12 * time.Millisecond, "20": 20 * time.Second, "0.5": 500 * time.Millisecond} {
		if d, ok := parseReset(in); !ok || d != want {
			t.Errorf("parseReset(%q) = %v %v", in, d, ok)
		}
	}
	if _, ok := ParseRateLimit(http.Header{}, at); ok {
		t.Fatal("no headers parsed as a snapshot")
	}
}

func TestRateLimitWait(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := RateLimit{LimitRequests: 60, RemainingRequests: 0, ResetRequests: 60 * time.Second,
		LimitTokens: 1000, RemainingTokens: 100, ResetTokens: 54 * time.Second, At: at}
	// One request refills in a second (60 per minute); 10 s later it has.
	if d, reason := r.Wait(10, at); d != time.Second || !strings.Contains(reason, "requests") {
		t.Fatalf("%v %q", d, reason)
	}
	if d, _ := r.Wait(10, at.Add(2*time.Second)); d != 0 {
		t.Fatalf("wait %v after the refill", d)
	}
	// 500 tokens needed, 100 left, 900 refill over 54 s: 400 more take 24 s.
	r.RemainingRequests = 10
	if d, reason := r.Wait(500, at); d != 24*time.Second || !strings.Contains(reason, "tokens") {
		t.Fatalf("%v %q", d, reason)
	}
	if d, _ := r.Wait(50, at); d != 0 {
		t.Fatalf("waited %v with enough left", d)
	}
}

func TestRedact(t *testing.T) {
	key := "sk-proj-AbCdEf0123456789xyz"
	for _, in := range []string{
		"Incorrect API key provided: " + key + ".",
		"Incorrect API key provided: sk-proj-************************xyz9.",
		"Authorization: Bearer " + key,
		"custom key without prefix: " + "abcdef0123456789",
	} {
		out := Redact(in, map[bool]string{true: "abcdef0123456789", false: key}[strings.Contains(in, "without prefix")])
		if strings.Contains(out, "sk-") || strings.Contains(out, "0123456789") {
			t.Errorf("Redact(%q) = %q", in, out)
		}
	}
	if got := Redact("nothing secret here", key); got != "nothing secret here" {
		t.Fatalf("%q", got)
	}
	// A server that echoes the key without its prefix, or a long piece of it, says nothing of it.
	long := "sk-proj-Zq8xT3kLmN0pQrStUvWx12345YzAbCdEf"
	for _, echo := range []string{
		"key Zq8xT3kLmN0pQrStUvWx12345YzAbCdEf is not valid",
		"proj-Zq8xT3kLmN0pQrStUvWx12345YzAbCdEf rejected",
		"ends in ...Wx12345YzAbCdEf",
	} {
		if out := Redact(echo, long); strings.Contains(out, "12345YzAbC") || !strings.Contains(out, "[redacted key]") {
			t.Errorf("Redact(%q) = %q", echo, out)
		}
	}
}

func TestClassifyRedactsServerMessages(t *testing.T) {
	key := "sk-proj-SECRETSECRET0123456789"
	err := &openai.APIError{HTTPStatusCode: 401, Code: "invalid_api_key", Message: "Incorrect API key provided: " + key}
	e := classify(err, "gpt-4o", "api.openai.com", key)
	if strings.Contains(e.Error(), "SECRET") || strings.Contains(e.Unwrap().Error(), "SECRET") || e.Kind != InvalidKey {
		t.Fatalf("%+v", e)
	}
	wrapped := classify(errors.Join(errors.New("while asking"), err), "gpt-4o", "", key)
	if wrapped.Kind != InvalidKey {
		t.Fatalf("wrapped %+v", wrapped)
	}
}

func TestIsChatModelAndIsReasoning(t *testing.T) {
	for id, want := range map[string]bool{
		"gpt-4o": true, "gpt-4o-mini": true, "gpt-4.1-nano": true, "o3": true, "o4-mini": true, "gpt-5": true,
		"gpt-3.5-turbo": true, "chatgpt-4o-latest": true, "llama3.2:latest": true, "qwen2.5-coder": true,
		"text-embedding-3-small": false, "nomic-embed-text": false, "whisper-1": false, "tts-1-hd": false,
		"dall-e-3": false, "gpt-image-1": false, "omni-moderation-latest": false, "gpt-4o-realtime-preview": false,
		"gpt-4o-audio-preview": false, "gpt-4o-transcribe": false, "gpt-4o-search-preview": false,
		"davinci-002": false, "babbage-002": false, "o1-pro": false, "gpt-5-pro": false, "codex-mini-latest": false,
		"o3-deep-research": false, "computer-use-preview": false, "sora-2": false,
	} {
		if got := IsChatModel(id); got != want {
			t.Errorf("IsChatModel(%q) = %v", id, got)
		}
	}
	for id, want := range map[string]bool{
		"o1": true, "o1-mini": true, "o3-mini": true, "o4-mini": true, "gpt-5": true, "gpt-5-nano": true,
		"gpt-5-chat-latest": false, "gpt-4o": false, "gpt-4.1": false, "llama3": false,
	} {
		if got := IsReasoning(id); got != want {
			t.Errorf("IsReasoning(%q) = %v", id, got)
		}
	}
}

func TestCostOf(t *testing.T) {
	p := Price{Input: 2.5, CachedInput: 1.25, Output: 10, Known: true}
	c := CostOf(Usage{PromptTokens: 1_000_000, CachedTokens: 400_000, CompletionTokens: 100_000}, p)
	if want := 0.6*2.5 + 0.4*1.25 + 0.1*10; !c.Known || c.USD < want-1e-9 || c.USD > want+1e-9 {
		t.Fatalf("%+v, want %v", c, want)
	}
	// No cached price: cached tokens cost the input price.
	c = CostOf(Usage{PromptTokens: 1_000_000, CachedTokens: 1_000_000}, Price{Input: 0.5, Output: 1.5, Known: true})
	if c.USD != 0.5 {
		t.Fatalf("%+v", c)
	}
	if c := CostOf(Usage{PromptTokens: 10}, Price{}); c.Known {
		t.Fatal("unknown price priced")
	}
}

// Costs against figures worked out by hand from the published prices (settings/catalog.json).
func TestCostOfCacheWritesLongContextAndTiers(t *testing.T) {
	tiers := map[string]float64{"default": 1, "flex": 0.5, "batch": 0.5, "priority": 2}
	sol56 := Price{Input: 5, CachedInput: 0.5, CacheWrite: 6.25, Output: 30, LongAbove: 272_000, LongInput: 2, LongOutput: 1.5, Tiers: tiers, Known: true}
	sol62 := Price{Input: 2, CachedInput: 0.10, CacheWrite: 2.50, Output: 10, LongAbove: 272_000, LongInput: 2, LongOutput: 1.5, Tiers: tiers, Known: true}
	mini5 := Price{Input: 0.25, CachedInput: 0.025, Output: 2, Tiers: tiers, Known: true}
	gpt41 := Price{Input: 2, CachedInput: 0.5, Output: 8, Tiers: tiers, Known: true}
	for _, tc := range []struct {
		name string
		u    Usage
		p    Price
		want float64
	}{
		// 10,000 uncached × $5 + 60,000 cached × $0.50 + 30,000 written × $6.25 + 2,000 out × $30
		// (its 1,500 reasoning tokens are inside the 2,000, not added) = $0.3275.
		{"GPT-5.6 Sol with cache writes", Usage{PromptTokens: 100_000, CachedTokens: 60_000, CacheWriteTokens: 30_000, CompletionTokens: 2_000, ReasoningTokens: 1_500, ServiceTier: "default"}, sol56, 0.3275},
		// Over 272,000 input tokens the whole request pays 2× input and 1.5× output:
		// 200,000 × $4 + 100,000 × $0.20 + 10,000 × $15 = $0.97.
		{"GPT-6.2 Sol over 272k", Usage{PromptTokens: 300_000, CachedTokens: 100_000, CompletionTokens: 10_000}, sol62, 0.97},
		// At the threshold itself, no premium: 272,000 × $2 = $0.544.
		{"GPT-6.2 Sol at 272k", Usage{PromptTokens: 272_000}, sol62, 0.544},
		// Flex halves: (10,000 × $0.25 + 1,000 × $2) / 2 = $0.00225.
		{"gpt-5-mini on flex", Usage{PromptTokens: 10_000, CompletionTokens: 1_000, ServiceTier: "flex"}, mini5, 0.00225},
		// Priority doubles: (10,000 × $2 + 1,000 × $8) × 2 = $0.056.
		{"gpt-4.1 on priority", Usage{PromptTokens: 10_000, CompletionTokens: 1_000, ServiceTier: "priority"}, gpt41, 0.056},
		// Before GPT-5.6 a written token costs the input price: nothing extra.
		{"gpt-4.1 cache write", Usage{PromptTokens: 10_000, CacheWriteTokens: 10_000}, gpt41, 0.02},
	} {
		c := CostOf(tc.u, tc.p)
		if !c.Known || math.Abs(c.USD-tc.want) > 1e-12 {
			t.Errorf("%s: $%.6f, want $%.6f (%+v)", tc.name, c.USD, tc.want, c.Parts)
		}
		if sum := c.Parts.Uncached + c.Parts.Cached + c.Parts.CacheWrite + c.Parts.Output; math.Abs(sum-c.USD) > 1e-12 {
			t.Errorf("%s: the parts add up to %v, not %v", tc.name, sum, c.USD)
		}
	}
}

func TestFitNeverStartsWithAnOrphanAnswer(t *testing.T) {
	counter := tokens.New()
	msgs := []Message{
		{Role: User, Content: strings.Repeat("a ", 100)},
		{Role: Assistant, Content: strings.Repeat("b ", 10)},
		{Role: User, Content: strings.Repeat("c ", 10)},
		{Role: Assistant, Content: strings.Repeat("d ", 10)},
		{Role: User, Content: "newest"},
	}
	f, err := FitRequest(counter, ModelInfo{ContextWindow: 100}, Request{Model: "gpt-4o", Messages: msgs, MaxOutput: 10})
	if err != nil {
		t.Fatal(err)
	}
	if f.Messages[0].Role != User || f.Dropped < 2 || f.PromptTokens+10 > 100 {
		t.Fatalf("%+v", f)
	}
	// An unknown window never drops anything.
	f, _ = FitRequest(counter, ModelInfo{}, Request{Model: "local-model", Messages: msgs})
	if f.Dropped != 0 || len(f.Messages) != len(msgs) || f.LastTokens == 0 {
		t.Fatalf("%+v", f)
	}
}

// BenchmarkStreamPerChunk measures the client's cost per streamed chunk: parsing, events and
// accumulating the answer, against the test server on loopback (a 2,000-token answer).
func BenchmarkStreamPerChunk(b *testing.B) {
	r := newRig(b, chattest.Options{RPM: 1 << 30, TPM: 1 << 40}, nil)
	answer := strings.Repeat("streaming word ", 1000)
	n, _ := tokens.Default().Text(tokens.O200k, answer)
	b.ResetTimer()
	for range b.N {
		r.server.Reply(answer)
		chunks := 0
		for e := range r.client.Stream(context.Background(), ask("go")) {
			if _, ok := e.(Delta); ok {
				chunks++
			}
		}
		if chunks < n/2 {
			b.Fatalf("%d chunks for %d tokens", chunks, n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/chunk")
}
