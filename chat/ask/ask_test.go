package ask

import (
	"context"
	"errors"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/chat"
	"parley/chat/chattest"
	"parley/chat/store"
)

const testKey = "sk-proj-askTESTkey0123456789abcdefABCD"

var gpt4o = chat.ModelInfo{ContextWindow: 128_000, MaxOutput: 16_384, Price: chat.Price{Input: 2.5, CachedInput: 1.25, Output: 10, Known: true}}

// spend is one Record call.
type spend struct {
	profile, model string
	answer         chat.Answer
}

// rig is a test server, a client for it, a history and an Asker that records usage.
type rig struct {
	server *chattest.Server
	client *chat.Client
	hist   *store.Store
	asker  *Asker

	mu     sync.Mutex
	spends []spend
}

func newRig(t *testing.T, opts chattest.Options) *rig {
	t.Helper()
	opts.Key = testKey
	r := &rig{server: chattest.New(opts)}
	ts := httptest.NewServer(r.server)
	t.Cleanup(ts.Close)
	r.client = chat.New(chat.Config{BaseURL: ts.URL + "/v1", APIKey: testKey, Models: func(string) chat.ModelInfo { return gpt4o },
		Sleep: func(context.Context, time.Duration) error { return nil }}, nil)
	hist, err := store.Open(filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hist.Close() })
	r.hist = hist
	r.asker = New(Deps{
		History: func() (*store.Store, error) { return hist, nil },
		Record: func(profile, model string, a chat.Answer) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.spends = append(r.spends, spend{profile, model, a})
			return nil
		},
	})
	return r
}

// ask runs an exchange to its end and returns its events.
func (r *rig) ask(t *testing.T, ctx context.Context, x Exchange) ([]Event, Finished) {
	t.Helper()
	run, err := r.asker.Start(ctx, r.client, x)
	if err != nil {
		t.Fatal(err)
	}
	var events []Event
	for e := range run.Events() {
		events = append(events, e)
	}
	f, ok := events[len(events)-1].(Finished)
	if !ok {
		t.Fatalf("last event %T, not Finished", events[len(events)-1])
	}
	if f.Message.Content != run.Text() {
		t.Fatalf("Text %q, message %q", run.Text(), f.Message.Content)
	}
	return events, f
}

func newQuestion(text string) Exchange {
	return Exchange{
		Conversation: store.Conversation{Profile: "work", Model: "gpt-4o", SystemPrompt: "Be brief."},
		Messages:     []store.Message{{Role: chat.User, Content: text}},
	}
}

func TestANewConversationIsSavedAsItStreams(t *testing.T) {
	r := newRig(t, chattest.Options{})
	r.server.Reply("Hello **there**.")
	events, f := r.ask(t, context.Background(), newQuestion("Say hello\nand more"))

	var saved *Saved
	var text strings.Builder
	for _, e := range events {
		switch e := e.(type) {
		case Saved:
			saved = &e
		case chat.Delta:
			text.WriteString(e.Text)
		case Warning:
			t.Fatalf("warning %v", e.Err)
		}
	}
	if saved == nil || saved.Conversation.ID == 0 || saved.Question.ID == 0 || saved.Conversation.Title != "Say hello" {
		t.Fatalf("saved %+v", saved)
	}
	if !f.Saved || f.Message.ID == 0 || f.Message.Finish != chat.FinishStop || f.Message.Content != "Hello **there**." || text.String() != f.Message.Content {
		t.Fatalf("finished %+v", f)
	}
	msgs, _ := r.hist.Messages(saved.Conversation.ID)
	if len(msgs) != 2 || msgs[0].Content != "Say hello\nand more" || msgs[1].Content != "Hello **there**." || msgs[1].Usage.Total() == 0 || !msgs[1].Cost.Known {
		t.Fatalf("stored %+v", msgs)
	}
	conv, _ := r.hist.Conversation(saved.Conversation.ID)
	if conv.Profile != "work" || conv.Model != "gpt-4o" || conv.SystemPrompt != "Be brief." {
		t.Fatalf("conversation %+v", conv)
	}
	sent := r.server.ChatRequests()[0]
	if sent.Messages[0].Role != "system" || sent.Messages[0].Content != "Be brief." || sent.LastUser() != "Say hello\nand more" {
		t.Fatalf("sent %+v", sent.Messages)
	}
	if len(r.spends) != 1 || r.spends[0].profile != "work" || r.spends[0].model != "gpt-4o" || r.spends[0].answer.Usage.Total() == 0 {
		t.Fatalf("spends %+v", r.spends)
	}
}

