package widgets

import (
	"net/url"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// Fyne's own Markdown has no tables, no strikethrough and no highlighting, and turns a code
// block inside a list into text. Parley parses with goldmark and its GitHub extensions and
// builds the widgets itself: rich text for prose, and widgets of its own for code and tables.

var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM))

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

type mdRenderer struct {
	src []byte
	act Actions
}

// block renders one top-level block.
func (r *mdRenderer) block(n ast.Node) fyne.CanvasObject {
	objs := r.blocks(n.Parent(), n).Objects
	if len(objs) == 1 {
		return objs[0]
	}
	return container.New(&Stack{Gap: theme.Padding()}, objs...)
}

// blocks renders the block children of n (or only the child only, when given), stacked.
func (r *mdRenderer) blocks(n ast.Node, only ...ast.Node) *fyne.Container {
	var objs []fyne.CanvasObject
	var prose []widget.RichTextSegment // the paragraph being built: one RichText per block
	flush := func() {
		if len(prose) > 0 {
			p := newProse(spansOf(prose)...)
			p.act = r.act
			objs = append(objs, p)
			prose = nil
		}
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if len(only) > 0 && c != only[0] {
			continue
		}
		flush()
		switch c := c.(type) {
		case *ast.Paragraph, *ast.TextBlock:
			prose = append(prose, r.paragraph(c, widget.RichTextStyleParagraph)...)
		case *ast.Heading:
			style := widget.RichTextStyleHeading
			switch {
			case c.Level == 2:
				style = widget.RichTextStyleSubHeading
			case c.Level >= 3:
				style = widget.RichTextStyleParagraph
				style.TextStyle.Bold = true
			}
			prose = append(prose, r.paragraph(c, style)...)
		case *ast.ThematicBreak:
			objs = append(objs, widget.NewSeparator())
		case *ast.FencedCodeBlock:
			flush()
			objs = append(objs, newCodeBlock(string(c.Language(r.src)), r.lines(c), r.act))
		case *ast.CodeBlock:
			flush()
			objs = append(objs, newCodeBlock("", r.lines(c), r.act))
		case *ast.HTMLBlock:
			flush()
			objs = append(objs, RichText([]widget.RichTextSegment{&widget.TextSegment{
				Style: mutedMono(false), Text: strings.TrimRight(r.lines(c), "\n"),
			}}))
		case *ast.Blockquote:
			flush()
			objs = append(objs, quoteBlock(r.blocks(c)))
		case *ast.List:
			flush()
			objs = append(objs, r.list(c))
		case *east.Table:
			flush()
			objs = append(objs, r.table(c))
		default:
			flush()
			objs = append(objs, r.blocks(c))
		}
	}
	flush()
	return container.New(&Stack{Gap: theme.Padding()}, objs...)
}

// lines returns the raw text of a code or HTML block.
func (r *mdRenderer) lines(n ast.Node) string {
	var b strings.Builder
	l := n.Lines()
	for i := 0; i < l.Len(); i++ {
		seg := l.At(i)
		b.Write(seg.Value(r.src))
	}
	return b.String()
}

// paragraph renders a block of inline content as one paragraph of segments.
func (r *mdRenderer) paragraph(n ast.Node, block widget.RichTextStyle) []widget.RichTextSegment {
	inline := block
	inline.Inline = true
	segs := r.inlines(n, inline)
	if len(segs) == 0 {
		return nil
	}
	// The last segment carries the block style, so the paragraph ends its line.
	last := segs[len(segs)-1]
	if t, ok := last.(*widget.TextSegment); ok {
		t.Style.Inline = false
	} else {
		segs = append(segs, &widget.TextSegment{Style: block, Text: ""})
	}
	return segs
}

