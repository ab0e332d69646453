package chat

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"parley/chat/chattest"
	"parley/chat/tokens"
)

// sol56 is what the catalog says of gpt-5.6-sol.
var sol56 = ModelInfo{ContextWindow: 1_050_000, MaxOutput: 128_000, Reasoning: true, Pro: true,
	Efforts: []string{"none", "low", "medium", "high", "xhigh", "max"},
	Price:   Price{Input: 5, CachedInput: 0.5, CacheWrite: 6.25, Output: 30, LongAbove: 272_000, LongInput: 2, LongOutput: 1.5, Tiers: map[string]float64{"flex": 0.5, "priority": 2}, Known: true}}

var testModels = append([]string{"gpt-5.6-sol", "gpt-6.2-sol"}, chattest.DefaultModels...)

// protocolRig is a rig that speaks one protocol.
func protocolRig(t testing.TB, api string, opts chattest.Options, tweak func(*Config)) *rig {
	t.Helper()
	if opts.Models == nil {
		opts.Models = testModels
	}
	return newRig(t, opts, func(c *Config) {
		c.API = api
		models := c.Models
		c.Models = func(id string) ModelInfo {
			if strings.HasPrefix(id, "gpt-5.6-sol") {
				return sol56
			}
			return models(id)
		}
		if tweak != nil {
			tweak(c)
		}
	})
}

// path is where a protocol's requests go, for faults.
func path(api string) string {
	if api == APIResponses {
		return "/v1/responses"
	}
	return "/v1/chat/completions"
}

// The same table on both protocols: the engine's promises hold whichever one carries them.
func TestBothProtocols(t *testing.T) {
	long := strings.Repeat("piece ", 30)
	for _, api := range []string{APIChat, APIResponses} {
		t.Run(api, func(t *testing.T) {
			t.Run("a whole answer with its usage", func(t *testing.T) {
				r := protocolRig(t, api, chattest.Options{}, nil)
				r.server.Reply(long)
				events, a := collect(t, r.client, context.Background(), ask("hi"))
				if a.Finish != FinishStop || a.Content != long || a.Err != nil || a.Usage.Estimated || a.Usage.CompletionTokens == 0 || a.API != api {
					t.Fatalf("%+v", a)
				}
				if !a.Cost.Known || a.RateLimit == nil {
					t.Fatalf("cost %+v rate limit %+v", a.Cost, a.RateLimit)
				}
				deltas := 0
				for _, e := range events {
					if _, ok := e.(Delta); ok {
						deltas++
					}
				}
				if deltas < 10 {
					t.Fatalf("%d deltas: not streamed", deltas)
				}
			})
			for _, tc := range []struct {
				name  string
				opts  chattest.Options
				fault chattest.Fault
			}{
				{"a chunked body that ends mid-answer", chattest.Options{}, chattest.Fault{Kind: chattest.Truncate, After: 5}},
				{"a close-delimited body cut mid-answer", chattest.Options{Framing: chattest.CloseDelimited}, chattest.Fault{Kind: chattest.Cut, After: 5}},
				{"a connection dropped mid-answer", chattest.Options{}, chattest.Fault{Kind: chattest.Cut, After: 5}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					r := protocolRig(t, api, tc.opts, nil)
					r.server.Reply(long)
					tc.fault.Path = path(api)
					r.server.Fault(tc.fault)
					_, a := collect(t, r.client, context.Background(), ask("hi"))
					if a.Finish != FinishInterrupted || a.Content == "" || a.Content == long || !a.Usage.Estimated || a.Err == nil {
						t.Fatalf("finish %q content %q err %+v", a.Finish, a.Content, a.Err)
					}
					if n := len(r.server.Requests()); n != 1 {
						t.Fatalf("sent %d times after text was shown", n)
					}
				})
			}
			t.Run("an error event after text interrupts", func(t *testing.T) {
				r := protocolRig(t, api, chattest.Options{}, nil)
				r.server.Reply(long)
				r.server.Fault(chattest.Fault{Kind: chattest.ErrorEvent, After: 3, Path: path(api)})
				_, a := collect(t, r.client, context.Background(), ask("hi"))
				if a.Finish != FinishInterrupted || a.Err == nil || a.Err.Kind != ServerTrouble {
					t.Fatalf("%q %+v", a.Finish, a.Err)
				}
			})
			t.Run("events split across writes", func(t *testing.T) {
				r := protocolRig(t, api, chattest.Options{}, nil)
				r.server.Reply("Ünïcödé 🎉 and more")
				r.server.Fault(chattest.Fault{Kind: chattest.Split, Path: path(api)})
				_, a := collect(t, r.client, context.Background(), ask("hi"))
				if a.Finish != FinishStop || a.Content != "Ünïcödé 🎉 and more" {
					t.Fatalf("%q %q %+v", a.Finish, a.Content, a.Err)
				}
			})
			t.Run("a 429 is waited for and retried", func(t *testing.T) {
				r := protocolRig(t, api, chattest.Options{}, nil)
				r.server.Reply("after the wait")
				r.server.Fault(chattest.Fault{Kind: chattest.RateLimit, RetryAfterMS: "1500", Path: path(api)})
				_, a := collect(t, r.client, context.Background(), ask("hi"))
				if a.Finish != FinishStop || a.Retries != 1 || len(r.clock.Slept()) == 0 || r.clock.Slept()[0] != 1500*time.Millisecond {
					t.Fatalf("%+v slept %v", a, r.clock.Slept())
				}
			})
			t.Run("stop keeps what arrived", func(t *testing.T) {
				r := protocolRig(t, api, chattest.Options{TokensPerSecond: 200}, nil)
				r.server.Reply(strings.Repeat("slow ", 200))
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				var a Answer
				for e := range r.client.Stream(ctx, ask("hi")) {
					switch e := e.(type) {
					case Delta:
						cancel() // Stop at the first word
					case Done:
						a = e.Answer
					}
				}
				if a.Finish != FinishStopped || a.Content == "" || a.Err != nil {
					t.Fatalf("%q %q %+v", a.Finish, a.Content, a.Err)
				}
			})
		})
	}
}

