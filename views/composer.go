package views

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/chat/store"
	"parley/views/format"
	"parley/views/widgets"
)

// composer is the message box: Enter sends, Shift+Enter starts a new line, Escape stops the
// answer being written, Tab moves on (it is not a keyboard trap). A large paste (a log, a
// minified file) becomes a chip above the box instead of text in it: Fyne's entry lays out its
// whole text again on every keystroke, and a megabyte in it froze the window for minutes.
type composer struct {
	widget.Entry
	onSend func()
	onStop func()
	// sendBackground sends in background mode (Ctrl+Shift+Enter).
	sendBackground func()
	shift          bool

	pastes []string // the large pastes, in order, sent after the typed text
	files  []store.Attachment
	// reading counts the files being read to attach.
	reading int
	chips   *fyne.Container // their chips, above the entry
	chipRow *container.Scroll
	// detailMenu offers the details of file i's chip, under its button; relayout lays out the
	// screen around the box again when its chips come or go.
	detailMenu func(i int, under fyne.CanvasObject)
	relayout   func()
	box        *fyne.Container // the chips and the entry: what the screens lay out
	view       func(i int)     // show paste i in full (the screen's dialog)
	change     func()          // the pastes changed (recount)

	// window takes the keys the box does not use (Page Up/Down, F10, F2), and keys the
	// shortcuts (Alt+letter menus): Fyne gives a focused entry everything.
	window func(*fyne.KeyEvent) bool
	keys   func(fyne.Shortcut) bool
}

// pasteChipAt is the size from which a paste becomes a chip: beyond anything typed, well below
// what makes the entry slow.
const (
	pasteChipBytes = 16 << 10
	pasteChipLines = 300
)

func newComposer(onSend, onStop func()) *composer {
	c := &composer{onSend: onSend, onStop: onStop, chips: container.NewHBox()}
	c.MultiLine = true
	c.Wrapping = fyne.TextWrapWord
	c.SetPlaceHolder("Message Parley…  (Enter to send, Shift+Enter for a new line)")
	c.SetMinRowsVisible(3)
	c.ExtendBaseWidget(c)
	// Many chips scroll sideways rather than widen the window.
	c.chipRow = container.NewHScroll(c.chips)
	c.chipRow.Hide()
	c.box = container.NewBorder(c.chipRow, nil, nil, nil, c)
	return c
}

// AcceptsTab is false: Tab moves the focus on, as everywhere else.
func (c *composer) AcceptsTab() bool { return false }

func (c *composer) KeyDown(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		c.shift = true
		widgets.SetShift(true)
	}
	c.Entry.KeyDown(k)
}

func (c *composer) KeyUp(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		c.shift = false
		widgets.SetShift(false)
	}
	c.Entry.KeyUp(k)
}

func (c *composer) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if !c.shift {
			c.onSend()
			return
		}
	case fyne.KeyEscape:
		c.onStop()
		return
	case fyne.KeyPageUp, fyne.KeyPageDown, fyne.KeyF10, fyne.KeyF2:
		if c.window != nil && c.window(k) {
			return
		}
	}
	c.Entry.TypedKey(k)
}

// TypedShortcut takes a large paste as a chip.
func (c *composer) TypedShortcut(s fyne.Shortcut) {
	if c.keys != nil && c.keys(s) {
		return
	}
	if k, ok := s.(*desktop.CustomShortcut); ok && (k.KeyName == fyne.KeyReturn || k.KeyName == fyne.KeyEnter) &&
		k.Modifier == fyne.KeyModifierShortcutDefault|fyne.KeyModifierShift && c.sendBackground != nil {
		c.sendBackground()
		return
	}
	if p, ok := s.(*fyne.ShortcutPaste); ok && p.Clipboard != nil {
		if text := p.Clipboard.Content(); len(text) >= pasteChipBytes || strings.Count(text, "\n") >= pasteChipLines {
			c.addPaste(text)
			return
		}
	}
	c.Entry.TypedShortcut(s)
}

// addPaste keeps a large paste as a chip.
func (c *composer) addPaste(text string) {
	c.pastes = append(c.pastes, text)
	c.showChips()
	if c.change != nil {
		c.change()
	}
}

// setPaste replaces paste i (edited in its dialog); empty removes it.
func (c *composer) setPaste(i int, text string) {
	if i < 0 || i >= len(c.pastes) {
		return
	}
	if strings.TrimSpace(text) == "" {
		c.pastes = append(c.pastes[:i], c.pastes[i+1:]...)
	} else {
		c.pastes[i] = text
	}
	c.showChips()
	if c.change != nil {
		c.change()
	}
}

func (c *composer) showChips() {
	c.chips.Objects = nil
	for i, text := range c.pastes {
		lines := strings.Count(strings.TrimRight(text, "\n"), "\n") + 1
		label := "Pasted text · " + size(len(text)) + " · " + format.Thousands(lines) + " lines"
		if lines == 1 {
			label = "Pasted text · " + size(len(text)) + " · one line"
		}
		c.chips.Add(container.NewStack(widgets.NewThemedRect(widgets.ColorUserBubble, 8), container.NewHBox(
			widget.NewIcon(theme.FileTextIcon()),
			widget.NewLabel(label),
			&widget.Button{Text: "Show", Importance: widget.LowImportance, OnTapped: func() {
				if c.view != nil {
					c.view(i)
				}
			}},
			&widget.Button{Icon: theme.CancelIcon(), Importance: widget.LowImportance, OnTapped: func() { c.setPaste(i, "") }},
		)))
	}
	for i, f := range c.files {
		c.chips.Add(c.fileChip(i, f))
	}
	if c.reading > 0 {
		c.chips.Add(container.NewStack(widgets.NewThemedRect(widgets.ColorUserBubble, 8),
			container.NewHBox(widget.NewIcon(theme.UploadIcon()), widget.NewLabel(fmt.Sprintf("Reading %d file(s)…", c.reading)))))
	}
	if len(c.chips.Objects) == 0 {
		c.chipRow.Hide()
	} else {
		c.chipRow.Show()
	}
	c.chips.Refresh()
	c.box.Refresh()
	if c.relayout != nil {
		c.relayout() // the box's height changed: the screen around it lays out again
	}
}

// message is what sending sends: the typed text, then each large paste.
func (c *composer) message() string {
	parts := []string{strings.TrimSpace(c.Text)}
	parts = append(parts, c.pastes...)
	return strings.TrimSpace(strings.Join(parts, "\n\n"))
}

// clear empties the box and its chips.
func (c *composer) clear() {
	c.SetText("")
	c.pastes, c.files = nil, nil
	c.showChips()
}

// empty tells a box with nothing to send.
func (c *composer) empty() bool {
	return strings.TrimSpace(c.Text) == "" && len(c.pastes) == 0 && len(c.files) == 0
}
