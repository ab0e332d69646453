package widgets

import (
	"net/url"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// laidOut shows a paragraph at a width and returns its texts, top to bottom.
func laidOut(t *testing.T, p *Prose, width float32) []*canvas.Text {
	t.Helper()
	w := test.NewTempWindow(t, container.New(&Stack{}, p))
	w.Resize(fyne.NewSize(width, 900))
	var texts []*canvas.Text
	for _, o := range test.TempWidgetRenderer(t, p).Objects() {
		texts = append(texts, o.(*canvas.Text))
	}
	return texts
}

func TestProseWrapsWithinItsWidthAndKeepsEveryWord(t *testing.T) {
	newTestApp(t)
	sentence := "Parley measures every word once and breaks the lines itself, so a long answer streams smoothly. "
	p := newProse(
		span{text: strings.Repeat(sentence, 3), style: widget.RichTextStyleInline},
		span{text: "bold words in the middle", style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Bold: true}}},
		span{text: " and the end.", style: widget.RichTextStyleParagraph},
	)
	texts := laidOut(t, p, 400)
	pad := theme.InnerPadding()
	lines := map[float32]bool{}
	var words []string
	for _, tx := range texts {
		if right := tx.Position().X + tx.Size().Width; right > 400-pad+0.5 {
			t.Errorf("%q ends at %v, beyond the line (%v)", tx.Text, right, 400-pad)
		}
		lines[tx.Position().Y] = true
		words = append(words, strings.Fields(tx.Text)...)
	}
	want := strings.Fields(p.String())
	if strings.Join(words, " ") != strings.Join(want, " ") {
		t.Fatalf("the words changed:\n%q\n%q", words, want)
	}
	if len(lines) < 4 {
		t.Fatalf("%d lines for %d words in 400 px", len(lines), len(want))
	}
	if p.MinSize().Height < float32(len(lines))*19 {
		t.Fatalf("height %v for %d lines", p.MinSize().Height, len(lines))
	}
	// Narrower: more lines, and the height follows.
	before := p.MinSize().Height
	laidOut(t, p, 250)
	if p.MinSize().Height <= before {
		t.Fatalf("narrower but not taller: %v then %v", before, p.MinSize().Height)
	}
}

func TestProseBreaksWhereTheTextSaysAndCutsWordsWiderThanALine(t *testing.T) {
	newTestApp(t)
	long := "/usr/share/" + strings.Repeat("very-long-file-name-", 12) + "end.ttf"
	p := newProse(span{text: "first line\nsecond line\n\n" + long + " after", style: widget.RichTextStyleParagraph})
	texts := laidOut(t, p, 300)
	if texts[0].Text != "first line" || texts[1].Text != "second line" {
		t.Fatalf("lines %q, %q", texts[0].Text, texts[1].Text)
	}
	if gap := texts[2].Position().Y - texts[1].Position().Y; gap < 2*texts[1].Size().Height {
		t.Fatalf("the empty line is missing (the next line is %v below)", gap)
	}
	var joined string
	for _, tx := range texts[2:] {
		if tx.Position().X+tx.Size().Width > 300 {
			t.Errorf("%q runs past the edge", tx.Text)
		}
		joined += tx.Text
	}
	if joined != long+"after" && joined != long+" after" {
		t.Fatalf("the long word came out as %q", joined)
	}
}

func TestProseLinksOpenAndPoint(t *testing.T) {
	newTestApp(t)
	docs, _ := url.Parse("https://platform.openai.com/docs")
	p := newProse(
		span{text: "Read ", style: widget.RichTextStyleInline},
		span{text: "the docs", style: widget.RichTextStyleInline, link: docs},
		span{text: " first.", style: widget.RichTextStyleParagraph},
	)
	texts := laidOut(t, p, 500)
	link := texts[1]
	if link.Text != "the docs" || link.Color != theme.Color(theme.ColorNameHyperlink) {
		t.Fatalf("link drawn as %q in %v", link.Text, link.Color)
	}
	over := link.Position().Add(fyne.NewPos(5, 5))
	p.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: over}})
	if p.Cursor() != desktop.PointerCursor || p.linkAt(over) != docs {
		t.Fatal("no pointer over the link")
	}
	beside := texts[0].Position().Add(fyne.NewPos(2, 5))
	p.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: beside}})
	if p.Cursor() != desktop.DefaultCursor || p.linkAt(beside) != nil {
		t.Fatal("a pointer over plain text")
	}
}
