package chat

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"parley/chat/chattest"
)

const testKey = "sk-proj-unitTESTkey0123456789abcdefGHIJ"

// fakeClock is a clock that moves only when the client sleeps, so waits are checked without
// waiting.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.slept = append(f.slept, d)
	f.now = f.now.Add(d)
	f.mu.Unlock()
	return ctx.Err()
}

func (f *fakeClock) Slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.slept...)
}

var gpt4o = ModelInfo{ContextWindow: 128_000, MaxOutput: 16_384, Price: Price{Input: 2.5, CachedInput: 1.25, Output: 10, Known: true}}

// rig is a test server and a client pointed at it, sharing a fake clock.
type rig struct {
	server *chattest.Server
	url    string
	clock  *fakeClock
	client *Client
}

func newRig(t testing.TB, opts chattest.Options, tweak func(*Config)) *rig {
	t.Helper()
	clock := newFakeClock()
	if opts.Key == "" {
		opts.Key = testKey
	}
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	s := chattest.New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	cfg := Config{
		BaseURL: ts.URL + "/v1", APIKey: testKey,
		Models: func(id string) ModelInfo {
			if strings.HasPrefix(id, "gpt-4o") {
				return gpt4o
			}
			return ModelInfo{}
		},
		Now: clock.Now, Sleep: clock.Sleep, Jitter: func() float64 { return 0 },
	}
	if tweak != nil {
		tweak(&cfg)
	}
	return &rig{server: s, url: ts.URL, clock: clock, client: New(cfg, nil)}
}

// collect runs a request to the end and returns its events and answer.
func collect(t *testing.T, c *Client, ctx context.Context, req Request) ([]Event, Answer) {
	t.Helper()
	var events []Event
	for e := range c.Stream(ctx, req) {
		events = append(events, e)
	}
	done, ok := events[len(events)-1].(Done)
	if !ok {
		t.Fatalf("last event is %T, not Done", events[len(events)-1])
	}
	for _, e := range events[:len(events)-1] {
		if _, ok := e.(Done); ok {
			t.Fatal("Done before the end")
		}
	}
	return events, done.Answer
}

func ask(text string) Request {
	return Request{Model: "gpt-4o", Messages: []Message{{Role: User, Content: text}}}
}

func TestStreamHappyPath(t *testing.T) {
	r := newRig(t, chattest.Options{}, nil)
	r.server.Reply("Hello there, this is the answer. 日本語 👋")
	req := ask("Say hello")
	req.System = "Be friendly."
	events, a := collect(t, r.client, context.Background(), req)

	if _, ok := events[0].(RateLimit); !ok {
		t.Fatalf("first event %T, want the RateLimit snapshot: the request went out before the prompt was counted", events[0])
	}
	if p, ok := events[len(events)-2].(Prepared); !ok || p.PromptTokens != a.EstimatedPrompt {
		t.Fatalf("Prepared (%T) does not come before Done with the count", events[len(events)-2])
	}
	var text strings.Builder
	var sawUsage bool
	for _, e := range events {
		switch e := e.(type) {
		case Delta:
			if sawUsage {
				t.Fatal("text after usage")
			}
			text.WriteString(e.Text)
		case UsageReport:
			sawUsage = true
		case Failure, Wait:
			t.Fatalf("unexpected %T", e)
		}
	}
	if text.String() != "Hello there, this is the answer. 日本語 👋" || a.Content != text.String() {
		t.Fatalf("text %q, content %q", text.String(), a.Content)
	}
	if !sawUsage || a.Usage.Estimated || a.Finish != FinishStop || a.Err != nil {
		t.Fatalf("answer %+v", a)
	}
	// Parley's own count agrees with what the server billed.
	if a.Usage.PromptTokens != a.EstimatedPrompt {
		t.Fatalf("reported prompt %d, estimated %d", a.Usage.PromptTokens, a.EstimatedPrompt)
	}
	want := (float64(a.Usage.PromptTokens)*2.5 + float64(a.Usage.CompletionTokens)*10) / 1e6
	if !a.Cost.Known || a.Cost.USD != want {
		t.Fatalf("cost %+v, want %v", a.Cost, want)
	}
	if a.RateLimit == nil || a.RateLimit.LimitRequests != 5000 || a.RateLimit.Model != "gpt-4o" {
		t.Fatalf("rate limit %+v", a.RateLimit)
	}
	if rl, ok := r.client.RateLimits().Latest("/chat/completions", "gpt-4o"); !ok || rl.RemainingRequests != 4999 {
		t.Fatalf("latest %+v %v", rl, ok)
	}
}

