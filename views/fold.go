package views

import (
	"fmt"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"parley/views/widgets"
)

// foldAt is how much of a message shows at first. A longer one (a pasted log, a 50 MB answer)
// shows its start, with the rest on request: laying out megabytes of text would hold the
// window for minutes.
const foldAt = 64 << 10

// shown is the part of an item's text the transcript shows, and whether some is left out.
func (it *item) shown() (string, bool) {
	limit := max(it.unfolded, foldAt)
	text := it.msg.Content
	if len(text) <= limit {
		return text, false
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut], true
}

// foldNotice says how much of a long message shows, and offers the rest.
func (r *messageRow) foldNotice(it *item) fyne.CanvasObject {
	shown, _ := it.shown()
	text := fmt.Sprintf("A long message: %s. Showing its first %s.", size(len(it.msg.Content)), size(len(shown)))
	more := lowButton("Show more", theme.MoreVerticalIcon(), func() { r.actions.unfold(it) })
	copyAll := lowButton("Copy all", theme.ContentCopyIcon(), func() { r.actions.copyMessage(it, true) })
	if it.streaming {
		more.Disable()
	}
	return container.NewBorder(nil, nil, nil, container.NewHBox(more, copyAll), notice(theme.InfoIcon(), text, widgets.ColorMuted))
}

// size writes a length of text: 12 KB, 3.4 MB.
func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// unfold shows four times as much of a long message.
func (v *conversationView) unfold(it *item) {
	shown, _ := it.shown()
	it.unfolded = 4 * len(shown)
	v.repaint(it)
}