// A reasoning model on the Responses API: its summary streams apart from the answer, its output
// items are kept, its usage counts cache writes and the tier that served it, and the cost
// follows.
func TestReasoningOnTheResponsesAPI(t *testing.T) {
	r := protocolRig(t, APIResponses, chattest.Options{}, nil)
	r.server.Reply("Forty-two.")
	req := Request{Model: "gpt-5.6-sol", System: "Be brief.", Effort: "high", ServiceTier: "flex", Conversation: 7,
		Messages: []Message{{Role: User, Content: strings.Repeat("What is the answer to everything? ", 200)}}}
	events, a := collect(t, r.client, context.Background(), req)
	var thinking strings.Builder
	firstText := -1
	for i, e := range events {
		switch e := e.(type) {
		case Thinking:
			if firstText >= 0 {
				t.Fatal("thinking after the answer began")
			}
			thinking.WriteString(e.Text)
		case Delta:
			if firstText < 0 {
				firstText = i
			}
		}
	}
	if a.Content != "Forty-two." || a.Thinking == "" || a.Thinking != thinking.String() || !strings.Contains(a.Thinking, "Reading the question") {
		t.Fatalf("content %q thinking %q", a.Content, a.Thinking)
	}
	if len(a.Items) != 2 || !strings.Contains(string(a.Items[0]), `"encrypted_content"`) || !strings.Contains(string(a.Items[1]), `"phase":"final_answer"`) {
		t.Fatalf("items %s", a.Items)
	}
	u := a.Usage
	if u.ReasoningTokens != 128 || u.CacheWriteTokens == 0 || u.ServiceTier != "flex" || u.CompletionTokens <= u.ReasoningTokens {
		t.Fatalf("usage %+v", u)
	}
	want := CostOf(u, sol56.Price)
	if a.Cost != want || a.Cost.Parts.TierMultiplier != 0.5 {
		t.Fatalf("cost %+v, want %+v", a.Cost, want)
	}
	sent := r.server.Responses()[0]
	if sent.Store == nil || *sent.Store || sent.Reasoning.Effort != "high" || sent.Reasoning.Summary != "auto" || sent.Instructions != "Be brief." ||
		sent.ServiceTier != "flex" || !strings.Contains(string(sent.Raw["include"]), "reasoning.encrypted_content") ||
		!strings.Contains(string(sent.Raw["prompt_cache_key"]), "parley-conversation-7") {
		t.Fatalf("sent %s", sent.Raw)
	}
}

