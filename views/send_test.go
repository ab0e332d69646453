package views

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"parley/chat"
	"parley/chat/chattest"
	"parley/chat/store"
	"parley/views/format"
)

// The counts under the composer describe the very request that is sent, even when the
// conversation holds a system-role message (an imported one).
func TestCountsDescribeTheRequestSent(t *testing.T) {
	m, srv, hist := newTestMain(t, chattest.Options{})
	now := time.Now()
	c, err := hist.Import(store.Conversation{Title: "Imported", Model: "gpt-4o", Created: now, Updated: now}, []store.Message{
		{Role: chat.System, Content: "You are a pirate, and say so in every answer.", Created: now},
		{Role: chat.User, Content: "Hello", Created: now},
		{Role: chat.Assistant, Content: "Arr, hello.", Model: "gpt-4o", Finish: chat.FinishStop, Created: now},
	})
	if err != nil {
		t.Fatal(err)
	}
	m.Open(c.ID)
	v := m.conversation
	settleUntil(t, 5*time.Second, func() bool { return len(v.items) == 3 })
	test.Type(v.composer, "Where is the treasure?")
	settleUntil(t, 10*time.Second, func() bool {
		return strings.Contains(v.counts.String(), "This message: ") && !strings.Contains(v.counts.String(), "This message: 0 ")
	})
	counted := v.counts.String()

	srv.Reply("Under the palm tree.")
	v.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleUntil(t, 10*time.Second, func() bool { return !v.busy && len(v.items) == 5 })
	sent := srv.ChatRequests()[0]
	if len(sent.Messages) != 4 || sent.Messages[0].Role != "system" {
		t.Fatalf("sent %+v", sent.Messages)
	}
	billed := v.items[4].msg.Usage.PromptTokens
	if want := fmt.Sprintf("Request: %s / 128,000 (estimate)", format.Thousands(billed)); !strings.Contains(counted, want) {
		t.Fatalf("counted %q, but the server billed %d prompt tokens", counted, billed)
	}
}

// A cut answer shows as interrupted, with Continue, never as a finished one; Continue adds to it.
func TestCutAnswerShowsInterruptedAndContinues(t *testing.T) {
	m, srv, hist := newTestMain(t, chattest.Options{Framing: chattest.CloseDelimited})
	v := m.conversation
	srv.Reply(strings.Repeat("first part ", 30), "and the rest.")
	srv.Fault(chattest.Fault{Kind: chattest.Cut, After: 6})
	test.Type(v.composer, "Tell me a long story")
	v.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleUntil(t, 10*time.Second, func() bool { return !v.busy && len(v.items) == 2 })
	answer := v.items[1]
	if answer.msg.Finish != chat.FinishInterrupted || answer.msg.Content == "" || !strings.Contains(answer.msg.Error, "before the answer was finished") {
		t.Fatalf("%+v", answer.msg)
	}
	row := newMessageRow(v)
	row.bind(answer)
	w := test.NewTempWindow(t, row)
	w.Resize(fyne.NewSize(700, 300))
	if markup := test.RenderToMarkup(w.Canvas()); !strings.Contains(markup, "Interrupted: ") || !strings.Contains(markup, "Continue") {
		t.Fatalf("no interrupted notice with Continue:\n%s", markup)
	}
	before := answer.msg.Content
	v.continueAnswer(answer)
	settleUntil(t, 10*time.Second, func() bool { return !v.busy })
	if got := v.items[1].msg; got.Content != before+"and the rest." || got.Finish != chat.FinishStop {
		t.Fatalf("continued %+v", got)
	}
	msgs, _ := hist.Messages(v.conv.ID)
	if len(msgs) != 2 || msgs[1].Content != before+"and the rest." {
		t.Fatalf("stored %+v", msgs)
	}
}

// A 50 MB message shows its start, says how long it is, and shows more on request.
func TestAHugeMessageIsFolded(t *testing.T) {
	m, _, hist := newTestMain(t, chattest.Options{})
	huge := strings.Repeat("a log line of no interest ", 50<<20/26)
	c, _ := hist.Import(store.Conversation{Title: "huge", Model: "gpt-4o", Created: time.Now(), Updated: time.Now()}, []store.Message{
		{Role: chat.User, Content: huge, Created: time.Now()},
	})
	m.Open(c.ID)
	v := m.conversation
	settleUntil(t, 30*time.Second, func() bool { return len(v.items) == 1 })
	it := v.items[0]
	shown, folded := it.shown()
	if !folded || len(shown) > foldAt || len(shown) < foldAt-4 {
		t.Fatalf("folded %v, %d bytes shown", folded, len(shown))
	}
	row := newMessageRow(v)
	row.bind(it)
	w := test.NewTempWindow(t, row)
	w.Resize(fyne.NewSize(700, 800))
	if markup := test.RenderToMarkup(w.Canvas()); !strings.Contains(markup, "A long message: 50.0 MB. Showing its first 64 KB.") || !strings.Contains(markup, "Show more") {
		t.Fatal("no fold notice")
	}
	v.unfold(it)
	if more, _ := it.shown(); len(more) <= len(shown) || len(more) > 4*foldAt {
		t.Fatalf("show more: %d bytes", len(more))
	}
}