func TestWhatIsSentOnTheWire(t *testing.T) {
	zero, half := float32(0), float32(0.5)
	for _, tc := range []struct {
		name   string
		req    Request
		openai bool
		check  func(t *testing.T, c chattest.ChatRequest)
	}{
		{"temperature 0 is really sent", Request{Model: "gpt-4o", Temperature: &zero}, false, func(t *testing.T, c chattest.ChatRequest) {
			if c.Temperature == nil || *c.Temperature != 0 {
				t.Fatalf("temperature %v, raw %s", c.Temperature, c.Raw["temperature"])
			}
		}},
		{"no temperature leaves the default", Request{Model: "gpt-4o"}, false, func(t *testing.T, c chattest.ChatRequest) {
			if _, ok := c.Raw["temperature"]; ok {
				t.Fatal("temperature sent")
			}
		}},
		{"a chosen temperature", Request{Model: "gpt-4o", Temperature: &half}, false, func(t *testing.T, c chattest.ChatRequest) {
			if c.Temperature == nil || *c.Temperature != 0.5 {
				t.Fatalf("temperature %v", c.Temperature)
			}
		}},
		{"reasoning model: no temperature, max_completion_tokens", Request{Model: "o4-mini", Temperature: &zero, MaxOutput: 500}, false, func(t *testing.T, c chattest.ChatRequest) {
			if c.Temperature != nil || c.MaxTokens != nil || c.MaxCompletionTokens == nil || *c.MaxCompletionTokens != 500 {
				t.Fatalf("%s", c.Raw)
			}
		}},
		{"gpt-5 too", Request{Model: "gpt-5-mini", Temperature: &half}, false, func(t *testing.T, c chattest.ChatRequest) {
			if c.Temperature != nil {
				t.Fatal("temperature sent to gpt-5")
			}
		}},
		{"compatible server: max_tokens", Request{Model: "gpt-4o", MaxOutput: 300}, false, func(t *testing.T, c chattest.ChatRequest) {
			if c.MaxTokens == nil || *c.MaxTokens != 300 || c.MaxCompletionTokens != nil {
				t.Fatalf("%s", c.Raw)
			}
		}},
		{"stream with usage, system first", Request{Model: "gpt-4o", System: "sys"}, false, func(t *testing.T, c chattest.ChatRequest) {
			if !c.Stream || c.StreamOptions == nil || !c.StreamOptions.IncludeUsage {
				t.Fatalf("%s", c.Raw)
			}
			if c.Messages[0].Role != "system" || c.Messages[0].Content != "sys" || c.Messages[1].Role != "user" {
				t.Fatalf("%+v", c.Messages)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, chattest.Options{}, func(c *Config) { c.Project = "proj_123"; c.OrgID = "org-9" })
			tc.req.Messages = []Message{{Role: User, Content: "hi"}}
			_, a := collect(t, r.client, context.Background(), tc.req)
			if a.Err != nil {
				t.Fatal(a.Err)
			}
			reqs := r.server.Requests()
			h := reqs[0].Header
			if h.Get("Authorization") != "Bearer "+testKey || h.Get("OpenAI-Project") != "proj_123" || h.Get("OpenAI-Organization") != "org-9" {
				t.Fatalf("headers %v", h)
			}
			c, _ := reqs[0].Chat()
			tc.check(t, c)
		})
	}
}