// The next turn replays the answer's items as they came (reasoning carried statelessly); a
// change of model drops them, and the text goes instead.
func TestReasoningIsCarriedAndDroppedWhenTheModelChanges(t *testing.T) {
	r := protocolRig(t, APIResponses, chattest.Options{}, nil)
	r.server.Reply("First answer.", "Second answer.", "Third answer.")
	first := Request{Model: "gpt-5.6-sol", Messages: []Message{{Role: User, Content: "One?"}}}
	_, a := collect(t, r.client, context.Background(), first)
	answered := Message{Role: Assistant, Content: a.Content, Items: a.Items, ItemsModel: "gpt-5.6-sol"}
	second := first
	second.Messages = append(second.Messages, answered, Message{Role: User, Content: "Two?"})
	if _, b := collect(t, r.client, context.Background(), second); b.Err != nil {
		t.Fatalf("the replayed reasoning was refused: %+v", b.Err)
	}
	input := r.server.Responses()[1].Items
	if len(input) != 4 || input[1]["type"] != "reasoning" || input[1]["encrypted_content"] == nil || input[2]["type"] != "message" || input[2]["status"] != nil {
		t.Fatalf("second turn's input %v", input)
	}
	third := second
	third.Model = "gpt-6.2-sol"
	if _, c := collect(t, r.client, context.Background(), third); c.Err != nil {
		t.Fatalf("a model change failed: %+v", c.Err)
	}
	for _, it := range r.server.Responses()[2].Items {
		if it["type"] == "reasoning" {
			t.Fatal("another model's reasoning was sent")
		}
	}
}

// An answer that spent its output budget thinking ends cut short with no text, and says so.
func TestThinkingThatTakesTheWholeBudget(t *testing.T) {
	r := protocolRig(t, APIResponses, chattest.Options{}, nil)
	_, a := collect(t, r.client, context.Background(), Request{Model: "gpt-5.6-sol", Effort: "max", MaxOutput: 100, Messages: []Message{{Role: User, Content: "Prove it."}}})
	if a.Finish != FinishLength || a.Content != "" || a.Usage.ReasoningTokens != 100 || a.Usage.Estimated {
		t.Fatalf("%q %q %+v", a.Finish, a.Content, a.Usage)
	}
}

// An effort the model refuses is a plain-words error, never retried.
func TestARejectedEffortIsExplained(t *testing.T) {
	r := protocolRig(t, APIResponses, chattest.Options{}, nil)
	_, a := collect(t, r.client, context.Background(), Request{Model: "gpt-6.2-sol", Effort: "none", Messages: []Message{{Role: User, Content: "hi"}}})
	if a.Err == nil || a.Err.Kind != UnsupportedParam || !strings.Contains(a.Err.Detail, "'none'") || a.Retries != 0 {
		t.Fatalf("%+v", a.Err)
	}
}

// Automatic talks the Responses API to OpenAI, and falls back to Chat Completions, once and for
// good, where /v1/responses is not there.
func TestAutomaticFallsBackWhereThereIsNoResponsesAPI(t *testing.T) {
	for _, noResponses := range []bool{false, true} {
		s := chattest.New(chattest.Options{Key: testKey, NoResponses: noResponses})
		ts := httptest.NewServer(s)
		t.Cleanup(ts.Close)
		target, _ := url.Parse(ts.URL)
		told := 0
		c := New(Config{BaseURL: "https://api.openai.com/v1", APIKey: testKey, Transport: rewrite{target},
			Models: func(string) ModelInfo { return gpt4o }, OnNoResponses: func() { told++ }}, nil)
		if c.API() != APIResponses {
			t.Fatal("OpenAI is not asked through the Responses API")
		}
		s.Reply("one", "two")
		_, a := collect(t, c, context.Background(), ask("hi"))
		_, b := collect(t, c, context.Background(), ask("again"))
		if a.Content != "one" || b.Content != "two" || a.Retries != 0 {
			t.Fatalf("%+v %+v", a, b)
		}
		wantAPI, wantTold, wantRequests := APIResponses, 0, 2
		if noResponses {
			wantAPI, wantTold, wantRequests = APIChat, 1, 3 // one 404, then Chat Completions
		}
		if a.API != wantAPI || b.API != wantAPI || told != wantTold || len(s.Requests()) != wantRequests {
			t.Fatalf("no responses %v: api %s %s, told %d, %d requests", noResponses, a.API, b.API, told, len(s.Requests()))
		}
	}
}

// rewrite sends every request to a test server, as if it were the real host.
type rewrite struct{ to *url.URL }

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = r.to.Scheme, r.to.Host
	return http.DefaultTransport.RoundTrip(req)
}