// The failure before the first word is shown, not stored: the question stays, the answer goes.
func TestAFailureBeforeAnyTextIsNotStored(t *testing.T) {
	r := newRig(t, chattest.Options{})
	r.server.Fault(chattest.Fault{Kind: chattest.Quota})
	_, f := r.ask(t, context.Background(), newQuestion("hi"))
	if f.Saved || f.Message.ID != 0 || f.Answer.Err == nil || f.Answer.Err.Kind != chat.OutOfCredit || !strings.Contains(f.Message.Error, "out of credit") {
		t.Fatalf("%+v", f)
	}
	msgs, _ := r.hist.Messages(f.Conversation.ID)
	if len(msgs) != 1 || msgs[0].Role != chat.User {
		t.Fatalf("stored %+v", msgs)
	}
	// The server answered (429): it counts as a request.
	if len(r.spends) != 1 {
		t.Fatalf("spends %+v", r.spends)
	}

	// Asking again sends the saved question without saving it twice.
	r.server.Reply("Now it works.")
	x := newQuestion("")
	x.Conversation = f.Conversation
	x.Messages = msgs
	_, f2 := r.ask(t, context.Background(), x)
	after, _ := r.hist.Messages(f.Conversation.ID)
	if f2.Answer.Err != nil || len(after) != 2 || after[1].Content != "Now it works." {
		t.Fatalf("%+v %+v", f2, after)
	}
}

// Nothing reached the server: nothing is counted.
func TestNoConnectionIsNotCounted(t *testing.T) {
	r := newRig(t, chattest.Options{})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	client := chat.New(chat.Config{BaseURL: "http://" + addr + "/v1", APIKey: testKey, Sleep: func(context.Context, time.Duration) error { return nil }}, nil)
	run, _ := r.asker.Start(context.Background(), client, newQuestion("hi"))
	var f Finished
	for e := range run.Events() {
		if e, ok := e.(Finished); ok {
			f = e
		}
	}
	if f.Answer.Err == nil || f.Answer.Err.Kind != chat.NetworkTrouble || len(r.spends) != 0 {
		t.Fatalf("%+v %+v", f.Answer.Err, r.spends)
	}
}

// A cut answer is saved as interrupted, never as finished, with its text and an estimate.
func TestACutAnswerIsSavedAsInterrupted(t *testing.T) {
	for name, opts := range map[string]chattest.Options{
		"chunked":         {},
		"close-delimited": {Framing: chattest.CloseDelimited},
	} {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, opts)
			r.server.Reply(strings.Repeat("word ", 50))
			kind := chattest.Truncate
			if name == "close-delimited" {
				kind = chattest.Cut
			}
			r.server.Fault(chattest.Fault{Kind: kind, After: 10})
			_, f := r.ask(t, context.Background(), newQuestion("hi"))
			msgs, _ := r.hist.Messages(f.Conversation.ID)
			if len(msgs) != 2 {
				t.Fatalf("%+v", msgs)
			}
			a := msgs[1]
			if a.Finish != chat.FinishInterrupted || a.Content == "" || len(a.Content) >= len(strings.Repeat("word ", 50)) || !a.Usage.Estimated || a.Error == "" {
				t.Fatalf("stored %+v", a)
			}
		})
	}
}