func TestErrorTable(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fault    *chattest.Fault
		key      string
		model    string
		kind     Kind
		requests int // how many times the request was sent
	}{
		{"wrong key", nil, "sk-wrong-0000000000000000000000", "gpt-4o", InvalidKey, 1},
		{"no access", &chattest.Fault{Kind: chattest.Status, Status: 403}, "", "gpt-4o", NoAccess, 1},
		{"unknown model", nil, "", "gpt-9-turbo", UnknownModel, 1},
		{"unsupported parameter", &chattest.Fault{Kind: chattest.Status, Status: 400, Code: "unsupported_parameter", Message: "Unsupported parameter: 'max_tokens'"}, "", "gpt-4o", UnsupportedParam, 1},
		{"context too long (server)", &chattest.Fault{Kind: chattest.Status, Status: 400, Code: "context_length_exceeded"}, "", "gpt-4o", ContextTooLong, 1},
		{"out of credit", &chattest.Fault{Kind: chattest.Quota, Times: 5}, "", "gpt-4o", OutOfCredit, 1},
		{"spend limit", &chattest.Fault{Kind: chattest.Quota, Code: "monthly_spend_limit_exceeded", Times: 5}, "", "gpt-4o", OutOfCredit, 1},
		{"rate limited, three times", &chattest.Fault{Kind: chattest.RateLimit, Times: 5}, "", "gpt-4o", RateLimited, 3},
		{"server trouble", &chattest.Fault{Kind: chattest.Status, Status: 500, Times: 5}, "", "gpt-4o", ServerTrouble, 3},
		{"overloaded", &chattest.Fault{Kind: chattest.Status, Status: 503, Code: "server_is_overloaded", Times: 5}, "", "gpt-4o", ServerTrouble, 3},
		{"timeout status", &chattest.Fault{Kind: chattest.Status, Status: 408, Times: 5}, "", "gpt-4o", ServerTrouble, 3},
		{"conflict", &chattest.Fault{Kind: chattest.Status, Status: 409, Times: 5}, "", "gpt-4o", ServerTrouble, 3},
		{"other 4xx", &chattest.Fault{Kind: chattest.Status, Status: 422, Times: 5}, "", "gpt-4o", BadRequest, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, chattest.Options{}, func(c *Config) {
				if tc.key != "" {
					c.APIKey = tc.key
				}
			})
			if tc.fault != nil {
				r.server.Fault(*tc.fault)
			}
			req := ask("hi")
			req.Model = tc.model
			events, a := collect(t, r.client, context.Background(), req)
			if a.Err == nil || a.Err.Kind != tc.kind || a.Finish != FinishFailed {
				t.Fatalf("answer %+v err %+v", a, a.Err)
			}
			if n := len(r.server.Requests()); n != tc.requests {
				t.Fatalf("sent %d times, want %d", n, tc.requests)
			}
			if a.Err.Message == "" || a.Err.Action == "" {
				t.Fatalf("no plain words: %+v", a.Err)
			}
			if _, ok := events[len(events)-2].(Failure); !ok {
				t.Fatalf("Failure does not precede Done: %T", events[len(events)-2])
			}
			for _, s := range []string{a.Err.Error(), a.Err.Detail, a.Err.Unwrap().Error()} {
				if strings.Contains(s, testKey) || strings.Contains(s, "sk-wrong") || strings.Contains(s, "sk-") {
					t.Fatalf("error shows a key: %q", s)
				}
			}
		})
	}
}

