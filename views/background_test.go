package views

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"parley/chat"
	"parley/chat/chattest"
	"parley/chat/store"
)

// sendText types a question and sends it with Enter.
func sendText(v *conversationView, text string) {
	test.Type(v.composer, text)
	v.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

// The toggle sends one question in background mode: its answer says it is being made on
// OpenAI and for how long, the tray's count follows it, and it is saved with its response.
func TestBackgroundAnswerInTheWindow(t *testing.T) {
	m, srv := reasoningMain(t, chattest.Options{TokensPerSecond: 25, TokensPerChunk: 1, BackgroundRun: time.Hour})
	v := m.conversation
	var counts []int
	m.OnBackground = func(n int) { counts = append(counts, n) }
	if !v.backgroundBtn.Visible() || v.backgroundBtn.Text != "Background" {
		t.Fatalf("toggle %q (%v)", v.backgroundBtn.Text, v.backgroundBtn.Visible())
	}
	test.Tap(v.backgroundBtn)
	if v.backgroundBtn.Text != "Background ✓" || !strings.Contains(v.status.notice.Text, "store: true") {
		t.Fatalf("toggle %q, notice %q", v.backgroundBtn.Text, v.status.notice.Text)
	}
	srv.Reply(strings.Repeat("slowly ", 20))
	sendText(v, "Think about it for a long time.")
	settleUntil(t, 10*time.Second, func() bool { return len(v.items) == 2 && !v.items[1].backgroundSince.IsZero() })
	if v.backgroundBtn.Text != "Background" {
		t.Fatalf("the toggle stayed on: %q", v.backgroundBtn.Text)
	}
	settleUntil(t, 10*time.Second, func() bool {
		return strings.Contains(test.RenderToMarkup(m.Window.Canvas()), "Working in the background on OpenAI")
	})
	settleUntil(t, 20*time.Second, func() bool { return !v.busy })
	got := v.items[1].msg
	if got.Finish != chat.FinishStop || got.ResponseID == "" || !strings.HasPrefix(got.Content, "slowly") {
		t.Fatalf("%+v", got)
	}
	if len(counts) < 2 || counts[0] != 1 || counts[len(counts)-1] != 0 {
		t.Fatalf("tray counts %v", counts)
	}
	if sent := srv.Responses()[0]; !strings.Contains(string(sent.Raw["background"]), "true") {
		t.Fatalf("sent %s", sent.Raw)
	}
}

// Moving to another conversation leaves a background answer running on OpenAI: the window
// follows it and saves it once done. Stop cancels one there.
func TestLeavingAndStoppingBackgroundAnswers(t *testing.T) {
	m, srv := reasoningMain(t, chattest.Options{TokensPerSecond: 40, TokensPerChunk: 1, BackgroundRun: time.Hour})
	v := m.conversation
	answer := strings.Repeat("patiently ", 30)
	srv.Reply(answer, strings.Repeat("never finished ", 40))
	test.Tap(v.backgroundBtn)
	sendText(v, "Take your time.")
	settleUntil(t, 10*time.Second, func() bool { return len(v.items) == 2 && v.items[1].msg.Content != "" })
	conv := v.conv.ID
	m.NewChat()
	st, _ := m.svc.History()
	var msgs []store.Message
	settleUntil(t, 30*time.Second, func() bool {
		msgs, _ = st.Messages(conv)
		return len(msgs) == 2 && msgs[1].Finish == chat.FinishStop
	})
	settleUntil(t, 5*time.Second, func() bool { return m.BackgroundCount() == 0 })
	if msgs[1].Content != answer {
		t.Fatalf("left answer saved as %+v", msgs[len(msgs)-1])
	}
	if st := srv.BackgroundStatus(msgs[1].ResponseID); st == "cancelled" {
		t.Fatal("leaving cancelled it")
	}

	test.Type(v.composer, "Stop me.") // sent in the background with Ctrl+Shift+Enter
	v.composer.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift})
	settleUntil(t, 10*time.Second, func() bool { return len(v.items) == 2 && v.items[1].msg.Content != "" })
	v.stop()
	settleUntil(t, 10*time.Second, func() bool { return !v.busy })
	stopped := v.items[1].msg
	if stopped.Finish != chat.FinishStopped || srv.BackgroundStatus(stopped.ResponseID) != "cancelled" {
		t.Fatalf("stopped as %+v, on the server %s", stopped, srv.BackgroundStatus(stopped.ResponseID))
	}
}

// The profile's rule turns background mode on from an effort, in the model's own order.
func TestBackgroundFromAnEffort(t *testing.T) {
	m, _ := reasoningMain(t, chattest.Options{})
	p := m.profile()
	p.BackgroundFrom = "xhigh"
	m.svc.Prefs.SaveProfile(p)
	v := m.conversation
	v.setReasoning("high", false)
	if on, _ := v.background(); on || v.backgroundBtn.Text != "Background" {
		t.Fatalf("on at high: %q", v.backgroundBtn.Text)
	}
	v.setReasoning("max", false)
	if on, auto := v.background(); !on || !auto || v.backgroundBtn.Text != "Background (auto)" {
		t.Fatalf("off at max: %q", v.backgroundBtn.Text)
	}
}

// An answer still being made on OpenAI that no pane writes says so, with its response and
// Cancel; one that failed while Parley was away says why.
func TestPendingAndFailedAwayAnswers(t *testing.T) {
	pendingOne := answer("So far")
	pendingOne.msg.Finish, pendingOne.msg.ResponseID = chat.FinishBackground, "resp_abc123"
	markup := markupOf(showRow(t, pendingOne))
	if !strings.Contains(markup, "Being made in the background on OpenAI (resp_abc123)") || !strings.Contains(markup, "Cancel") {
		t.Fatalf("no pending notice:\n%s", markup)
	}
	failed := answer("")
	failed.msg.Finish, failed.msg.ResponseID = chat.FinishFailed, "resp_gone"
	failed.msg.Error = "This answer expired on OpenAI before Parley came back for it (response resp_gone)."
	if markup := markupOf(showRow(t, failed)); !strings.Contains(markup, "expired on OpenAI before Parley came back for it (response resp_gone)") {
		t.Fatalf("no reason:\n%s", markup)
	}
}