// Continue adds to a stopped answer: the continue prompt is sent, not stored; the usage and
// cost of both parts add up.
func TestContinueAddsToTheStoppedAnswer(t *testing.T) {
	r := newRig(t, chattest.Options{TokensPerSecond: 200})
	r.server.Reply(strings.Repeat("slow ", 100))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run, _ := r.asker.Start(ctx, r.client, newQuestion("Write a lot"))
	var f Finished
	for e := range run.Events() {
		switch e := e.(type) {
		case chat.Delta:
			if len(run.Text()) > 20 {
				cancel()
			}
		case Finished:
			f = e
		}
	}
	if f.Message.Finish != chat.FinishStopped || !f.Saved {
		t.Fatalf("%+v", f)
	}
	first := f.Message
	msgs, _ := r.hist.Messages(f.Conversation.ID)

	r.server.Reply(" and the rest.")
	_, f2 := r.ask(t, context.Background(), Exchange{Conversation: f.Conversation, Messages: msgs, Resume: true})
	after, _ := r.hist.Messages(f.Conversation.ID)
	if len(after) != 2 || after[1].ID != first.ID || after[1].Content != first.Content+" and the rest." || after[1].Finish != chat.FinishStop {
		t.Fatalf("%+v", after)
	}
	if f2.Message.Usage.CompletionTokens <= first.Usage.CompletionTokens || f2.Message.Cost.USD <= first.Cost.USD {
		t.Fatalf("usage did not add up: %+v then %+v", first.Usage, f2.Message.Usage)
	}
	sent := r.server.ChatRequests()[1]
	if sent.LastUser() != ContinuePrompt || sent.Messages[len(sent.Messages)-2].Role != "assistant" {
		t.Fatalf("sent %+v", sent.Messages)
	}
	if _, err := r.asker.Start(context.Background(), r.client, Exchange{Conversation: f.Conversation, Messages: after[:1], Resume: true}); err == nil {
		t.Fatal("continued a question")
	}
}

func TestNoSaveAndABrokenHistory(t *testing.T) {
	r := newRig(t, chattest.Options{})
	r.server.Reply("one", "two")
	x := newQuestion("not saved")
	x.NoSave = true
	_, f := r.ask(t, context.Background(), x)
	if f.Saved || f.Message.Content != "one" || f.Conversation.ID != 0 {
		t.Fatalf("%+v", f)
	}
	if n, _ := r.hist.CountConversations(); n != 0 {
		t.Fatalf("%d conversations saved", n)
	}

	broken := New(Deps{History: func() (*store.Store, error) { return nil, errors.New("the disk is full") }})
	run, _ := broken.Start(context.Background(), r.client, newQuestion("still answered"))
	var warned bool
	for e := range run.Events() {
		switch e := e.(type) {
		case Warning:
			warned = strings.Contains(e.What, "not being saved") && strings.Contains(e.Err.Error(), "disk is full")
		case Finished:
			f = e
		}
	}
	if !warned || f.Message.Content != "two" || f.Saved {
		t.Fatalf("warned %v, %+v", warned, f)
	}
}

// The one request builder: what the composer counts is what is sent.
func TestRequestBuilder(t *testing.T) {
	x := Exchange{
		Conversation: store.Conversation{Model: "gpt-4o", SystemPrompt: "sys"},
		Messages: []store.Message{
			{Role: chat.System, Content: "an imported system message"},
			{Role: chat.User, Content: "q1"},
			{Role: chat.Assistant, Content: ""}, // an error shown where the answer would be
			{Role: chat.User, Content: "q2"},
		},
		MaxOutput: 300,
	}
	req := Request(x)
	if req.Model != "gpt-4o" || req.System != "sys" || req.MaxOutput != 300 || len(req.Messages) != 3 || req.Messages[0].Role != chat.System {
		t.Fatalf("%+v", req)
	}
}