func TestNetworkTroubleIsRetriedThenExplained(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	clock := newFakeClock()
	c := New(Config{BaseURL: "http://" + addr + "/v1", APIKey: testKey, Now: clock.Now, Sleep: clock.Sleep, Jitter: func() float64 { return 0.5 }}, nil)
	events, a := collect(t, c, context.Background(), ask("hi"))
	if a.Err == nil || a.Err.Kind != NetworkTrouble || !strings.Contains(a.Err.Message, "refused") {
		t.Fatalf("%+v", a.Err)
	}
	// Two retries, waiting 0.5 s and 1 s, each times the jitter (1 - 0.25*0.5).
	want := []time.Duration{437500 * time.Microsecond, 875 * time.Millisecond}
	if got := clock.Slept(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("waits %v, want %v", got, want)
	}
	var waits []Wait
	for _, e := range events {
		if w, ok := e.(Wait); ok {
			waits = append(waits, w)
		}
	}
	if len(waits) != 2 || waits[0].Attempt != 1 || waits[1].Attempt != 2 || waits[0].Duration != want[0] {
		t.Fatalf("wait events %+v", waits)
	}
	if a.Retries != 2 {
		t.Fatalf("retries %d", a.Retries)
	}
}

func TestRetryWaits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault chattest.Fault
		want  []time.Duration
		ok    bool
	}{
		{"retry-after-ms first", chattest.Fault{Kind: chattest.RateLimit, RetryAfterMS: "1500", RetryAfter: "9"}, []time.Duration{1500 * time.Millisecond}, true},
		{"retry-after seconds", chattest.Fault{Kind: chattest.RateLimit, RetryAfter: "3"}, []time.Duration{3 * time.Second}, true},
		{"backoff when none named", chattest.Fault{Kind: chattest.Status, Status: 502, Times: 2}, []time.Duration{500 * time.Millisecond, time.Second}, true},
		{"x-should-retry false wins", chattest.Fault{Kind: chattest.Status, Status: 500, ShouldRetry: "false"}, nil, false},
		{"x-should-retry true on a 400", chattest.Fault{Kind: chattest.Status, Status: 400, ShouldRetry: "true"}, []time.Duration{500 * time.Millisecond}, true},
		{"a wait beyond a minute is told, not slept", chattest.Fault{Kind: chattest.RateLimit, RetryAfter: "600"}, nil, false},
		{"quota is never retried, even when asked", chattest.Fault{Kind: chattest.Quota, ShouldRetry: "true"}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, chattest.Options{}, nil)
			r.server.Fault(tc.fault)
			_, a := collect(t, r.client, context.Background(), ask("hi"))
			if (a.Err == nil) != tc.ok {
				t.Fatalf("err %v", a.Err)
			}
			got := r.clock.Slept()
			if len(got) != len(tc.want) {
				t.Fatalf("waits %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("waits %v, want %v", got, tc.want)
				}
			}
			if tc.name == "a wait beyond a minute is told, not slept" && (a.Err.RetryAfter != 10*time.Minute || !strings.Contains(a.Err.Action, "10m0s")) {
				t.Fatalf("%+v", a.Err)
			}
		})
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	h := http.Header{}
	h.Set("retry-after", now.Add(5*time.Second).Format(http.TimeFormat))
	if d, ok := serverWait(h, now); !ok || d != 5*time.Second {
		t.Fatalf("%v %v", d, ok)
	}
}

func TestBackoffIsCappedAndJittered(t *testing.T) {
	for attempt, want := range map[int]time.Duration{1: 500 * time.Millisecond, 2: time.Second, 3: 2 * time.Second, 5: 8 * time.Second, 9: 8 * time.Second} {
		if got := backoff(attempt, 0); got != want {
			t.Errorf("backoff(%d) = %v, want %v", attempt, got, want)
		}
	}
	if got := backoff(5, 0.999999); got <= 6*time.Second || got > 8*time.Second {
		t.Errorf("jittered backoff %v outside (6s, 8s]", got)
	}
}

