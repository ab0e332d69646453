package store

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"parley/chat"
)

// A background answer whose writer stopped is neither abandoned nor interrupted: it is pending,
// to be fetched. Two Parleys (two stores on one file) that both take it up: one claims it, the
// other is told no; the one that holds it saves it once, and what it held stays until the
// answer read again is longer.
func TestPendingAnswersAreClaimedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	gui, _ := Open(path)
	cli, _ := Open(path)
	defer gui.Close()
	defer cli.Close()
	clock := &testClock{t: time.Now()}
	for _, s := range []*Store{gui, cli} {
		s.now = clock.now
	}
	c, _ := gui.CreateConversation(Conversation{Title: "deep thought"})
	d, err := gui.StartAnswer(c.ID, "gpt-5.6-sol")
	if err != nil {
		t.Fatal(err)
	}
	d.Append("The answer so far")
	if err := d.SetResponseID("resp_123"); err != nil {
		t.Fatal(err)
	}
	// The writer is killed. Seconds later it shows as being made in the background; it is
	// taken up once its writer has been silent for ClaimStaleAfter.
	close(d.stop)
	<-d.done
	clock.add(10 * time.Second)
	if p, _ := cli.Pending(); len(p) != 0 {
		t.Fatal("taken up while its writer may still be alive")
	}
	clock.add(ClaimStaleAfter)

	if lost, _ := gui.Abandoned(); len(lost) != 0 {
		t.Fatalf("a background answer was taken for abandoned: %+v", lost)
	}
	msgs, _ := cli.Messages(c.ID)
	if msgs[0].Finish != chat.FinishBackground || msgs[0].ResponseID != "resp_123" || msgs[0].Content != "The answer so far" {
		t.Fatalf("shown as %+v", msgs[0])
	}
	pending, err := cli.Pending()
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending %d %v", len(pending), err)
	}
	mine, ok, err := cli.Follow(pending[0])
	if !ok || err != nil {
		t.Fatalf("claim %v %v", ok, err)
	}
	if _, ok, _ := gui.Follow(pending[0]); ok {
		t.Fatal("two Parleys claimed one answer")
	}
	if p, _ := gui.Pending(); len(p) != 0 {
		t.Fatalf("still pending while followed: %d", len(p))
	}
	mine.Append("The")
	m, err := mine.Finish(chat.Answer{Content: "The", Finish: chat.FinishBackground, ResponseID: "resp_123"})
	if err != nil || m.Content != "The answer so far" || m.Finish != chat.FinishBackground {
		t.Fatalf("left again: %+v %v", m, err)
	}
	// Taken up again, and finished.
	pending, _ = gui.Pending()
	again, ok, _ := gui.Follow(pending[0])
	if !ok {
		t.Fatal("not pending after it was left")
	}
	m, err = again.Finish(chat.Answer{Content: "The answer so far, and the rest.", Finish: chat.FinishStop, Usage: chat.Usage{PromptTokens: 10, CompletionTokens: 9}})
	if err != nil || m.Content != "The answer so far, and the rest." {
		t.Fatalf("%+v %v", m, err)
	}
	msgs, _ = cli.Messages(c.ID)
	if msgs[0].Finish != chat.FinishStop || msgs[0].Usage.CompletionTokens != 9 || msgs[0].ResponseID != "resp_123" {
		t.Fatalf("saved as %+v", msgs[0])
	}
	if p, _ := cli.Pending(); len(p) != 0 {
		t.Fatalf("pending after it finished: %d", len(p))
	}
}

// A follower that went silent loses its claim to the Parley that takes the answer up: it then
// saves nothing, and says so.
func TestASilentFollowerLosesItsClaim(t *testing.T) {
	s := openTemp(t)
	clock := &testClock{t: time.Now()}
	s.now = clock.now
	c, _ := s.CreateConversation(Conversation{Title: "x"})
	m, _ := s.Append(Message{ConversationID: c.ID, Role: chat.Assistant, Finish: chat.FinishBackground, ResponseID: "resp_9"})
	first, ok, _ := s.Follow(m)
	if !ok {
		t.Fatal("not claimed")
	}
	clock.add(time.Minute) // it hangs
	second, ok, _ := s.Follow(m)
	if !ok {
		t.Fatal("a silent follower kept its claim")
	}
	if _, err := first.Finish(chat.Answer{Content: "one", Finish: chat.FinishStop}); !errors.Is(err, ErrClaimLost) {
		t.Fatalf("the silent one saved: %v", err)
	}
	if got, err := second.Finish(chat.Answer{Content: "two", Finish: chat.FinishStop}); err != nil || got.Content != "two" {
		t.Fatalf("%+v %v", got, err)
	}
}

// A followed background answer with nothing new is saved only to say its writer is alive, every
// claimHeartbeat, not every second; new text is saved at the next tick.
func TestIdleBackgroundDraftsWriteRarely(t *testing.T) {
	s := openTemp(t)
	clock := &testClock{t: time.Now()}
	s.now = clock.now
	ticks := make(chan time.Time)
	s.ticks = func() (<-chan time.Time, func()) { return ticks, func() {} }
	c, _ := s.CreateConversation(Conversation{Title: "x"})
	d, _ := s.StartAnswer(c.ID, "gpt-5.6-sol")
	d.SetResponseID("resp_1")
	updated := func() time.Time { m, _ := s.Message(d.Message().ID); return m.Updated }
	saved := updated()
	for range 5 {
		clock.add(time.Second)
		ticks <- clock.now()
	}
	ticks <- clock.now() // the fifth is saved (or not) once this one is taken
	if !updated().Equal(saved) {
		t.Fatal("an idle background answer was saved every second")
	}
	clock.add(claimHeartbeat)
	ticks <- clock.now()
	ticks <- clock.now()
	if heartbeat := updated(); !heartbeat.After(saved) {
		t.Fatal("no heartbeat")
	}
	d.Append("new text")
	clock.add(time.Second)
	ticks <- clock.now()
	ticks <- clock.now()
	if m, _ := s.Message(d.Message().ID); m.Content != "new text" {
		t.Fatalf("new text not saved: %q", m.Content)
	}
	d.Finish(chat.Answer{Content: "new text", Finish: chat.FinishStop})
}

// testClock is a clock the test moves while drafts read it from their own goroutines.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
