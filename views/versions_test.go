package views

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"parley/chat/chattest"
)

// shownTexts is the conversation pane's messages, joined.
func shownTexts(v *conversationView) string {
	var parts []string
	for _, it := range v.items {
		parts = append(parts, it.msg.Content)
	}
	return strings.Join(parts, " | ")
}

// Regenerate and Edit add versions; "‹ n / m ›" under a message switches them (buttons and
// Alt+arrows), what follows switches along, and deleting a version asks first.
func TestVersionsInTheWindow(t *testing.T) {
	m, srv, hist := newTestMain(t, chattest.Options{})
	v := m.conversation
	srv.Reply("Oak.", "Birch.", "Granite.")
	sendText(v, "Name a tree")
	settleUntil(t, 10*time.Second, func() bool { return !v.busy && len(v.items) == 2 })
	v.regenerate()
	settleUntil(t, 10*time.Second, func() bool { return !v.busy && v.items[1].msg.Content == "Birch." && v.items[1].msg.ID != 0 })
	if got := v.items[1].msg; got.Version != 2 || got.Versions != 2 {
		t.Fatalf("the regenerated answer is version %d of %d", got.Version, got.Versions)
	}
	row := newMessageRow(v)
	row.bind(v.items[1])
	w := test.NewTempWindow(t, row)
	w.Resize(fyne.NewSize(700, 200))
	if markup := test.RenderToMarkup(w.Canvas()); !strings.Contains(markup, "2 / 2") {
		t.Fatalf("no version switch under the answer:\n%s", markup)
	}
	row.answerVersions.prev.OnTapped()
	settleUntil(t, 5*time.Second, func() bool { return shownTexts(v) == "Name a tree | Oak." })
	if got := v.items[1].msg; got.Version != 1 || got.Versions != 2 {
		t.Fatalf("switched to version %d of %d", got.Version, got.Versions)
	}
	m.altShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyRight, Modifier: fyne.KeyModifierAlt})
	settleUntil(t, 5*time.Second, func() bool { return shownTexts(v) == "Name a tree | Birch." })

	// Edit the question: a second version of it, answered alone; the first keeps its answers.
	v.editMessage(v.items[0])
	entry := m.Window.Canvas().Focused().(*escEntry)
	entry.SetText("Name a rock")
	entry.onConfirm()
	settleUntil(t, 10*time.Second, func() bool { return !v.busy && shownTexts(v) == "Name a rock | Granite." })
	if got := v.items[0].msg; got.Version != 2 || got.Versions != 2 {
		t.Fatalf("the edited question is version %d of %d", got.Version, got.Versions)
	}
	m.altShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyLeft, Modifier: fyne.KeyModifierAlt})
	settleUntil(t, 5*time.Second, func() bool { return shownTexts(v) == "Name a tree | Birch." })

	// Delete the answer shown: asked first, Esc keeps it; confirmed, the other version shows.
	v.deleteVersion(v.items[1])
	if findButton(topOverlay(m), "Delete") == nil {
		t.Fatal("deleting a version does not ask first")
	}
	m.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if msgs, _ := hist.Messages(v.conv.ID); len(msgs) != 2 || msgs[1].Content != "Birch." {
		t.Fatalf("Esc deleted the version: %+v", msgs)
	}
	v.deleteVersion(v.items[1])
	m.typedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleUntil(t, 5*time.Second, func() bool { return shownTexts(v) == "Name a tree | Oak." })
	if got := v.items[1].msg; got.Versions != 1 {
		t.Fatalf("%d versions left", got.Versions)
	}

	// A search hit on another branch opens that branch.
	hits, err := hist.Search("granite", 10)
	if err != nil || len(hits) != 1 {
		t.Fatalf("%+v %v", hits, err)
	}
	m.openFound(hits[0].ConversationID, hits[0].MessageID, []string{"granite"})
	settleUntil(t, 5*time.Second, func() bool { return shownTexts(v) == "Name a rock | Granite." })
	if marks := v.items[1].marks; len(marks) != 1 {
		t.Fatalf("the hit is not highlighted: %v", marks)
	}
}
