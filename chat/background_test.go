package chat

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"parley/chat/chattest"
)

func backgroundRig(t *testing.T, opts chattest.Options) *rig {
	t.Helper()
	return protocolRig(t, APIResponses, opts, nil)
}

func backgroundAsk(text string) Request {
	return Request{Model: "gpt-5.6-sol", Effort: "high", Background: true, Messages: []Message{{Role: User, Content: text}}}
}

// requestsTo counts the server's requests by method and path kind.
func requestsTo(s *chattest.Server) (creates, reattaches, polls int, queries []string) {
	for _, r := range s.Requests() {
		switch {
		case r.Method == "POST" && r.Path == "/v1/responses":
			creates++
		case r.Method == "GET" && strings.HasPrefix(r.Path, "/v1/responses/") && strings.Contains(r.Query, "stream=true"):
			reattaches++
			queries = append(queries, r.Query)
		case r.Method == "GET" && strings.HasPrefix(r.Path, "/v1/responses/"):
			polls++
		}
	}
	return
}

// A background question goes out with background and store, names its response at once, and
// streams as any other.
func TestBackgroundAnswerStreams(t *testing.T) {
	r := backgroundRig(t, chattest.Options{})
	r.server.Reply("A long think, then this.")
	events, a := collect(t, r.client, context.Background(), backgroundAsk("think"))
	if a.Finish != FinishStop || a.Content != "A long think, then this." || a.ResponseID == "" || a.Err != nil || a.Usage.Estimated {
		t.Fatalf("%+v", a)
	}
	var bg []Background
	for _, e := range events {
		if b, ok := e.(Background); ok {
			bg = append(bg, b)
		}
	}
	if len(bg) < 1 || bg[0].ID != a.ResponseID || bg[0].Status != "queued" {
		t.Fatalf("background events %+v", bg)
	}
	req := r.server.Requests()[0]
	var body map[string]any
	json.Unmarshal(req.Body, &body)
	if body["background"] != true || body["store"] != true || body["stream"] != true {
		t.Fatalf("sent %s", req.Body)
	}
}

// A background stream that breaks is picked up where it stopped: every word once, never asked
// (or paid) twice.
func TestBackgroundStreamIsPickedUpAfterACut(t *testing.T) {
	r := backgroundRig(t, chattest.Options{})
	text := "One two three four five six seven eight nine ten eleven twelve."
	r.server.Reply(text)
	r.server.Fault(chattest.Fault{Kind: chattest.Cut, After: 4, Path: "/v1/responses"})
	_, a := collect(t, r.client, context.Background(), backgroundAsk("count"))
	if a.Finish != FinishStop || a.Content != text || a.Err != nil {
		t.Fatalf("%+v", a)
	}
	creates, reattaches, polls, queries := requestsTo(r.server)
	if creates != 1 || reattaches != 1 || polls != 0 || !strings.Contains(queries[0], "starting_after=") {
		t.Fatalf("creates %d, re-attaches %d %v, polls %d", creates, reattaches, queries, polls)
	}
	if len(a.Items) == 0 || a.Usage.CompletionTokens == 0 {
		t.Fatalf("items %d usage %+v", len(a.Items), a.Usage)
	}
}

// Where the stream cannot be had again, the response is polled: the first wait 2 s, each next
// one half as long again while nothing new comes, never over 30 s, and a 429's wait honoured.
func TestBackgroundPollingBacksOff(t *testing.T) {
	r := backgroundRig(t, chattest.Options{BackgroundQueue: time.Minute, BackgroundRun: 3 * time.Minute})
	r.server.Reply("Done at last.")
	r.server.Fault(
		chattest.Fault{Kind: chattest.Cut, After: 0, Path: "/v1/responses"},
		chattest.Fault{Kind: chattest.Status, Status: 400, Message: "This response cannot be streamed.", Path: chattest.ResponseByIDPath},
	)
	_, a := collect(t, r.client, context.Background(), backgroundAsk("wait"))
	if a.Finish != FinishStop || a.Content != "Done at last." || a.Err != nil || a.Usage.Estimated {
		t.Fatalf("%+v", a)
	}
	slept := r.clock.Slept()
	t.Logf("waits %v", slept)
	if len(slept) < 5 || slept[0] != 2*time.Second || slept[1] != 3*time.Second {
		t.Fatalf("waits %v", slept)
	}
	for i, d := range slept {
		if d < 2*time.Second || d > 30*time.Second {
			t.Fatalf("wait %d is %v", i, d)
		}
		if i > 0 && d < slept[i-1] {
			t.Fatalf("waits shrink: %v", slept)
		}
	}
	if slept[len(slept)-1] != 30*time.Second {
		t.Fatalf("never reached the ceiling: %v", slept)
	}
	creates, _, polls, _ := requestsTo(r.server)
	if creates != 1 || polls < 4 {
		t.Fatalf("creates %d polls %d", creates, polls)
	}
}

