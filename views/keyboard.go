package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"parley/chat/store"
)

// The window's keyboard routes beyond the menu shortcuts: Esc, paging the conversation, the
// menus by keyboard (Fyne's menu bar takes no key), and the conversation's own actions.

// typedKey handles the keys no focused widget took.
func (m *Main) typedKey(k *fyne.KeyEvent) {
	if m.dialogKey(k) {
		return
	}
	m.windowKey(k)
}

// windowKey handles a key for the whole window; the composer hands over the ones it does not
// use. It reports whether it took the key.
func (m *Main) windowKey(k *fyne.KeyEvent) bool {
	list := m.conversation.list
	switch k.Name {
	case fyne.KeyEscape:
		if !m.conversationShown() { // settings, batches: back
			m.ShowConversation()
		} else {
			m.Stop()
		}
	case fyne.KeyPageUp:
		list.ScrollBy(-0.9 * list.PageHeight())
	case fyne.KeyPageDown:
		list.ScrollBy(0.9 * list.PageHeight())
	case fyne.KeyF10:
		m.showMenu("")
	case fyne.KeyF2:
		m.renameCurrent()
	default:
		return false
	}
	return true
}

// menuKeys open one menu each with Alt and its first letter.
var menuKeys = map[fyne.KeyName]string{fyne.KeyF: "File", fyne.KeyE: "Edit", fyne.KeyC: "Conversation", fyne.KeyV: "View", fyne.KeyH: "Help"}

// altShortcut opens the menu of an Alt+letter shortcut, and reports whether it was one.
func (m *Main) altShortcut(s fyne.Shortcut) bool {
	c, ok := s.(*desktop.CustomShortcut)
	if !ok || c.Modifier != fyne.KeyModifierAlt {
		return false
	}
	switch c.KeyName {
	case fyne.KeyLeft:
		m.conversation.switchNewestVersion(-1)
		return true
	case fyne.KeyRight:
		m.conversation.switchNewestVersion(+1)
		return true
	}
	name, ok := menuKeys[c.KeyName]
	if ok {
		m.showMenu(name)
	}
	return ok
}

// showMenu opens a menu of the main menu as a pop-up that arrows, Enter and Esc drive: the named
// one, or all of them ("").
func (m *Main) showMenu(name string) {
	main := m.Window.MainMenu()
	if main == nil {
		return
	}
	var menu *fyne.Menu
	if name == "" {
		menu = fyne.NewMenu("")
		for _, sub := range main.Items {
			menu.Items = append(menu.Items, &fyne.MenuItem{Label: sub.Label, ChildMenu: sub})
		}
	} else {
		for _, sub := range main.Items {
			if sub.Label == name {
				menu = sub
			}
		}
	}
	if menu == nil {
		return
	}
	pop := widget.NewPopUpMenu(menu, m.Window.Canvas())
	pop.ShowAtPosition(fyne.NewPos(4, 4))
	pop.ActivateNext() // the first item, ready for Enter
}

// renameCurrent, pinCurrent and deleteCurrent act on the conversation the pane shows.
func (m *Main) renameCurrent() {
	if c, ok := m.saved(); ok {
		m.sidebar.rename(c)
	}
}

func (m *Main) pinCurrent() {
	if c, ok := m.saved(); ok {
		m.sidebar.setPinned(c, !c.Pinned)
	}
}

func (m *Main) deleteCurrent() {
	if c, ok := m.saved(); ok {
		m.sidebar.delete(c)
	}
}

func (m *Main) saved() (c store.Conversation, ok bool) {
	c = m.conversation.current()
	if c.ID == 0 {
		m.notify("This conversation is not saved yet: ask something first")
		return c, false
	}
	return c, true
}