// The exact count comes from the server, for the request as it will be sent, with only the
// fields the counting endpoint takes.
func TestCountExact(t *testing.T) {
	r := protocolRig(t, APIResponses, chattest.Options{}, nil)
	req := Request{Model: "gpt-5.6-sol", System: "Be brief.", Effort: "low", MaxOutput: 500, ServiceTier: "flex", Conversation: 3,
		Messages: []Message{{Role: User, Content: "How many tokens is this question?"}}}
	n, err := r.client.CountExact(context.Background(), req)
	if err != nil || n < 10 || n > 40 {
		t.Fatalf("%d %v", n, err)
	}
	chat := protocolRig(t, APIChat, chattest.Options{}, nil)
	if _, err := chat.client.CountExact(context.Background(), req); err != ErrNoExactCount {
		t.Fatalf("chat completions counted: %v", err)
	}
}

// After the server compacts a conversation, the next turns send the compaction item and what
// followed it, not what it stands for.
func TestCompactionItemsStandForWhatCameBefore(t *testing.T) {
	items := func(raw ...string) []json.RawMessage {
		var out []json.RawMessage
		for _, r := range raw {
			out = append(out, json.RawMessage(r))
		}
		return out
	}
	msgs := []Message{
		{Role: User, Content: "old question"},
		{Role: Assistant, Content: "old answer"},
		{Role: User, Content: "long question"},
		{Role: Assistant, Content: "answer", ItemsModel: "gpt-5.6-sol", Items: items(
			`{"id":"cmp_1","type":"compaction","encrypted_content":"gAAAABx"}`,
			`{"id":"msg_1","type":"message","role":"assistant","status":"completed","content":[{"type":"output_text","text":"answer"}]}`)},
		{Role: User, Content: "new question"},
	}
	got, _ := inputItems("gpt-5.6-sol", msgs)
	if len(got) != 3 || got[0].(map[string]any)["type"] != "compaction" || got[2].(map[string]any)["content"] != "new question" {
		t.Fatalf("%v", got)
	}
	if all, _ := inputItems("gpt-6.2-sol", msgs); len(all) != 5 {
		t.Fatalf("another model got %d items, want the five messages as text", len(all))
	}
}

// A conversation that nears the context window is compacted by the server: the answer brings a
// compaction item, and the next turn sends it in place of what came before.
func TestServerCompactionEndToEnd(t *testing.T) {
	small := sol56
	small.ContextWindow, small.MaxOutput = 2_000, 400 // compacts past 1,400 tokens
	r := protocolRig(t, APIResponses, chattest.Options{ContextWindows: map[string]int{"gpt-5.6-sol": 2_000}}, func(c *Config) {
		c.Models = func(string) ModelInfo { return small }
	})
	r.server.Reply("Noted.", "Still here.")
	long := Message{Role: User, Content: strings.Repeat("a fact worth keeping ", 370)}
	_, a := collect(t, r.client, context.Background(), Request{Model: "gpt-5.6-sol", Messages: []Message{long}})
	if a.Err != nil || len(a.Items) == 0 || !strings.Contains(string(a.Items[0]), `"type":"compaction"`) {
		t.Fatalf("%+v items %s", a.Err, a.Items)
	}
	next := Request{Model: "gpt-5.6-sol", Messages: []Message{long,
		{Role: Assistant, Content: a.Content, Items: a.Items, ItemsModel: "gpt-5.6-sol"}, {Role: User, Content: "And now?"}}}
	if _, b := collect(t, r.client, context.Background(), next); b.Err != nil {
		t.Fatalf("%+v", b.Err)
	}
	input := r.server.Responses()[1].Items
	if input[0]["type"] != "compaction" || len(input) != 4 { // compaction, reasoning, message, the question
		t.Fatalf("the next turn sent %d items, starting %v", len(input), input[0]["type"])
	}
}

// BenchmarkResponsesPerEvent is the engine's cost per streamed text event on the Responses API
// (client and local server together), beside BenchmarkStreamPerChunk's Chat Completions chunk.
func BenchmarkResponsesPerEvent(b *testing.B) {
	r := newRig(b, chattest.Options{RPM: 1 << 30, TPM: 1 << 40}, func(c *Config) { c.API = APIResponses })
	answer := strings.Repeat("streaming word ", 1000)
	n, _ := tokens.Default().Text(tokens.O200k, answer)
	b.ResetTimer()
	for range b.N {
		r.server.Reply(answer)
		events := 0
		for e := range r.client.Stream(context.Background(), ask("go")) {
			if _, ok := e.(Delta); ok {
				events++
			}
		}
		if events < n/2 {
			b.Fatalf("%d events for %d tokens", events, n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
}
