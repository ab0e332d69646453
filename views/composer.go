package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// composer is the message box: Enter sends, Shift+Enter starts a new line, Escape stops the
// answer being written.
type composer struct {
	widget.Entry
	onSend func()
	onStop func()
	shift  bool
}

func newComposer(onSend, onStop func()) *composer {
	c := &composer{onSend: onSend, onStop: onStop}
	c.MultiLine = true
	c.Wrapping = fyne.TextWrapWord
	c.SetPlaceHolder("Message Parley…  (Enter to send, Shift+Enter for a new line)")
	c.SetMinRowsVisible(3)
	c.ExtendBaseWidget(c)
	return c
}

func (c *composer) KeyDown(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		c.shift = true
	}
	c.Entry.KeyDown(k)
}

func (c *composer) KeyUp(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		c.shift = false
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
	}
	c.Entry.TypedKey(k)
}
