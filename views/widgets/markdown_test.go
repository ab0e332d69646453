package widgets

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
)

func TestPlainText(t *testing.T) {
	got := PlainText("# Title\n\nSome **bold** text.\n\n- one\n- two\n\n```go\nx := 1\n```")
	if got != "Title\n\nSome bold text.\n\n• one\n• two\n\nx := 1" {
		t.Fatalf("%q", got)
	}
	if got := PlainText("- [ ] to do\n- [x] done"); got != "[ ] to do\n[x] done" {
		t.Fatalf("tasks as text: %q", got)
	}
}

// rendered shows Markdown at a width and returns its markup.
func rendered(t *testing.T, o fyne.CanvasObject, width float32) string {
	t.Helper()
	w := test.NewTempWindow(t, o)
	w.Resize(fyne.NewSize(width, o.MinSize().Height+20))
	w.Resize(fyne.NewSize(width, o.MinSize().Height+20))
	return test.RenderToMarkup(w.Canvas())
}

// allObjects visits every object of a tree with where it is on it.
func allObjects(o fyne.CanvasObject, off fyne.Position, visit func(fyne.CanvasObject, fyne.Position)) {
	pos := off.Add(o.Position())
	visit(o, pos)
	switch c := o.(type) {
	case *fyne.Container:
		for _, k := range c.Objects {
			allObjects(k, pos, visit)
		}
	case fyne.Widget:
		for _, k := range test.WidgetRenderer(c).Objects() {
			allObjects(k, pos, visit)
		}
	}
}

// Text after bold starts where the bold ends: "**thing 999**:" does not put the colon on the 9.
func TestTextAfterBoldStartsWhereTheBoldEnds(t *testing.T) {
	newTestApp(t)
	md := Markdown("The **thing 999**: follows, then *italic*, then more.", Actions{})
	rendered(t, md, 600)
	var bold, colon *canvas.Text
	var boldAt, colonAt fyne.Position
	allObjects(md, fyne.Position{}, func(o fyne.CanvasObject, at fyne.Position) {
		if tx, ok := o.(*canvas.Text); ok {
			switch {
			case tx.TextStyle.Bold:
				bold, boldAt = tx, at
			case strings.HasPrefix(tx.Text, ":"):
				colon, colonAt = tx, at
			}
		}
	})
	if bold == nil || colon == nil {
		t.Fatal("no bold text or no colon")
	}
	drawn := fyne.MeasureText(bold.Text, bold.TextSize, bold.TextStyle).Width
	if end := boldAt.X + drawn; colonAt.X < end-0.5 || colonAt.X > end+2 {
		t.Fatalf("the bold ends at %v, the colon starts at %v", end, colonAt.X)
	}
}

// ~~Struck~~ text has a line through it, not only a muted colour.
func TestStrikethroughDrawsALine(t *testing.T) {
	newTestApp(t)
	md := Markdown("It was ~~wrong~~ right.", Actions{})
	rendered(t, md, 500)
	var word *canvas.Text
	var line *canvas.Line
	allObjects(md, fyne.Position{}, func(o fyne.CanvasObject, _ fyne.Position) {
		switch x := o.(type) {
		case *canvas.Text:
			if x.Text == "wrong" {
				word = x
			}
		case *canvas.Line:
			line = x
		}
	})
	if word == nil || line == nil {
		t.Fatal("no line through the struck word")
	}
	if line.Position1.X > word.Position().X+1 || line.Position2.X < word.Position().X+word.Size().Width-4 {
		t.Fatalf("the line (%v to %v) does not cross the word (%v, %v wide)", line.Position1.X, line.Position2.X, word.Position().X, word.Size().Width)
	}
	if y := line.Position1.Y; y < word.Position().Y+2 || y > word.Position().Y+word.Size().Height-2 {
		t.Fatalf("the line at %v is not through the word (%v to %v)", y, word.Position().Y, word.Position().Y+word.Size().Height)
	}
}

// A task item shows its box in the bullet's place, not a bullet and a box.
func TestTaskItemsShowABoxNotABullet(t *testing.T) {
	newTestApp(t)
	markup := rendered(t, Markdown("- [ ] write the tests\n- [x] read the issue\n- plain item", Actions{}), 500)
	if n := strings.Count(markup, ">•<"); n != 1 {
		t.Fatalf("%d bullets for one plain item:\n%s", n, markup)
	}
	if !strings.Contains(markup, `rsc="checkButtonIcon"`) || !strings.Contains(markup, `rsc="checkButtonCheckedIcon"`) {
		t.Fatalf("no boxes:\n%s", markup)
	}
	if strings.Contains(markup, "☐") || strings.Contains(markup, "☑") || strings.Contains(markup, "[ ]") {
		t.Fatal("the box is drawn as text too")
	}
}

// While an answer streams, a table is a table as soon as its header row is complete.
func TestATableShowsAsItsHeaderArrives(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"Models:\n\n| Model | Context |\n", "Models:\n\n| Model | Context |\n| --- | --- |\n"},
		{"| Model | Context |\n|--", "| Model | Context |\n| --- | --- |\n"},
		{"| Model | Context |\n|---|:-", "| Model | Context |\n| --- | --- |\n"},
		{"| Model | Con", "| Model | Con"},                             // the header is not known yet
		{"| A | B |\n|---|---|\n| 1 |", "| A | B |\n|---|---|\n| 1 |"}, // a table already
		{"```\n| A | B |\n", "```\n| A | B |\n"},                       // code, not a table
		{"Not a table | here\n", "Not a table | here\n"},               // no leading pipe
		{"| a \\| b | c |\n", "| a \\| b | c |\n| --- | --- |\n"},      // an escaped pipe is text
		{"| A | B |\nmore text", "| A | B |\nmore text"},               // the next line is no delimiter
	} {
		if got := completeTable(tc.src); got != tc.want {
			t.Errorf("completeTable(%q) = %q, want %q", tc.src, got, tc.want)
		}
	}
	newTestApp(t)
	var c MarkdownCache
	markup := rendered(t, c.RenderGrowing("| Model | Context |\n|-", Actions{}), 500)
	if strings.Contains(markup, "|") || !strings.Contains(markup, ">Model<") || !strings.Contains(markup, ">Context<") {
		t.Fatalf("the header streams as raw pipes:\n%s", markup)
	}
}
