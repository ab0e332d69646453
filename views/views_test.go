package views

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"parley/chat"
	"parley/chat/chattest"
	"parley/chat/store"
	"parley/views/widgets"
)

const richAnswer = "## Heading\n\nA paragraph with **bold**, *italic* and `code`.\n\n- first\n- second\n  1. nested\n\n| Model | Context |\n|---|---:|\n| gpt-4o | 128,000 |\n| gpt-4.1 | 1,047,576 |\n\n```go\nfunc main() {\n\tfmt.Println(\"hi\", 42) // a comment\n}\n```\n"

// rowActions for rows shown alone.
type noActions struct{ busy bool }

func (noActions) copyMessage(*item, bool)    {}
func (noActions) links() widgets.Actions     { return widgets.Actions{} }
func (noActions) regenerate()                {}
func (noActions) continueAnswer(*item)       {}
func (noActions) editMessage(*item)          {}
func (noActions) retry()                     {}
func (noActions) openSettings()              {}
func (noActions) toggleThinking(*item)       {}
func (noActions) lowerEffort()               {}
func (noActions) isLastAnswer(it *item) bool { return true }
func (noActions) unfold(*item)               {}
func (a noActions) isBusy() bool             { return a.busy }
func (noActions) cancelBackground(*item)     {}
func (noActions) openFile(store.Attachment)  {}
func (noActions) switchVersion(*item, int)   {}
func (noActions) deleteVersion(*item)        {}

func showRow(t *testing.T, it *item) fyne.Window {
	t.Helper()
	newTestApp(t)
	row := newMessageRow(noActions{})
	row.bind(it)
	w := test.NewTempWindow(t, row)
	w.Resize(fyne.NewSize(720, row.MinSize().Height+40))
	return w
}

func answer(content string) *item {
	return &item{msg: store.Message{Role: chat.Assistant, Content: content, Model: "gpt-4o", Finish: chat.FinishStop,
		Usage: chat.Usage{PromptTokens: 1204, CompletionTokens: 356}, Cost: chat.Cost{USD: 0.0031, Known: true}}}
}

func TestMessageWithHeadingListTableAndCode(t *testing.T) {
	w := showRow(t, answer(richAnswer))
	test.AssertRendersToMarkup(t, "message_markdown.xml", w.Canvas())

	// What the master shows, checked by hand too: highlighted code, a table, the meta line.
	markup := markupOf(w)
	keyword := `color="rgba(255,123,114,255)" monospace` // the dark theme's keyword colour, on "func"
	for _, want := range []string{keyword, ">func<", "128,000", "gpt-4o · 1,204 / 356 tokens · $0.0031", "Heading"} {
		if !strings.Contains(markup, want) {
			t.Errorf("the rendered message lacks %q", want)
		}
	}
}

func TestErrorStates(t *testing.T) {
	invalid := &item{msg: store.Message{Role: chat.Assistant, Model: "gpt-4o"}, failure: &chat.Error{
		Kind: chat.InvalidKey, Status: 401, Message: "The API key was refused: it is wrong or revoked.",
		Action: "Open Settings and paste a valid key (platform.openai.com/api-keys).", Detail: "Incorrect API key provided: [redacted key]"}}
	w := showRow(t, invalid)
	test.AssertRendersToMarkup(t, "error_invalid_key.xml", w.Canvas())
	if !strings.Contains(markupOf(w), "Open Settings") {
		t.Fatal("no Open Settings action")
	}

	waiting := &item{msg: store.Message{Role: chat.Assistant, Model: "gpt-4o"}, streaming: true,
		wait: &chat.Wait{Duration: 4 * time.Second, Until: time.Now().Add(4 * time.Second), Reason: "Rate limit reached (tokens per minute).", Attempt: 1}}
	w = showRow(t, waiting)
	if m := markupOf(w); !strings.Contains(m, "Retrying in") || !strings.Contains(m, "(retry 1)") {
		t.Fatalf("no countdown:\n%s", m)
	}

	interrupted := answer("Half an answer")
	interrupted.msg.ID = 7
	interrupted.msg.Finish, interrupted.msg.Error = chat.FinishInterrupted, "The connection to the server dropped."
	w = showRow(t, interrupted)
	test.AssertRendersToMarkup(t, "error_interrupted.xml", w.Canvas())
	if m := markupOf(w); !strings.Contains(m, "Interrupted: The connection to the server dropped.") || !strings.Contains(m, "Continue") {
		t.Fatalf("no interrupted marker:\n%s", m)
	}
	outOfCredit := &item{msg: store.Message{Role: chat.Assistant}, failure: &chat.Error{Kind: chat.OutOfCredit, Message: "Your OpenAI account is out of credit or over its spending limit.", Action: "Add credit or raise the limit at platform.openai.com/settings/organization/billing, then try again."}}
	network := &item{msg: store.Message{Role: chat.Assistant}, failure: &chat.Error{Kind: chat.NetworkTrouble, Message: "Could not connect to 127.0.0.1:9: the connection was refused.", Action: "Check your connection."}}
	if m := markupOf(showRow(t, outOfCredit)); !strings.Contains(m, "billing") {
		t.Fatalf("out of credit says nothing of billing:\n%s", m)
	}
	if m := markupOf(showRow(t, network)); !strings.Contains(m, "Retry") {
		t.Fatalf("network trouble offers no Retry:\n%s", m)
	}
}

