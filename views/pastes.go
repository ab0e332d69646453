package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// editablePaste is the largest paste its dialog lets the user edit: beyond it, Fyne's entry
// slows to seconds a keystroke, and the dialog shows the paste's start read-only.
const editablePaste = 64 << 10

// showPaste opens a large paste of the composer: to read it, edit it (when it is not too large
// to edit) or remove it.
func (m *Main) showPaste(c *composer, i int, parent fyne.Window) {
	if i < 0 || i >= len(c.pastes) {
		return
	}
	text := c.pastes[i]
	entry := newEscEntry(true)
	entry.Wrapping = fyne.TextWrapOff
	note := widget.NewLabel("")
	editable := len(text) <= editablePaste
	if editable {
		entry.SetText(text)
		note.SetText("Edit the text as it will be sent; empty it to remove it.")
	} else {
		shown := text[:editablePaste]
		entry.SetText(shown)
		entry.Disable()
		note.SetText("A large paste (" + size(len(text)) + "): its start, read-only. It is sent whole.")
	}
	content := container.NewBorder(nil, note, nil, nil, entry)
	var d dialog.Dialog
	if editable {
		d = dialog.NewCustomConfirm("Pasted text", "Save", "Cancel", content, func(ok bool) {
			if ok {
				c.setPaste(i, entry.Text)
			}
		}, parent)
	} else {
		d = dialog.NewCustomConfirm("Pasted text", "Keep", "Remove it", content, func(keep bool) {
			if !keep {
				c.setPaste(i, "")
			}
		}, parent)
	}
	d.Resize(fyne.NewSize(760, 520))
	entry.onEscape = d.Hide
	if parent == m.Window {
		m.present(d, entry, nil)
		return
	}
	d.Show()
	parent.Canvas().Focus(entry)
}
