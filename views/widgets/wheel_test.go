package widgets

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// codeTranscript is a conversation of code answers, each with a line wider than the window.
func codeTranscript(t *testing.T, n int) (*Transcript, fyne.Window) {
	t.Helper()
	newTestApp(t)
	src := "Here is the code:\n\n```go\n" + strings.Repeat("x := "+strings.Repeat("veryLongIdentifier + ", 20)+"1\n", 12) + "```\n"
	var tr *Transcript
	tr = NewTranscript(
		func() int { return n },
		func() fyne.CanvasObject { return rowOf(Markdown("", Actions{})) },
		func(i int, o fyne.CanvasObject) {
			o.(*fyne.Container).Objects = []fyne.CanvasObject{Markdown(src, Actions{Scroll: tr.Wheel})}
			o.Refresh()
		},
		func(i int, w float32) float32 { return 300 },
	)
	w := test.NewTempWindow(t, tr)
	w.Resize(fyne.NewSize(700, 600))
	tr.ScrollTo(0)
	return tr, w
}

// codeBlockAt finds where a code block's scroll is on screen.
func codeBlockAt(t *testing.T, w fyne.Window) (*sideScroll, fyne.Position) {
	t.Helper()
	var found *sideScroll
	var at fyne.Position
	var walk func(o fyne.CanvasObject, off fyne.Position)
	walk = func(o fyne.CanvasObject, off fyne.Position) {
		if found != nil || !o.Visible() {
			return
		}
		pos := off.Add(o.Position())
		if s, ok := o.(*sideScroll); ok && pos.Y > 0 && pos.Y+o.Size().Height < w.Canvas().Size().Height {
			found, at = s, pos.Add(fyne.NewPos(40, 20))
			return
		}
		switch c := o.(type) {
		case *fyne.Container:
			for _, k := range c.Objects {
				walk(k, pos)
			}
		case fyne.Widget:
			for _, k := range test.WidgetRenderer(c).Objects() {
				walk(k, pos)
			}
		}
	}
	walk(w.Canvas().Content(), fyne.Position{})
	if found == nil {
		t.Fatal("no code block on screen")
	}
	return found, at
}

// The vertical wheel over a code block scrolls the page, about three lines a notch; the code
// block moves sideways only with Shift or a horizontal wheel.
func TestWheelOverCodeScrollsThePage(t *testing.T) {
	tr, w := codeTranscript(t, 200)
	code, at := codeBlockAt(t, w)

	before := tr.scroll.Offset.Y
	test.Scroll(w.Canvas(), at, 0, -25) // one notch down, as GLFW reports it on Linux
	moved := tr.scroll.Offset.Y - before
	if moved < 50 || moved > 70 {
		t.Fatalf("one notch over a code block moved the page %v px, want about three lines (60)", moved)
	}
	if code.Offset.X != 0 {
		t.Fatalf("the vertical wheel scrolled the code sideways to %v", code.Offset.X)
	}

	// 90 notches, wherever the pointer is, move the page 90 notches' worth.
	start := tr.scroll.Offset.Y
	for range 90 {
		test.Scroll(w.Canvas(), fyne.NewPos(300, 300), 0, -25)
	}
	if got := tr.scroll.Offset.Y - start; got < 90*55 {
		t.Fatalf("90 notches moved the page %v px", got)
	}

	// Sideways: a horizontal wheel, or Shift with the vertical one.
	tr.ScrollTo(0)
	code, at = codeBlockAt(t, w)
	page := tr.scroll.Offset.Y
	test.Scroll(w.Canvas(), at, -40, 0)
	if code.Offset.X <= 0 {
		t.Fatal("a horizontal wheel did not scroll the code sideways")
	}
	SetShift(true)
	defer SetShift(false)
	x := code.Offset.X
	test.Scroll(w.Canvas(), at, 0, -25)
	if code.Offset.X <= x {
		t.Fatal("Shift with the wheel did not scroll the code sideways")
	}
	if tr.scroll.Offset.Y != page {
		t.Fatalf("sideways scrolling moved the page from %v to %v", page, tr.scroll.Offset.Y)
	}
}

// Over plain text the wheel moves the page by the same step.
func TestWheelOverTextScrollsThePage(t *testing.T) {
	newTestApp(t)
	tr := NewTranscript(func() int { return 100 },
		func() fyne.CanvasObject {
			return rowOf(NewParagraph(strings.Repeat("words ", 80), widget.RichTextStyleParagraph))
		},
		func(int, fyne.CanvasObject) {}, func(int, float32) float32 { return 100 })
	w := test.NewTempWindow(t, tr)
	w.Resize(fyne.NewSize(700, 600))
	tr.ScrollTo(0)
	test.Scroll(w.Canvas(), fyne.NewPos(200, 200), 0, -25)
	if got := tr.scroll.Offset.Y; got < 50 || got > 70 {
		t.Fatalf("one notch moved the page %v px", got)
	}
	test.Scroll(w.Canvas(), fyne.NewPos(200, 200), 0, 25)
	if got := tr.scroll.Offset.Y; got != 0 {
		t.Fatalf("a notch back up left the page at %v", got)
	}
}