func TestPacingFromHeaders(t *testing.T) {
	r := newRig(t, chattest.Options{RPM: 2}, nil)
	for range 2 {
		if _, a := collect(t, r.client, context.Background(), ask("hi")); a.Err != nil {
			t.Fatal(a.Err)
		}
	}
	// The server said 0 requests are left: the client waits instead of firing into a 429.
	events, a := collect(t, r.client, context.Background(), ask("third"))
	if a.Err != nil {
		t.Fatalf("third request failed: %v", a.Err)
	}
	var pacing *Wait
	for _, e := range events {
		if w, ok := e.(Wait); ok && w.Attempt == 0 {
			pacing = &w
		}
	}
	if pacing == nil || pacing.Duration <= 0 || pacing.Duration > 30*time.Second || !strings.Contains(pacing.Reason, "requests per minute") {
		t.Fatalf("pacing wait %+v", pacing)
	}
	if n := len(r.server.Requests()); n != 3 {
		t.Fatalf("%d requests: the client fired into the limit", n)
	}
}

func TestRequestLargerThanTheTokenLimitIsExplained(t *testing.T) {
	r := newRig(t, chattest.Options{TPM: 100}, nil)
	r.server.Reply("ok")
	if _, a := collect(t, r.client, context.Background(), ask("hi")); a.Err != nil {
		t.Fatal(a.Err)
	}
	_, a := collect(t, r.client, context.Background(), ask(strings.Repeat("many words here ", 60)))
	if a.Err == nil || a.Err.Kind != RateLimited || !strings.Contains(a.Err.Message, "tokens per minute") {
		t.Fatalf("%+v", a.Err)
	}
	if n := len(r.server.Requests()); n != 1 {
		t.Fatalf("sent %d", n)
	}
}

func TestStopKeepsThePartialAnswer(t *testing.T) {
	r := newRig(t, chattest.Options{TokensPerSecond: 50}, nil)
	r.server.Reply(strings.Repeat("slow words ", 200))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var content strings.Builder
	var done Answer
	begin := time.Now()
	for e := range r.client.Stream(ctx, ask("hi")) {
		switch e := e.(type) {
		case Delta:
			content.WriteString(e.Text)
			if content.Len() > 20 {
				cancel()
			}
		case Done:
			done = e.Answer
		}
	}
	if time.Since(begin) > 5*time.Second {
		t.Fatal("Stop did not end the stream at once")
	}
	if done.Finish != FinishStopped || done.Err != nil || done.Content == "" || done.Content != content.String() {
		t.Fatalf("%+v", done)
	}
	if !done.Usage.Estimated || done.Usage.CompletionTokens == 0 {
		t.Fatalf("usage of a stopped answer %+v", done.Usage)
	}
}

func TestMidStreamFailures(t *testing.T) {
	long := strings.Repeat("piece ", 30)
	for _, tc := range []struct {
		name     string
		fault    chattest.Fault
		kind     Kind
		finish   Finish
		requests int
	}{
		{"cut after text", chattest.Fault{Kind: chattest.Cut, After: 5}, NetworkTrouble, FinishInterrupted, 1},
		{"error event after text", chattest.Fault{Kind: chattest.ErrorEvent, After: 5}, ServerTrouble, FinishInterrupted, 1},
		{"malformed chunk after text", chattest.Fault{Kind: chattest.Malformed, After: 5}, BadResponse, FinishInterrupted, 1},
		{"stall after text", chattest.Fault{Kind: chattest.Stall, After: 5}, NetworkTrouble, FinishInterrupted, 1},
		{"cut before any text is retried", chattest.Fault{Kind: chattest.Cut, After: 0}, "", FinishStop, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, chattest.Options{}, func(c *Config) { c.IdleTimeout = 200 * time.Millisecond })
			r.server.Reply(long, long)
			r.server.Fault(tc.fault)
			_, a := collect(t, r.client, context.Background(), ask("hi"))
			if a.Finish != tc.finish {
				t.Fatalf("finish %q, want %q (err %v)", a.Finish, tc.finish, a.Err)
			}
			if tc.kind == "" {
				if a.Err != nil || a.Content != long || a.Retries != 1 {
					t.Fatalf("%+v", a)
				}
			} else {
				if a.Err == nil || a.Err.Kind != tc.kind {
					t.Fatalf("err %+v, want %s", a.Err, tc.kind)
				}
				if a.Content == "" || !strings.HasPrefix(long, a.Content) {
					t.Fatalf("partial answer lost: %q", a.Content)
				}
				if !a.Usage.Estimated {
					t.Fatal("an interrupted answer's usage must be estimated")
				}
			}
			if n := len(r.server.Requests()); n != tc.requests {
				t.Fatalf("sent %d times, want %d", n, tc.requests)
			}
		})
	}
}