// inlines renders inline nodes with a style that nesting (emphasis, code) refines.
func (r *mdRenderer) inlines(n ast.Node, style widget.RichTextStyle) []widget.RichTextSegment {
	var out []widget.RichTextSegment
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			t := string(c.Segment.Value(r.src))
			switch {
			case c.HardLineBreak():
				t += "\n"
			case c.SoftLineBreak():
				t += " "
			}
			out = append(out, MarkWords(t, style, r.act.Marks)...)
		case *ast.String:
			out = append(out, MarkWords(string(c.Value), style, r.act.Marks)...)
		case *ast.CodeSpan:
			s := style
			s.TextStyle.Monospace = true
			s.ColorName = ColorCodeInline
			out = append(out, &widget.TextSegment{Style: s, Text: plainInline(c, r.src)})
		case *ast.Emphasis:
			s := style
			if c.Level >= 2 {
				s.TextStyle.Bold = true
			} else {
				s.TextStyle.Italic = true
			}
			out = append(out, r.inlines(c, s)...)
		case *east.Strikethrough:
			s := style
			s.ColorName = ColorMuted
			for _, seg := range r.inlines(c, s) {
				if t, ok := seg.(*widget.TextSegment); ok {
					seg = &struckSegment{*t}
				}
				out = append(out, seg)
			}
		case *ast.Link:
			out = append(out, r.link(plainInline(c, r.src), string(c.Destination)))
		case *ast.AutoLink:
			u := string(c.URL(r.src))
			if c.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(u, "mailto:") {
				u = "mailto:" + u
			}
			out = append(out, r.link(string(c.Label(r.src)), u))
		case *ast.Image:
			out = append(out, r.link("🖼 "+plainInline(c, r.src), string(c.Destination)))
		case *east.TaskCheckBox:
			// The list draws the box in the bullet's place (taskBox).
		case *ast.RawHTML:
			var b strings.Builder
			for i := 0; i < c.Segments.Len(); i++ {
				seg := c.Segments.At(i)
				b.Write(seg.Value(r.src))
			}
			s := style
			s.ColorName = ColorMuted
			out = append(out, &widget.TextSegment{Style: s, Text: b.String()})
		default:
			out = append(out, r.inlines(c, style)...)
		}
	}
	return out
}

// struckSegment is ~~struck~~ text: prose draws a line through it.
type struckSegment struct{ widget.TextSegment }

// link is a link's segment. Tapped (in a table's rich text, or in prose), it goes through the
// screens' Open: Fyne's own hyperlink would open any scheme, unasked.
func (r *mdRenderer) link(label, dest string) widget.RichTextSegment {
	u, err := url.Parse(dest)
	if err != nil || u.Scheme == "" {
		return &widget.TextSegment{Style: widget.RichTextStyleInline, Text: label}
	}
	act := r.act
	return &widget.HyperlinkSegment{Text: label, URL: u, OnTapped: func() { act.open(label, u) }}
}

// SafeLink tells the links Parley opens without asking what they are: the web and mail.
func SafeLink(u *url.URL) bool {
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "mailto":
		return true
	}
	return false
}

// OpenSafe opens a web or mail link; any other kind (file:, a custom scheme) is not opened.
func OpenSafe(u *url.URL) {
	if SafeLink(u) {
		fyne.CurrentApp().OpenURL(u)
	}
}

// Disguised tells a link whose text names another place than it goes to: "https://platform.
// openai.com/docs" pointing elsewhere. A label of plain words names no place.
func Disguised(label string, u *url.URL) bool {
	l := strings.TrimSpace(strings.TrimPrefix(label, "🖼 "))
	if l == u.String() || l == strings.TrimPrefix(u.String(), u.Scheme+"://") || l == u.Opaque {
		return false
	}
	host := ""
	if lu, err := url.Parse(l); err == nil && lu.Host != "" {
		host = lu.Host
	} else if first := strings.Fields(l); len(first) == 1 && strings.Contains(l, ".") && !strings.ContainsAny(l, " /") {
		host = l // "openai.com", a bare domain
	} else if len(first) == 1 && strings.Contains(l, ".") {
		if lu, err := url.Parse("https://" + l); err == nil {
			host = lu.Host
		}
	}
	if host == "" {
		return false
	}
	return !strings.EqualFold(strings.TrimPrefix(host, "www."), strings.TrimPrefix(u.Host, "www."))
}

// plainInline is the text of inline content without its markup.
func plainInline(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

func mutedMono(inline bool) widget.RichTextStyle {
	return widget.RichTextStyle{ColorName: ColorMuted, Inline: inline, SizeName: theme.SizeNameText, TextStyle: fyne.TextStyle{Monospace: true}}
}

// richText is a word-wrapped RichText of segments.
func RichText(segs []widget.RichTextSegment) *widget.RichText {
	t := widget.NewRichText(segs...)
	t.Wrapping = fyne.TextWrapWord
	return t
}

// list renders a list item by item: a marker, then the item's own blocks, so code blocks and
// tables inside lists render as they should.
func (r *mdRenderer) list(l *ast.List) fyne.CanvasObject {
	var rows []fyne.CanvasObject
	i := 0
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		var marker fyne.CanvasObject
		if checked, ok := taskBox(item); ok { // a task: its box in the bullet's place
			icon := theme.CheckButtonIcon()
			if checked {
				icon = theme.CheckButtonCheckedIcon()
			}
			marker = container.New(&iconMarker{}, widget.NewIcon(icon))
		} else {
			marker = widget.NewRichText(&widget.TextSegment{Style: widget.RichTextStyleInline, Text: listMarker(l, i)})
		}
		rows = append(rows, container.New(&markerLayout{}, marker, r.blocks(item)))
		i++
	}
	return container.New(&Stack{Gap: 0}, rows...)
}

