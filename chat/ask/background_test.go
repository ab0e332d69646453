package ask

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/chat"
	"parley/chat/chattest"
	"parley/chat/store"
)

// backgroundRig speaks the Responses API, with a slow server: answers stay being made long
// enough to leave them.
func backgroundRig(t *testing.T, opts chattest.Options) *rig {
	t.Helper()
	opts.Models = append([]string{"gpt-5.6-sol"}, chattest.DefaultModels...)
	r := newRig(t, opts)
	r.client = chat.New(chat.Config{BaseURL: r.client.BaseURL(), APIKey: testKey, API: chat.APIResponses,
		Models: func(string) chat.ModelInfo {
			return chat.ModelInfo{ContextWindow: 1_050_000, Reasoning: true, Price: chat.Price{Input: 5, Output: 30, Known: true}}
		}, Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }}, nil)
	return r
}

func backgroundQuestion(text string) Exchange {
	x := newQuestion(text)
	x.Conversation.Model, x.Background = "gpt-5.6-sol", true
	return x
}

// leave starts a background question and stops reading it at its first words, as Ctrl+C does.
func (r *rig) leave(t *testing.T, x Exchange) Finished {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run, err := r.asker.Start(ctx, r.client, x)
	if err != nil {
		t.Fatal(err)
	}
	var f Finished
	for e := range run.Events() {
		switch e := e.(type) {
		case chat.Delta:
			cancel()
		case Finished:
			f = e
		}
	}
	return f
}

// A background answer is saved with its response as soon as the server names it; stopped in
// the window it is cancelled on OpenAI; left (the command line's Ctrl+C) it is pending, not
// counted yet, and another Parley finishes it, saving and counting it once.
func TestBackgroundAnswersAreFinishedOnce(t *testing.T) {
	r := backgroundRig(t, chattest.Options{TokensPerSecond: 40, TokensPerChunk: 1, BackgroundRun: time.Hour})
	answer := strings.Repeat("word ", 60)
	r.server.Reply(answer, answer)

	stopped := r.leave(t, backgroundQuestion("Stop me."))
	if stopped.Answer.Finish != chat.FinishStopped || stopped.Message.ResponseID == "" {
		t.Fatalf("stopped: %+v", stopped.Message)
	}
	if st := r.server.BackgroundStatus(stopped.Message.ResponseID); st != "cancelled" {
		t.Fatalf("the stopped answer is %s on the server", st)
	}

	x := backgroundQuestion("Leave me.")
	x.LeaveRunning = true
	left := r.leave(t, x)
	if left.Answer.Finish != chat.FinishBackground || left.Message.ResponseID == "" || !left.Saved {
		t.Fatalf("left: %+v", left)
	}
	if st := r.server.BackgroundStatus(left.Message.ResponseID); st == "cancelled" {
		t.Fatal("left running, but cancelled")
	}
	spent := len(r.spends)
	pending, err := r.asker.Pending()
	if err != nil || len(pending) != 1 || pending[0].ID != left.Message.ID {
		t.Fatalf("pending %+v %v", pending, err)
	}

	// Another Parley (its own store on the same file) and this one both take it up.
	other, err := store.Open(r.hist.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var otherSpends []spend
	otherAsker := New(Deps{History: func() (*store.Store, error) { return other, nil },
		Record: func(p, m string, a chat.Answer) error { otherSpends = append(otherSpends, spend{p, m, a}); return nil }})
	var wg sync.WaitGroup
	results := make([]*Run, 2)
	for i, a := range []*Asker{r.asker, otherAsker} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run, ok, err := a.Follow(context.Background(), r.client, pending[0], Following{})
			if err != nil {
				t.Error(err)
			}
			if ok {
				results[i] = run
			}
		}()
	}
	wg.Wait()
	var run *Run
	for _, x := range results {
		if x != nil {
			if run != nil {
				t.Fatal("both Parleys follow the answer")
			}
			run = x
		}
	}
	if run == nil {
		t.Fatal("nobody follows the answer")
	}
	var f Finished
	for e := range run.Events() {
		if e, ok := e.(Finished); ok {
			f = e
		}
	}
	if f.Answer.Finish != chat.FinishStop || !f.Saved || f.Message.Content != answer {
		t.Fatalf("followed: %+v", f)
	}
	msgs, _ := r.hist.Messages(left.Conversation.ID)
	if got := msgs[len(msgs)-1]; got.Content != answer || got.Finish != chat.FinishStop || got.Usage.Estimated || !got.Cost.Known {
		t.Fatalf("saved %+v", got)
	}
	if n := len(r.spends) - spent + len(otherSpends); n != 1 {
		t.Fatalf("counted %d times", n)
	}
	if p, _ := r.asker.Pending(); len(p) != 0 {
		t.Fatalf("still pending: %d", len(p))
	}
	creates := 0
	for _, req := range r.server.Requests() {
		if req.Method == "POST" && req.Path == "/v1/responses" {
			creates++
		}
	}
	if creates != 2 {
		t.Fatalf("%d questions sent for two", creates)
	}
}