func TestSplitLinesAndUnicode(t *testing.T) {
	r := newRig(t, chattest.Options{}, nil)
	text := "Ünïcödé 日本語 👩‍💻🚀🇫🇷 한국어 — « quotes » ½≤∞\nnew line\ttab"
	r.server.Reply(text)
	r.server.Fault(chattest.Fault{Kind: chattest.Split})
	_, a := collect(t, r.client, context.Background(), ask("hi"))
	if a.Err != nil || a.Content != text {
		t.Fatalf("%q %v", a.Content, a.Err)
	}
}

func TestServerWithoutUsageOrHeaders(t *testing.T) {
	r := newRig(t, chattest.Options{OmitUsage: true, OmitRateLimitHeaders: true}, nil)
	r.server.Reply("An answer from a bare server.")
	events, a := collect(t, r.client, context.Background(), ask("hi"))
	for _, e := range events {
		if _, ok := e.(RateLimit); ok {
			t.Fatal("a rate-limit snapshot from a server that sent none")
		}
	}
	if a.Err != nil || !a.Usage.Estimated || a.Usage.PromptTokens != a.EstimatedPrompt || a.Usage.CompletionTokens != 7 {
		t.Fatalf("%+v", a.Usage)
	}
	if a.RateLimit != nil {
		t.Fatal("rate limit without headers")
	}
}

func TestReasoningUsage(t *testing.T) {
	r := newRig(t, chattest.Options{}, nil)
	r.server.Reply("ok")
	req := ask("think")
	req.Model = "o3"
	_, a := collect(t, r.client, context.Background(), req)
	if a.Err != nil || a.Usage.ReasoningTokens == 0 || a.Usage.CompletionTokens <= a.Usage.ReasoningTokens {
		t.Fatalf("%+v %v", a.Usage, a.Err)
	}
}

func TestContextFittingDropsOldMessages(t *testing.T) {
	r := newRig(t, chattest.Options{}, func(c *Config) {
		c.Models = func(string) ModelInfo { return ModelInfo{ContextWindow: 600, MaxOutput: 100} }
	})
	var msgs []Message
	for i := range 20 {
		role := User
		if i%2 == 1 {
			role = Assistant
		}
		msgs = append(msgs, Message{Role: role, Content: strings.Repeat("old words ", 20)})
	}
	msgs = append(msgs, Message{Role: User, Content: "the newest question"})
	events, a := collect(t, r.client, context.Background(), Request{Model: "gpt-4o", System: "the system prompt", Messages: msgs})
	var prep Prepared
	for _, e := range events {
		if p, ok := e.(Prepared); ok {
			prep = p
		}
	}
	if a.Err != nil || prep.Dropped == 0 || a.Dropped != prep.Dropped || prep.PromptTokens+100 > 600 {
		t.Fatalf("prepared %+v, err %v", prep, a.Err)
	}
	sent, _ := r.server.Requests()[0].Chat()
	if sent.Messages[0].Role != "system" || sent.Messages[1].Role != "user" || sent.LastUser() != "the newest question" {
		t.Fatalf("sent %+v", sent.Messages)
	}
	if len(sent.Messages) != 1+len(msgs)-prep.Dropped {
		t.Fatalf("sent %d messages, dropped %d of %d", len(sent.Messages), prep.Dropped, len(msgs))
	}
	if sent.Messages[0].Content != "the system prompt" {
		t.Fatal("system prompt dropped")
	}
}