// taskBox tells a task list item ("- [x] done") and whether it is checked.
func taskBox(item ast.Node) (checked, ok bool) {
	if p := item.FirstChild(); p != nil {
		if box, is := p.FirstChild().(*east.TaskCheckBox); is {
			return box.IsChecked, true
		}
	}
	return false, false
}

// iconMarker places a task's box where a bullet's text would sit: on the first line.
type iconMarker struct{}

func (iconMarker) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	s := theme.IconInlineSize()
	objs[0].Move(fyne.NewPos((markerWidth-s)/2, theme.InnerPadding()))
	objs[0].Resize(fyne.NewSize(s, s))
}

func (iconMarker) MinSize([]fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(markerWidth, theme.IconInlineSize()+2*theme.InnerPadding())
}

// listMarker is the bullet, or the number, of a list's i-th item.
func listMarker(l *ast.List, i int) string {
	if !l.IsOrdered() {
		return "•"
	}
	return strconv.Itoa(l.Start+i) + "."
}

// Quote puts content behind a bar, as quotes look in a chat.
func Quote(content fyne.CanvasObject) fyne.CanvasObject { return quoteBlock(content) }

// quoteBlock puts blocks behind a bar, as quotes look in a chat.
func quoteBlock(content fyne.CanvasObject) fyne.CanvasObject {
	bar := NewThemedRect(ColorQuoteBar, 1)
	return container.New(&quoteLayout{}, bar, content)
}

// Stack stacks objects top to bottom at full width with a gap between them. Unlike a
// VBox it gives wrapped text its width before asking its height.
type Stack struct{ Gap float32 }

func (s *Stack) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		o.Resize(fyne.NewSize(size.Width, o.MinSize().Height))
		h := o.MinSize().Height // wrapped text knows its height once it knows its width
		o.Resize(fyne.NewSize(size.Width, h))
		o.Move(fyne.NewPos(0, y))
		y += h + s.Gap
	}
}

func (s *Stack) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	n := 0
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		w = max(w, m.Width)
		h += m.Height
		n++
	}
	if n > 1 {
		h += s.Gap * float32(n-1)
	}
	return fyne.NewSize(w, h)
}

// markerLayout places a list marker in a narrow column and the item beside it.
type markerLayout struct{}

const markerWidth = 26

func (markerLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(markerWidth, objs[0].MinSize().Height))
	objs[1].Move(fyne.NewPos(markerWidth, 0))
	objs[1].Resize(fyne.NewSize(size.Width-markerWidth, size.Height))
}

func (markerLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := objs[1].MinSize()
	return fyne.NewSize(markerWidth+m.Width, max(m.Height, objs[0].MinSize().Height))
}

// quoteLayout draws a bar down the left of its content.
type quoteLayout struct{}

const quoteIndent = 14

func (quoteLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.NewPos(2, 0))
	objs[0].Resize(fyne.NewSize(3, size.Height))
	objs[1].Move(fyne.NewPos(quoteIndent, 0))
	objs[1].Resize(fyne.NewSize(size.Width-quoteIndent, size.Height))
}

func (quoteLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := objs[1].MinSize()
	return fyne.NewSize(m.Width+quoteIndent, m.Height)
}

// plainText is Markdown without its markup: what "copy as text" copies.
func PlainText(src string) string {
	source := []byte(src)
	doc := gfm.Parser().Parse(text.NewReader(source))
	return strings.TrimSpace(plainBlocks(doc, source))
}

func plainBlocks(n ast.Node, src []byte) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Paragraph, *ast.TextBlock, *ast.Heading:
			b.WriteString(plainInline(c, src) + "\n\n")
		case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock:
			for i := 0; i < c.Lines().Len(); i++ {
				seg := c.Lines().At(i)
				b.Write(seg.Value(src))
			}
			b.WriteString("\n")
		case *ast.List:
			i := 0
			for item := c.FirstChild(); item != nil; item = item.NextSibling() {
				body := strings.TrimSpace(plainBlocks(item, src))
				marker := listMarker(c, i)
				if checked, ok := taskBox(item); ok {
					marker = "[ ]"
					if checked {
						marker = "[x]"
					}
				}
				b.WriteString(marker + " " + strings.ReplaceAll(body, "\n", "\n   ") + "\n")
				i++
			}
			b.WriteString("\n")
		case *east.Table:
			for row := c.FirstChild(); row != nil; row = row.NextSibling() {
				var cells []string
				for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
					cells = append(cells, plainInline(cell, src))
				}
				b.WriteString(strings.Join(cells, "\t") + "\n")
			}
			b.WriteString("\n")
		case *ast.ThematicBreak:
			b.WriteString("\n")
		default:
			b.WriteString(plainBlocks(c, src))
		}
	}
	return b.String()
}
