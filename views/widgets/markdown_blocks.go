package widgets

import (
	"net/url"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// The Markdown's blocks as widgets: prose as rich text, lists with their markers, quotes behind
// a bar, code and tables by their own widgets (code.go, table.go).

// mdRenderer builds the widgets of one message's parsed Markdown.
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

// markerWidth is the room a list item's marker takes; quoteIndent a quote's bar and gap.
const (
	markerWidth = 26
	quoteIndent = 14
)

// markerLayout places a list marker in a narrow column and the item beside it.
type markerLayout struct{}

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