// markupOf is the canvas as Fyne's test markup.
func markupOf(w fyne.Window) string {
	return test.RenderToMarkup(w.Canvas())
}

func TestComposerCounters(t *testing.T) {
	m, _, _ := newTestMain(t, chattest.Options{})
	v := m.conversation
	test.Type(v.composer, "How many tokens is this question?")
	// 7 tokens of text, 1 of role, 3 of framing; the request adds the reply primer.
	settleUntil(t, 10*time.Second, func() bool { return strings.Contains(v.counts.String(), "This message: 11 tokens") })
	counts := v.counts.String()
	if !strings.Contains(counts, "Request: 14 / 128,000 (estimate)") || !strings.Contains(counts, "to send") {
		t.Fatalf("counts %q", counts)
	}
	test.AssertObjectRendersToMarkup(t, "composer_counts.xml", v.counts)

	// Over the context window: a plain warning, before anything is sent.
	v.conv.Model = "gpt-4"
	v.composer.SetText(strings.Repeat(" 7", 4200)) // about 4,200 tokens: gpt-4 keeps 4,096 of its 8,192 for the answer
	settleUntil(t, 10*time.Second, func() bool { return v.warning.String() != "" })
	if w := v.warning.String(); !strings.Contains(w, "too long for “gpt-4”") {
		t.Fatalf("warning %q", w)
	}
	test.AssertObjectRendersToMarkup(t, "composer_warning.xml", v.warning)
}

func TestEnterSendsShiftEnterBreaksTheLine(t *testing.T) {
	sent, stopped := 0, 0
	newTestApp(t)
	c := newComposer(func() { sent++ }, func() { stopped++ })
	w := test.NewTempWindow(t, c)
	w.Canvas().Focus(c)
	test.Type(c, "first line")
	c.KeyDown(&fyne.KeyEvent{Name: "LeftShift"})
	c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	c.KeyUp(&fyne.KeyEvent{Name: "LeftShift"})
	test.Type(c, "second line")
	if !strings.HasPrefix(c.Text, "first line\n") || !strings.Contains(c.Text, "second") || sent != 0 {
		t.Fatalf("text %q, sent %d", c.Text, sent)
	}
	c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if sent != 1 || stopped != 1 {
		t.Fatalf("sent %d stopped %d", sent, stopped)
	}
}

func TestSendIsDisabledWhileEmpty(t *testing.T) {
	m, _, _ := newTestMain(t, chattest.Options{})
	v := m.conversation
	if !v.sendButton.Disabled() {
		t.Fatal("Send enabled with nothing to send")
	}
	test.Type(v.composer, "hi")
	if v.sendButton.Disabled() {
		t.Fatal("Send disabled with a question typed")
	}
	if m.Window.Canvas().Focused() != v.composer {
		t.Fatal("the composer does not have the focus on a new conversation")
	}
}

// A question goes out, the answer streams into the transcript and is saved; Stop keeps what came.
func TestAskStreamStopAndSave(t *testing.T) {
	m, srv, hist := newTestMain(t, chattest.Options{TokensPerSecond: 200})
	v := m.conversation
	srv.Reply("The **answer**, in full.")
	test.Type(v.composer, "A question?")
	v.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleUntil(t, 10*time.Second, func() bool { return !v.busy && len(v.items) == 2 })
	if got := v.items[1].msg.Content; got != "The **answer**, in full." || v.items[1].msg.Finish != chat.FinishStop {
		t.Fatalf("answer %+v", v.items[1].msg)
	}
	if m.Window.Title() != "Parley — A question?" {
		t.Fatalf("title %q", m.Window.Title())
	}
	msgs, _ := hist.Messages(v.conv.ID)
	if len(msgs) != 2 || msgs[1].Content != "The **answer**, in full." || msgs[1].Usage.CompletionTokens == 0 {
		t.Fatalf("stored %+v", msgs)
	}

	srv.Reply(strings.Repeat("slow streaming words ", 300))
	test.Type(v.composer, "Another")
	v.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleUntil(t, 10*time.Second, func() bool { return len(v.items) == 4 && len(v.items[3].msg.Content) > 40 })
	v.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	settleUntil(t, 10*time.Second, func() bool { return !v.busy })
	last := v.items[3].msg
	if last.Finish != chat.FinishStopped || last.Content == "" || len(last.Content) >= len(strings.Repeat("slow streaming words ", 300)) {
		t.Fatalf("stopped answer %+v", last.Finish)
	}
	msgs, _ = hist.Messages(v.conv.ID)
	if msgs[3].Finish != chat.FinishStopped || msgs[3].Content != last.Content {
		t.Fatalf("stored stopped answer %+v", msgs[3].Finish)
	}
}
