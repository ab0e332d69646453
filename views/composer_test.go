package views

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"parley/chat/chattest"
)

// A large paste becomes a chip, not text in the box: the box stays quick to type in, and the
// paste is sent whole after what was typed.
func TestALargePasteBecomesAChip(t *testing.T) {
	m, srv, _ := newTestMain(t, chattest.Options{})
	srv.Reply("Understood.")
	v := m.conversation
	big := strings.Repeat(`{"key":"value","n":12345},`, 227<<10/26) // a minified JSON line, 227 KB
	clip := fyne.CurrentApp().Clipboard()
	clip.SetContent(big)
	test.Type(v.composer, "Explain this:")
	v.composer.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
	if v.composer.Text != "Explain this:" || len(v.composer.pastes) != 1 || !v.composer.chipRow.Visible() {
		t.Fatalf("text %d bytes, %d pastes", len(v.composer.Text), len(v.composer.pastes))
	}
	if markup := test.RenderToMarkup(m.Window.Canvas()); !strings.Contains(markup, "Pasted text · 226 KB · one line") {
		t.Fatal("no chip")
	}
	if v.sendButton.Disabled() {
		t.Fatal("Send disabled with a paste to send")
	}
	// A small paste is text, as ever.
	clip.SetContent(" small")
	v.composer.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
	if v.composer.Text != "Explain this: small" {
		t.Fatalf("text %q", v.composer.Text)
	}
	v.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleUntil(t, 10*time.Second, func() bool { return !v.busy && len(v.items) == 2 })
	sent := srv.ChatRequests()[0].LastUser()
	if sent != "Explain this: small\n\n"+big {
		t.Fatalf("sent %d bytes, starting %q", len(sent), sent[:40])
	}
	if len(v.composer.pastes) != 0 || v.composer.chipRow.Visible() {
		t.Fatal("the chip stayed after sending")
	}
}

// Tab leaves the composer instead of typing a tab: the box is not a keyboard trap.
func TestTabLeavesTheComposer(t *testing.T) {
	m, _, _ := newTestMain(t, chattest.Options{})
	c := m.Window.Canvas()
	c.Focus(m.conversation.composer)
	test.Type(m.conversation.composer, "hi")
	c.FocusNext()
	if c.Focused() == m.conversation.composer || strings.Contains(m.conversation.composer.Text, "\t") {
		t.Fatal("Tab stayed in the composer")
	}
	if m.conversation.composer.AcceptsTab() {
		t.Fatal("the composer takes Tab as text")
	}
}