// ResumeBackground finishes an answer a Parley left: polling while it is queued, through a 429
// (its wait honoured) and a 500, then reading it whole, with its reasoning carried.
func TestResumeBackgroundPollsThroughTrouble(t *testing.T) {
	r := backgroundRig(t, chattest.Options{BackgroundQueue: 10 * time.Second, BackgroundRun: 20 * time.Second})
	r.server.Reply("Resumed whole.")
	id := createBackground(t, r, false)
	r.server.Fault(
		chattest.Fault{Kind: chattest.RateLimit, RetryAfter: "20", Path: chattest.ResponseByIDPath},
		chattest.Fault{Kind: chattest.Status, Status: 500, Path: chattest.ResponseByIDPath},
	)
	var events []Event
	for e := range r.client.ResumeBackground(context.Background(), backgroundAsk("resume"), id) {
		events = append(events, e)
	}
	a := events[len(events)-1].(Done).Answer
	if a.Finish != FinishStop || a.Content != "Resumed whole." || a.Err != nil || a.ResponseID != id || a.Usage.Estimated || !a.Cost.Known {
		t.Fatalf("%+v", a)
	}
	var delta string
	for _, e := range events {
		if d, ok := e.(Delta); ok {
			delta += d.Text
		}
	}
	if delta != "Resumed whole." {
		t.Fatalf("deltas %q", delta)
	}
	if slept := r.clock.Slept(); len(slept) == 0 || slept[0] != 20*time.Second {
		t.Fatalf("the 429's wait was not honoured: %v", slept)
	}
	hasReasoning := false
	for _, it := range a.Items {
		hasReasoning = hasReasoning || strings.Contains(string(it), "encrypted_content")
	}
	if !hasReasoning {
		t.Fatalf("items %s", a.Items)
	}
}

// createBackground makes a background response the way a Parley that then quit would have.
func createBackground(t testing.TB, r *rig, stream bool) string {
	t.Helper()
	body := `{"model":"gpt-5.6-sol","input":"go","background":true,"store":true,"reasoning":{"effort":"high","summary":"auto"},"include":["reasoning.encrypted_content"],"stream":` + map[bool]string{true: "true", false: "false"}[stream] + `}`
	req, _ := http.NewRequest("POST", r.url+"/v1/responses", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testKey)
	resp, err := r.client.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if stream {
		ev, err := (&sseReader{r: bufioReader(resp.Body)}).next()
		if err != nil {
			t.Fatal(err)
		}
		return ev.Response.ID
	}
	var o struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&o)
	if o.ID == "" {
		t.Fatal("no id")
	}
	return o.ID
}

// A response that fails, is cancelled, or expired on the server ends the answer in plain words,
// with its id where it is gone.
func TestBackgroundEndsOnTheServer(t *testing.T) {
	for _, c := range []struct {
		name   string
		end    func(r *rig, id string)
		finish Finish
		says   string
	}{
		{"failed", func(r *rig, id string) { r.server.EndBackground(id, "server_error", "The model crashed.") }, FinishFailed, "server"},
		{"cancelled", func(r *rig, id string) { r.server.EndBackground(id, "cancelled", "") }, FinishStopped, "cancelled on OpenAI"},
		{"expired", func(r *rig, id string) { r.clock.Sleep(context.Background(), 2*time.Hour) }, FinishFailed, "expired"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := backgroundRig(t, chattest.Options{BackgroundRun: time.Hour, BackgroundTTL: time.Hour})
			r.server.Reply("never read")
			id := createBackground(t, r, false)
			c.end(r, id)
			var a Answer
			for e := range r.client.ResumeBackground(context.Background(), backgroundAsk("x"), id) {
				if d, ok := e.(Done); ok {
					a = d.Answer
				}
			}
			if a.Finish != c.finish || a.Err == nil || !strings.Contains(a.Err.UserMessage(), c.says) {
				t.Fatalf("%s: %+v %v", c.name, a, a.Err)
			}
			if c.name == "expired" && !strings.Contains(a.Err.Message, id) {
				t.Fatalf("no id in %q", a.Err.Message)
			}
		})
	}
}

// Leaving (Stop on the command line, quitting) leaves the response running on OpenAI; Cancel
// cancels it there.
func TestLeavingAndCancellingABackgroundAnswer(t *testing.T) {
	r := backgroundRig(t, chattest.Options{BackgroundRun: time.Hour, TokensPerSecond: 20, TokensPerChunk: 1})
	r.server.Reply(strings.Repeat("slowly ", 40))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var a Answer
	for e := range r.client.Stream(ctx, backgroundAsk("slow")) {
		switch e := e.(type) {
		case Delta:
			cancel()
		case Done:
			a = e.Answer
		}
	}
	if a.Finish != FinishBackground || a.ResponseID == "" || a.Err != nil {
		t.Fatalf("%+v", a)
	}
	if st := statusOf(t, r, a.ResponseID); st != "in_progress" {
		t.Fatalf("left as %s", st)
	}
	if err := r.client.CancelBackground(context.Background(), a.ResponseID); err != nil {
		t.Fatal(err)
	}
	if st := statusOf(t, r, a.ResponseID); st != "cancelled" {
		t.Fatalf("cancelled as %s", st)
	}
	if err := r.client.CancelBackground(context.Background(), "resp_gone"); err != nil {
		t.Fatalf("cancelling what is gone: %v", err)
	}
}

func statusOf(t *testing.T, r *rig, id string) string {
	t.Helper()
	resp, err := r.client.api.RetrieveResponse(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return string(resp.Status)
}

func bufioReader(r io.Reader) *bufio.Reader { return bufio.NewReader(r) }

// BenchmarkBackgroundPolling follows one answer the server makes for ten minutes and will not
// stream again, on the fake clock: the requests of the first minute, and of the last five.
func BenchmarkBackgroundPolling(b *testing.B) {
	for range b.N {
		r := protocolRig(b, APIResponses, chattest.Options{BackgroundRun: 10 * time.Minute, BackgroundTTL: time.Hour}, nil)
		r.server.Reply("done")
		id := createBackground(b, r, false)
		start := r.clock.Now()
		for range r.client.ResumeBackground(context.Background(), backgroundAsk("x"), id) {
		}
		first, last := 0, 0
		for _, req := range r.server.Requests() {
			at := req.Time.Sub(start)
			switch {
			case req.Method != "GET":
			case at < time.Minute:
				first++
			case at >= 5*time.Minute:
				last++
			}
		}
		b.ReportMetric(float64(first), "requests/first-minute")
		b.ReportMetric(float64(last)/5, "requests/minute-after-5")
	}
}
