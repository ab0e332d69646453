package views

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// Every dialog of the window opens through present: it takes the focus (its entry, or none so
// that the keys reach it rather than the composer behind it), Esc closes it, Enter confirms it.
// Fyne's dialogs do neither on their own.

// shown is a dialog on screen, and what Enter does in it.
type shown struct {
	d       dialog.Dialog
	confirm func()
}

// present shows a dialog of the main window. focus is the field that should have the focus
// (nil: none); confirm is what Enter does when no field has it (nil: close).
func (m *Main) present(d dialog.Dialog, focus fyne.Focusable, confirm func()) {
	s := &shown{d: d, confirm: confirm}
	if s.confirm == nil {
		s.confirm = d.Hide
	}
	m.dialogs = append(m.dialogs, s)
	d.SetOnClosed(func() {
		for i, o := range m.dialogs {
			if o == s {
				m.dialogs = append(m.dialogs[:i], m.dialogs[i+1:]...)
				break
			}
		}
		if len(m.dialogs) == 0 && m.conversationShown() {
			m.conversation.focus()
		}
	})
	d.Show()
	if focus != nil {
		m.Window.Canvas().Focus(focus)
	} else {
		m.Window.Canvas().Unfocus()
	}
}

// dialogKey handles Esc and Enter for the newest dialog; it reports whether one was open.
func (m *Main) dialogKey(k *fyne.KeyEvent) bool {
	if len(m.dialogs) == 0 {
		return false
	}
	top := m.dialogs[len(m.dialogs)-1]
	switch k.Name {
	case fyne.KeyEscape:
		top.d.Hide()
	case fyne.KeyReturn, fyne.KeyEnter:
		top.confirm()
	}
	return true
}

// inform shows a message; Enter or Esc closes it.
func (m *Main) inform(title, text string) {
	d := dialog.NewInformation(title, text, m.Window)
	m.present(d, nil, nil)
}

// report shows a longer account (what an import or a restore did), a line a paragraph, left
// aligned and wrapped.
func (m *Main) report(title, text string) {
	body := widget.NewLabel(text)
	body.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(title, "Close", body, m.Window)
	d.Resize(fyne.NewSize(600, 320))
	m.present(d, nil, nil)
}

// showError tells the user what went wrong, in a dialog.
func (m *Main) showError(what string, err error) {
	d := dialog.NewError(fmt.Errorf("%s: %s", what, plain(err)), m.Window)
	m.present(d, nil, nil)
}

// confirm asks before an action, on a button that names it; a destructive one is styled so.
func (m *Main) confirm(title, text, action string, destructive bool, then func()) {
	d := dialog.NewConfirm(title, text, func(ok bool) {
		if ok {
			then()
		}
	}, m.Window)
	d.SetConfirmText(action)
	d.SetDismissText("Cancel")
	if destructive {
		d.SetConfirmImportance(widget.DangerImportance)
	}
	m.present(d, nil, d.Confirm)
}

// askText asks for one line of text: Enter submits, Esc cancels.
func (m *Main) askText(title, label, initial, placeholder, action string, then func(string)) {
	entry := newEscEntry(false)
	entry.SetText(initial)
	entry.SetPlaceHolder(placeholder)
	d := dialog.NewForm(title, action, "Cancel", []*widget.FormItem{{Text: label, Widget: entry}}, func(ok bool) {
		if ok {
			then(entry.Text)
		}
	}, m.Window)
	entry.OnSubmitted = func(string) { d.Submit() }
	entry.onEscape = d.Hide
	d.Resize(fyne.NewSize(480, d.MinSize().Height))
	m.present(d, entry, d.Submit)
}

// escEntry is an entry that lets Esc out (Fyne's entry keeps the key to itself): it closes a
// dialog, clears a search. In a multi-line one Ctrl+Enter confirms the dialog.
type escEntry struct {
	widget.Entry
	onEscape   func()
	onConfirm  func()
	onShortcut func(fyne.Shortcut) bool // shortcuts for the window (Alt+letter menus)
}

func newEscEntry(multiLine bool) *escEntry {
	e := &escEntry{}
	e.MultiLine = multiLine
	if multiLine {
		e.Wrapping = fyne.TextWrapWord
	}
	e.ExtendBaseWidget(e)
	return e
}

func (e *escEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(k)
}

func (e *escEntry) TypedShortcut(s fyne.Shortcut) {
	if e.onShortcut != nil && e.onShortcut(s) {
		return
	}
	if c, ok := s.(*desktop.CustomShortcut); ok && e.onConfirm != nil && c.Modifier == fyne.KeyModifierShortcutDefault &&
		(c.KeyName == fyne.KeyReturn || c.KeyName == fyne.KeyEnter) {
		e.onConfirm()
		return
	}
	e.Entry.TypedShortcut(s)
}

// plain puts an error in the words a user needs: what happened and what to do about it (the
// engine's and the keychain's errors say both).
func plain(err error) string {
	var u interface{ UserMessage() string }
	if errors.As(err, &u) {
		return u.UserMessage()
	}
	return err.Error()
}