func TestTooLongMessageIsRefusedBeforeSending(t *testing.T) {
	r := newRig(t, chattest.Options{}, func(c *Config) {
		c.Models = func(string) ModelInfo { return ModelInfo{ContextWindow: 300} }
	})
	_, a := collect(t, r.client, context.Background(), ask(strings.Repeat("far too long ", 200)))
	if a.Err == nil || a.Err.Kind != ContextTooLong || !strings.Contains(a.Err.Message, "too long") {
		t.Fatalf("%+v", a.Err)
	}
	if len(r.server.Requests()) != 0 {
		t.Fatal("sent anyway")
	}
}

func TestModelsAreFiltered(t *testing.T) {
	r := newRig(t, chattest.Options{}, nil)
	ids, err := r.client.Models(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(ids, " ")
	want := "chatgpt-4o-latest gpt-3.5-turbo gpt-4.1 gpt-4.1-mini gpt-4.1-nano gpt-4o gpt-4o-mini gpt-5 gpt-5-mini gpt-5-nano o3 o4-mini"
	if got != want {
		t.Fatalf("models\n got %s\nwant %s", got, want)
	}
	if _, ok := r.client.RateLimits().Latest("/models", ""); !ok {
		t.Fatal("the models call's rate-limit headers were not kept")
	}
	bad := newRig(t, chattest.Options{}, func(c *Config) { c.APIKey = "sk-nope-1234567890" })
	if _, err := bad.client.Models(context.Background()); err == nil || err.(*Error).Kind != InvalidKey {
		t.Fatalf("err %v", err)
	}
}

// An answer is finished only when the protocol says so (a finish_reason, or "data: [DONE]"):
// a body that merely ends is an interrupted answer, whatever its framing.
func TestAnswerIsFinishedOnlyWhenTheProtocolSaysSo(t *testing.T) {
	long := strings.Repeat("piece ", 30)
	for _, tc := range []struct {
		name   string
		opts   chattest.Options
		fault  *chattest.Fault
		finish Finish
	}{
		{"chunked body that ends cleanly mid-answer", chattest.Options{}, &chattest.Fault{Kind: chattest.Truncate, After: 5}, FinishInterrupted},
		{"close-delimited body cut mid-answer", chattest.Options{Framing: chattest.CloseDelimited}, &chattest.Fault{Kind: chattest.Cut, After: 5}, FinishInterrupted},
		{"close-delimited whole answer", chattest.Options{Framing: chattest.CloseDelimited}, nil, FinishStop},
		{"finish_reason without [DONE]", chattest.Options{OmitDone: true}, nil, FinishStop},
		{"[DONE] without finish_reason", chattest.Options{OmitFinishReason: true}, nil, FinishStop},
		{"neither, close-delimited", chattest.Options{OmitDone: true, OmitFinishReason: true, Framing: chattest.CloseDelimited}, nil, FinishInterrupted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, tc.opts, nil)
			r.server.Reply(long)
			if tc.fault != nil {
				r.server.Fault(*tc.fault)
			}
			events, a := collect(t, r.client, context.Background(), ask("hi"))
			if a.Finish != tc.finish {
				t.Fatalf("finish %q, want %q (err %v)", a.Finish, tc.finish, a.Err)
			}
			if tc.finish == FinishStop {
				if a.Err != nil || a.Content != long {
					t.Fatalf("%+v", a)
				}
				return
			}
			if a.Err == nil || a.Err.Kind != NetworkTrouble || !strings.Contains(a.Err.Message, "before the answer was finished") {
				t.Fatalf("err %+v", a.Err)
			}
			if a.Content == "" || !strings.HasPrefix(long, a.Content) || a.Content == long && tc.fault != nil {
				t.Fatalf("content %q", a.Content)
			}
			// Cut before the usage chunk, the usage is Parley's count; a server that sent usage
			// but no end is believed on the figures.
			if a.Usage.Estimated != (tc.fault != nil) || a.Usage.CompletionTokens == 0 {
				t.Fatalf("usage %+v", a.Usage)
			}
			if _, ok := events[len(events)-2].(Failure); !ok {
				t.Fatalf("no Failure before Done: %T", events[len(events)-2])
			}
			if n := len(r.server.Requests()); n != 1 {
				t.Fatalf("sent %d times: text had been shown, it must not be retried", n)
			}
		})
	}
	t.Run("a body that ends before any text is retried", func(t *testing.T) {
		r := newRig(t, chattest.Options{}, nil)
		r.server.Reply(long, long)
		r.server.Fault(chattest.Fault{Kind: chattest.Truncate, After: 0})
		_, a := collect(t, r.client, context.Background(), ask("hi"))
		if a.Finish != FinishStop || a.Content != long || a.Retries != 1 {
			t.Fatalf("%+v", a)
		}
	})
}

