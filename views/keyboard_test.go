package views

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"parley/chat/chattest"
)

// topPopUp is the menu or dialog shown over the window, if any.
func topOverlay(m *Main) fyne.CanvasObject { return m.Window.Canvas().Overlays().Top() }

// findButton finds a button by its text among an object's widgets.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if found != nil || o == nil || !o.Visible() { // only what the user sees
			return
		}
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
			return
		}
		switch c := o.(type) {
		case *fyne.Container:
			for _, k := range c.Objects {
				walk(k)
			}
		case fyne.Widget:
			for _, k := range test.WidgetRenderer(c).Objects() {
				walk(k)
			}
		}
	}
	walk(o)
	return found
}

// F10 and Alt+letter open the menus by keyboard; Page Up and Page Down page the conversation.
func TestMenusAndPagingByKeyboard(t *testing.T) {
	m, _, hist := newTestMain(t, chattest.Options{})
	c := m.Window.Canvas()

	c.Focus(m.conversation.composer)
	m.conversation.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF10})
	menu := topOverlay(m)
	if menu == nil || !strings.Contains(test.RenderObjectToMarkup(menu), "Conversation") {
		t.Fatal("F10 opened no menu")
	}
	c.Overlays().Remove(menu)

	m.conversation.composer.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierAlt})
	menu = topOverlay(m)
	if menu == nil {
		t.Fatal("Alt+F opened no menu")
	}
	if markup := test.RenderObjectToMarkup(menu); !strings.Contains(markup, "New Chat") || !strings.Contains(markup, "Quit") {
		t.Fatalf("Alt+F is not the File menu:\n%s", markup)
	}
	c.Overlays().Remove(menu)

	m.Open(longConversation(t, hist))
	v := m.conversation
	settleUntil(t, 10*time.Second, func() bool { return len(v.items) == 2000 })
	end := v.list.Offset()
	c.Focus(v.composer)
	v.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyPageUp})
	if up := end - v.list.Offset(); up < 0.8*v.list.PageHeight() {
		t.Fatalf("Page Up moved the conversation %v px of a %v px page", up, v.list.PageHeight())
	}
	v.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyPageDown})
	if !v.list.AtBottom() {
		t.Fatalf("Page Down did not come back to the end (at %v, the end was %v)", v.list.Offset(), end)
	}
}

// Dialogs take the focus in their field, so the first keystrokes are not lost; Enter confirms,
// Esc closes; a destructive confirmation names its action and is styled as dangerous.
func TestDialogsTakeTheFocusAndTheKeys(t *testing.T) {
	m, _, hist := newTestMain(t, chattest.Options{})
	c := importConversation(t, hist, "Old title", false)
	m.Open(c.ID)
	settleUntil(t, 5*time.Second, func() bool { return m.conversation.conv.ID == c.ID })
	canvas := m.Window.Canvas()

	m.conversation.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF2})
	entry, ok := canvas.Focused().(*escEntry)
	if !ok {
		t.Fatalf("the rename dialog's field has no focus (focus on %T)", canvas.Focused())
	}
	entry.SetText("")
	test.Type(entry, "New title")
	entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleUntil(t, 5*time.Second, func() bool {
		got, _ := hist.Conversation(c.ID)
		return got.Title == "New title"
	})
	if len(m.dialogs) != 0 {
		t.Fatal("Enter left the rename dialog open")
	}

	m.conversation.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF2})
	canvas.Focused().(*escEntry).TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(m.dialogs) != 0 {
		t.Fatal("Esc did not close the rename dialog")
	}

	m.inform("Something to say", "It is said.")
	m.typedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(m.dialogs) != 0 {
		t.Fatal("Enter did not close an information box")
	}
	m.showShortcuts()
	m.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(m.dialogs) != 0 {
		t.Fatal("Esc did not close the shortcuts")
	}

	m.deleteCurrent()
	del := findButton(topOverlay(m), "Delete conversation")
	if del == nil || del.Importance != widget.DangerImportance {
		t.Fatalf("the delete confirmation does not name its action as dangerous: %+v", del)
	}
	if findButton(topOverlay(m), "Yes") != nil {
		t.Fatal("the delete confirmation still says Yes")
	}
	m.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if _, err := hist.Conversation(c.ID); err != nil {
		t.Fatal("Esc deleted the conversation")
	}
}

// About and the shortcuts are wide enough to read: not a word a line.
func TestAboutAndShortcutsAreReadable(t *testing.T) {
	m, _, _ := newTestMain(t, chattest.Options{})
	m.showAbout()
	if w := topOverlay(m).Size().Width; w < 480 {
		t.Fatalf("About is %v px wide", w)
	}
	m.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	m.showShortcuts()
	if w := topOverlay(m).Size().Width; w < 600 {
		t.Fatalf("the shortcuts are %v px wide", w)
	}
	markup := test.RenderToMarkup(m.Window.Canvas())
	for _, want := range []string{"F10", "Page Up", "Ctrl+Shift+Delete", "Ctrl+L"} {
		if !strings.Contains(markup, want) {
			t.Errorf("the shortcuts do not list %s", want)
		}
	}
}

// The conversations list works from the keyboard: Ctrl+L goes there, arrows move, Enter opens,
// Esc goes back to the message box.
func TestTheConversationsListByKeyboard(t *testing.T) {
	m, _, hist := newTestMain(t, chattest.Options{})
	c := importConversation(t, hist, "Reached by keys", false)
	m.sidebar.reload()
	settle(t, time.Second)
	m.sidebar.focusList()
	canvas := m.Window.Canvas()
	if canvas.Focused() != m.sidebar.list {
		t.Fatal("Ctrl+L did not put the focus in the list")
	}
	m.sidebar.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown}) // past the day's heading
	m.sidebar.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleUntil(t, 5*time.Second, func() bool { return m.conversation.conv.ID == c.ID })
	m.sidebar.focusList()
	m.sidebar.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if canvas.Focused() != m.conversation.composer {
		t.Fatal("Esc did not go back to the message box")
	}
}
