package widgets

import (
	"net/url"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// Fyne's own Markdown has no tables, no strikethrough and no highlighting, and turns a code
// block inside a list into text. Parley parses with goldmark and its GitHub extensions and
// builds the widgets itself: rich text for prose, and widgets of its own for code and tables.

var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM))

// Prepare reads what showing answers needs and start-up leaves out: the highlighter's languages
// (third_party/chroma) and Linkify's two expressions (third_party/goldmark), a few milliseconds
// the first time. Call it off the UI goroutine before an answer may show, so that the first code
// block or link does not wait for them there; it returns at once after the first time.
func Prepare() { prepared.Do(prepare) }

var prepared sync.Once

func prepare() {
	lexers.Get("go")
	// A URL at a line's start, then a www. address after a space: each expression once.
	gfm.Parser().Parse(text.NewReader([]byte("https://example.com www.example.com")))
}

// Actions are what a rendered message's controls do; the screens decide.
type Actions struct {
	Copy  func(text string)                   // a code block's Copy button
	Open  func(label string, target *url.URL) // a link tapped (nil: OpenSafe)
	Hover func(target *url.URL)               // the pointer came onto a link (nil at its leaving)
	// Scroll takes the vertical wheel over a code block (which scrolls only sideways): the page's
	// scroll, to pass it on to.
	Scroll func(*fyne.ScrollEvent)
	// Marks are words to highlight in the text (a search that opened the message), matched as
	// the search matches them: at a word's start, ignoring case.
	Marks []string
}

func (a Actions) open(label string, u *url.URL) {
	if a.Open != nil {
		a.Open(label, u)
		return
	}
	OpenSafe(u)
}

// Markdown renders Markdown source as widgets.
func Markdown(src string, act Actions) fyne.CanvasObject {
	return (&MarkdownCache{}).Render(src, act)
}

// MarkdownCache renders Markdown again and again as it grows (a streaming answer), building widgets
// only for the top-level blocks whose source changed: while an answer streams, that is the last
// one or two.
type MarkdownCache struct {
	keys  []string
	objs  []fyne.CanvasObject
	marks string // the marks the blocks were built with
}

func (c *MarkdownCache) Render(src string, act Actions) fyne.CanvasObject {
	if marks := strings.Join(act.Marks, "\x00"); marks != c.marks {
		c.keys, c.objs, c.marks = nil, nil, marks
	}
	source := []byte(src)
	doc := gfm.Parser().Parse(text.NewReader(source))
	r := &mdRenderer{src: source, act: act}
	var keys []string
	var objs []fyne.CanvasObject
	starts := []int{}
	for b := doc.FirstChild(); b != nil; b = b.NextSibling() {
		starts = append(starts, blockStart(b))
	}
	i := 0
	for b := doc.FirstChild(); b != nil; b = b.NextSibling() {
		end := len(src)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		key := src[max(starts[i], 0):max(end, starts[i], 0)]
		var obj fyne.CanvasObject
		if i < len(c.keys) && c.keys[i] == key && starts[i] >= 0 {
			obj = c.objs[i]
		} else {
			obj = r.block(b)
		}
		keys, objs = append(keys, key), append(objs, obj)
		i++
	}
	c.keys, c.objs = keys, objs
	return container.New(&Stack{Gap: theme.Padding()}, objs...)
}

// RenderGrowing renders an answer still being written: a table shows as a table as soon as its
// header row is complete, before its delimiter row has arrived.
func (c *MarkdownCache) RenderGrowing(src string, act Actions) fyne.CanvasObject {
	return c.Render(completeTable(src), act)
}

// completeTable adds, or completes, the delimiter row under a table header that ends the text:
// Markdown knows a table only from the row of dashes under its header, which streams in last.
func completeTable(src string) string {
	lines := strings.Split(src, "\n")
	n := len(lines)
	if n < 2 {
		return src
	}
	head, tail := lines[n-2], lines[n-1]
	if !isTableRow(head) || (n >= 3 && isTableRow(lines[n-3])) || (tail != "" && !isPartialDelimiter(tail)) || inFence(lines[:n-2]) {
		return src
	}
	cells := len(tableCells(head))
	delim := "|" + strings.Repeat(" --- |", cells)
	return strings.Join(lines[:n-1], "\n") + "\n" + delim + "\n"
}

// inFence tells whether lines leave a code fence open: a table there is code.
func inFence(lines []string) bool {
	open := ""
	for _, l := range lines {
		t := strings.TrimLeft(l, " ")
		for _, f := range []string{"```", "~~~"} {
			if strings.HasPrefix(t, f) {
				switch {
				case open == "":
					open = f
				case open == f && strings.TrimSpace(t[len(f):]) == "":
					open = ""
				}
			}
		}
	}
	return open != ""
}

// isTableRow tells a line that starts a table row: a pipe, and cells after it.
func isTableRow(line string) bool {
	t := strings.TrimSpace(line)
	return strings.HasPrefix(t, "|") && len(tableCells(t)) >= 1 && strings.Count(t, "|") >= 2
}

// isPartialDelimiter tells the beginning of a delimiter row ("|---|:-").
func isPartialDelimiter(line string) bool {
	t := strings.TrimSpace(line)
	return t != "" && strings.Trim(t, "|:- ") == "" && strings.Contains(t, "-")
}

// tableCells splits a table row into its cells (escaped pipes stay in their cell).
func tableCells(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimPrefix(row, "|")
	if strings.HasSuffix(row, "|") && !strings.HasSuffix(row, "\\|") {
		row = row[:len(row)-1]
	}
	var cells []string
	start := 0
	for i := 0; i < len(row); i++ {
		switch row[i] {
		case '\\':
			i++
		case '|':
			cells = append(cells, row[start:i])
			start = i + 1
		}
	}
	return append(cells, row[start:])
}

// blockStart is where a block's source begins, or -1 when it has no text of its own to tell.
func blockStart(n ast.Node) int {
	if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
		return n.Lines().At(0).Start
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok {
			return t.Segment.Start
		}
		if s := blockStart(c); s >= 0 {
			return s
		}
	}
	return -1
}