// A server that wants a key, asked without one, is not told it got a wrong key.
func TestServerThatNeedsAKeyIsToldSo(t *testing.T) {
	r := newRig(t, chattest.Options{}, func(c *Config) { c.APIKey = "" })
	_, a := collect(t, r.client, context.Background(), ask("hi"))
	if a.Err == nil || a.Err.Kind != InvalidKey || strings.Contains(a.Err.Message, "wrong or revoked") || !strings.Contains(a.Err.Message, "needs an API key") {
		t.Fatalf("%+v", a.Err)
	}
	if _, err := r.client.Models(context.Background()); err == nil || !strings.Contains(err.Error(), "needs an API key") {
		t.Fatalf("models: %v", err)
	}
}

// slowToSend is a transport that takes its time before a request goes out.
type slowToSend struct {
	base    http.RoundTripper
	wait    time.Duration
	writing atomic.Bool // the request has been handed to the base transport
}

func (s *slowToSend) RoundTrip(req *http.Request) (*http.Response, error) {
	time.Sleep(s.wait)
	s.writing.Store(true)
	return s.base.RoundTrip(req)
}

// The exact count of a prompt that surely fits is made once the request has been written, while
// the model thinks: loading a tokenizer is a hundred milliseconds of CPU that would otherwise
// compete with sending the request. An answer that fails before anything could be sent is
// still counted.
func TestThePromptIsCountedOnceTheRequestIsOnItsWay(t *testing.T) {
	slow := &slowToSend{base: http.DefaultTransport, wait: 50 * time.Millisecond}
	r := newRig(t, chattest.Options{}, func(c *Config) { c.Transport = slow })
	var countedWhileWriting []bool
	var mu sync.Mutex
	counted := func(req Request) (Fit, error) {
		mu.Lock()
		countedWhileWriting = append(countedWhileWriting, slow.writing.Load())
		mu.Unlock()
		return r.client.Fit(req)
	}
	r.client.countPrompt = counted
	r.server.Reply("Fine.")
	_, a := collect(t, r.client, context.Background(), ask("How are you?"))
	if a.Err != nil || a.EstimatedPrompt == 0 || a.EstimatedPrompt != a.Usage.PromptTokens {
		t.Fatalf("answer %+v", a)
	}
	if len(countedWhileWriting) != 1 || !countedWhileWriting[0] {
		t.Fatalf("counted %d times, after the request was handed on: %v", len(countedWhileWriting), countedWhileWriting)
	}

	// Nothing listens: the request is never written, and the answer still ends with its count.
	closed := New(Config{BaseURL: "http://127.0.0.1:1/v1", APIKey: testKey, MaxRetries: -1, Models: func(string) ModelInfo { return gpt4o }}, nil)
	_, a = collect(t, closed, context.Background(), ask("How are you?"))
	if a.Err == nil || a.EstimatedPrompt == 0 {
		t.Fatalf("answer %+v", a)
	}
}
