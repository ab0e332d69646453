package widgets

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// A 2,000-message conversation builds rows for what is on screen, not 2,000 widget trees.
func TestTranscriptBuildsOnlyVisibleRows(t *testing.T) {
	newTestApp(t)
	texts := make([]string, 2000)
	for i := range texts {
		texts[i] = strings.Repeat("Message text that wraps over a line or two. ", 1+i%5)
	}
	created := 0
	tr := NewTranscript(
		func() int { return len(texts) },
		func() fyne.CanvasObject { created++; return rowOf(NewParagraph("", widget.RichTextStyleParagraph)) },
		func(i int, o fyne.CanvasObject) {
			p := o.(*fyne.Container).Objects[0].(*Prose)
			p.spans = []span{{text: texts[i], style: widget.RichTextStyleParagraph}}
			p.Refresh()
		},
		func(i int, w float32) float32 { return 20 * float32(1+len(texts[i])/80) },
	)
	w := test.NewTempWindow(t, tr)
	w.Resize(fyne.NewSize(800, 700))
	tr.Reset()
	if created == 0 || created > 60 {
		t.Fatalf("%d rows built for 2,000 messages", created)
	}
	if !tr.AtBottom() {
		t.Fatal("a conversation opens at its end")
	}
	tr.ScrollTo(0)
	if created > 120 {
		t.Fatalf("%d rows built after scrolling to the top", created)
	}
	if tr.scroll.Offset.Y != 0 {
		t.Fatalf("offset %v at the top", tr.scroll.Offset.Y)
	}
	for range 5 {
		tr.ScrollBy(tr.PageHeight())
	}
	if tr.scroll.Offset.Y < 4*tr.PageHeight() {
		t.Fatalf("five pages down is %v", tr.scroll.Offset.Y)
	}
}

func rowOf(o fyne.CanvasObject) *fyne.Container {
	return &fyne.Container{Layout: &Stack{}, Objects: []fyne.CanvasObject{o}}
}
