package widgets

import (
	"net/url"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// prose is a paragraph of styled text that Parley lays out itself. Fyne's RichText wraps a
// paragraph by measuring ever longer stretches of it, shaping each with HarfBuzz, on every
// change: a long paragraph streaming in thirty times a second fell 290 ms behind. Here each
// word is measured once and remembered, lines are broken by adding widths, and each line is
// drawn as one text per style. It wraps again only when its width or its text changes.
// (Text selection is not offered, as Fyne's RichText does not offer it either.)
type Prose struct {
	widget.BaseWidget
	act   Actions // what a link does when tapped, or pointed at
	spans []span
	hover *url.URL       // the link under the pointer
	r     *proseRenderer // where the links are
}

// span is a run of text in one style; link is set for a hyperlink, strike for ~~struck~~ text.
type span struct {
	text   string
	style  widget.RichTextStyle
	link   *url.URL
	strike bool
}

func newProse(spans ...span) *Prose {
	p := &Prose{spans: spans}
	p.ExtendBaseWidget(p)
	return p
}

// spansOf turns rich-text segments (from the Markdown renderer) into spans.
func spansOf(segs []widget.RichTextSegment) []span {
	var out []span
	for _, s := range segs {
		switch s := s.(type) {
		case *struckSegment:
			out = append(out, span{text: s.Text, style: s.Style, strike: true})
		case *widget.TextSegment:
			out = append(out, span{text: s.Text, style: s.Style})
		case *widget.HyperlinkSegment:
			out = append(out, span{text: s.Text, style: widget.RichTextStyleInline, link: s.URL})
		}
	}
	return out
}

// String is the paragraph's text.
func (p *Prose) String() string {
	var b strings.Builder
	for _, s := range p.spans {
		b.WriteString(s.text)
	}
	return b.String()
}

func (p *Prose) CreateRenderer() fyne.WidgetRenderer {
	p.r = &proseRenderer{p: p, width: -1}
	return p.r
}

// Tapped opens the link under the pointer, through the screens' Open.
func (p *Prose) Tapped(e *fyne.PointEvent) {
	if u := p.linkAt(e.Position); u != nil {
		p.act.open(p.labelOf(u), u)
	}
}

// labelOf is the text a link shows.
func (p *Prose) labelOf(u *url.URL) string {
	var b strings.Builder
	for _, s := range p.spans {
		if s.link == u {
			b.WriteString(s.text)
		}
	}
	return b.String()
}

// Cursor is a pointing hand over links.
func (p *Prose) Cursor() desktop.Cursor {
	if p.hover != nil {
		return desktop.PointerCursor
	}
	return desktop.DefaultCursor
}

func (p *Prose) MouseIn(e *desktop.MouseEvent)    { p.point(p.linkAt(e.Position)) }
func (p *Prose) MouseMoved(e *desktop.MouseEvent) { p.point(p.linkAt(e.Position)) }
func (p *Prose) MouseOut()                        { p.point(nil) }

// point follows the pointer onto and off links, saying where the link goes.
func (p *Prose) point(u *url.URL) {
	if u == p.hover {
		return
	}
	p.hover = u
	if p.act.Hover != nil {
		p.act.Hover(u)
	}
}

func (p *Prose) linkAt(pos fyne.Position) *url.URL {
	if p.r == nil {
		return nil
	}
	for _, run := range p.r.runs {
		at, size := run.text.Position(), run.text.Size()
		if run.link != nil && pos.X >= at.X && pos.X < at.X+size.Width && pos.Y >= at.Y && pos.Y < at.Y+size.Height {
			return run.link
		}
	}
	return nil
}

type proseRenderer struct {
	p       *Prose
	width   float32 // the width the lines were broken for; -1 before the first layout
	height  float32
	runs    []placedRun
	objects []fyne.CanvasObject
}

// placedRun is a text on a line: one style, one link.
type placedRun struct {
	text *canvas.Text
	link *url.URL
}

// run is a stretch of a line in one style, before it is drawn.
type run struct {
	text            string
	x, width        float32
	ascent, descent float32
	size            float32
	style           fyne.TextStyle
	color           fyne.ThemeColorName
	link            *url.URL
	strike          bool
}

func (r *proseRenderer) Layout(size fyne.Size) {
	if size.Width != r.width {
		r.lay(size.Width)
	}
}

func (r *proseRenderer) MinSize() fyne.Size {
	if r.width < 0 {
		r.lay(r.p.Size().Width)
	}
	return fyne.NewSize(2*theme.SizeForWidget(theme.SizeNameInnerPadding, r.p), r.height)
}

// Refresh lays the text out again, in the theme's colours and sizes.
func (r *proseRenderer) Refresh() {
	r.lay(r.p.Size().Width)
	canvas.Refresh(r.p)
}

func (r *proseRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *proseRenderer) Destroy()                     {}

// lay breaks the spans into lines for a width (0: lines end only where the text says) and
// places one text per style on each line, their baselines aligned. (Fyne keeps a texture per
// text content: lines that stay the same as a paragraph grows are not drawn again.)
func (r *proseRenderer) lay(width float32) {
	p := r.p
	pad := theme.SizeForWidget(theme.SizeNameInnerPadding, p)
	limit := width - 2*pad
	if width <= 0 {
		limit = float32(1 << 30)
	}
	r.width = width
	r.runs = r.runs[:0:0]
	r.objects = r.objects[:0:0]
	var line []run // the line being filled
	x, y := float32(0), pad
	emptyLine := float32(0) // the height of a line with nothing on it
	endLine := func() {
		ascent, descent := float32(0), float32(0)
		for _, rn := range line {
			ascent, descent = max(ascent, rn.ascent), max(descent, rn.descent)
		}
		if len(line) == 0 {
			ascent = emptyLine
		}
		for _, rn := range line {
			t := r.text(rn)
			t.Move(fyne.NewPos(pad+rn.x, y+ascent-rn.ascent))
			t.Resize(fyne.NewSize(rn.width, rn.ascent+rn.descent))
			if rn.strike { // through the middle of the lower-case letters
				mid := y + ascent - rn.ascent*0.32
				width := fyne.MeasureText(t.Text, rn.size, rn.style).Width
				l := &canvas.Line{Position1: fyne.NewPos(pad+rn.x, mid), Position2: fyne.NewPos(pad+rn.x+width, mid), StrokeColor: t.Color, StrokeWidth: 1}
				r.objects = append(r.objects, l)
			}
		}
		y += ascent + descent
		x, line = 0, line[:0]
	}
	add := func(s *span, size float32, style fyne.TextStyle, text string, m textMetrics, spaces int, space float32) {
		w := m.width + float32(spaces)*space
		text += strings.Repeat(" ", spaces)
		color := colorOf(s)
		if n := len(line) - 1; n >= 0 && line[n].style == style && line[n].size == size && line[n].link == s.link && line[n].color == color && line[n].strike == s.strike {
			line[n].text += text
			line[n].width += w
			line[n].ascent, line[n].descent = max(line[n].ascent, m.baseline), max(line[n].descent, m.height-m.baseline)
		} else {
			line = append(line, run{text: text, x: x, width: w, ascent: m.baseline, descent: m.height - m.baseline,
				size: size, style: style, color: color, link: s.link, strike: s.strike})
		}
		x += w
	}
	for i := range p.spans {
		s := &p.spans[i]
		size := theme.SizeForWidget(sizeName(s.style), p)
		style := s.style.TextStyle
		space := measure(" ", size, style).width
		emptyLine = max(emptyLine, measure("", size, style).height)
		for _, tok := range tokens(s.text) {
			switch {
			case tok.word == "\n":
				endLine()
			case tok.word == "": // spaces that open a span
				if x > 0 {
					add(s, size, style, "", measure("", size, style), tok.spaces, space)
				}
			default:
				m := measureWord(tok.word, size, style)
				if x > 0 && x+m.width > limit {
					endLine()
				}
				word := tok.word
				for m.width > limit-x && len(word) > 1 { // a word wider than the line: cut it
					cut := fitting(word, size, style, limit-x)
					add(s, size, style, word[:cut], measureRaw(word[:cut], size, style), 0, 0)
					endLine()
					word = word[cut:]
					m = measureWord(word, size, style)
				}
				add(s, size, style, word, m, tok.spaces, space)
			}
		}
	}
	if len(line) > 0 || len(r.runs) == 0 {
		endLine()
	}
	r.height = y + pad
}

// text draws a run.
func (r *proseRenderer) text(rn run) *canvas.Text {
	t := &canvas.Text{Text: strings.TrimRight(rn.text, " "), TextSize: rn.size, TextStyle: rn.style, Color: theme.ColorForWidget(rn.color, r.p)}
	r.runs = append(r.runs, placedRun{text: t, link: rn.link})
	r.objects = append(r.objects, t)
	return t
}

func sizeName(s widget.RichTextStyle) fyne.ThemeSizeName {
	if s.SizeName == "" {
		return theme.SizeNameText
	}
	return s.SizeName
}

func colorOf(s *span) fyne.ThemeColorName {
	switch {
	case s.link != nil:
		return theme.ColorNameHyperlink
	case s.style.ColorName != "":
		return s.style.ColorName
	}
	return theme.ColorNameForeground
}

// token is a word and the spaces after it; a word "\n" ends the line.
type token struct {
	word   string
	spaces int
}

func tokens(text string) []token {
	var out []token
	for len(text) > 0 {
		if text[0] == '\n' {
			out = append(out, token{word: "\n"})
			text = text[1:]
			continue
		}
		end := strings.IndexAny(text, " \n")
		if end < 0 {
			end = len(text)
		}
		t := token{word: text[:end]}
		text = text[end:]
		for len(text) > 0 && text[0] == ' ' {
			t.spaces++
			text = text[1:]
		}
		out = append(out, t)
	}
	return out
}

// fitting is how many bytes of word fit in width (at least one character).
func fitting(word string, size float32, style fyne.TextStyle, width float32) int {
	// Widths grow with the prefix: search the longest that fits, among the first characters a
	// line could ever hold (a character is at least a quarter of the text size wide).
	bounds := []int{}
	for i := range word {
		if i > 0 {
			bounds = append(bounds, i)
		}
		if len(bounds) > int(width/(size/4))+4 {
			break
		}
	}
	if len(bounds) == 0 {
		return len(word) // one character
	}
	fit := sort.Search(len(bounds), func(k int) bool { return measureRaw(word[:bounds[k]], size, style).width > width })
	if fit == 0 {
		_, n := utf8.DecodeRuneInString(word)
		return n
	}
	return bounds[fit-1]
}

// longWord is the length from which a word is taken to be wider than any line without
// measuring it whole: shaping a 64 KB run of characters, again for each line cut from it,
// held the window for seconds.
const longWord = 512

// measureWord measures a word, or, for a very long one, says it is wider than any line.
func measureWord(word string, size float32, style fyne.TextStyle) textMetrics {
	if len(word) <= longWord {
		return measure(word, size, style)
	}
	m := measure("", size, style)
	m.width = float32(1 << 30)
	return m
}

// measureRaw measures a text without keeping it: a piece of a long word is seen once.
func measureRaw(text string, size float32, style fyne.TextStyle) textMetrics {
	s, base := fyne.CurrentApp().Driver().RenderedTextSize(text, size, style, nil)
	return textMetrics{width: s.Width, height: s.Height, baseline: base}
}

// The widths of the words Parley has shown: measuring shapes the text, which is what made
// wrapping slow.
var measured = struct {
	sync.Mutex
	m map[measureKey]textMetrics
}{m: map[measureKey]textMetrics{}}

type measureKey struct {
	text  string
	size  float32
	style fyne.TextStyle
}

// textMetrics are a text's width and height, and the distance from its top to its baseline.
type textMetrics struct{ width, height, baseline float32 }

// measure measures a text once ("" gives the style's line height and baseline).
func measure(text string, size float32, style fyne.TextStyle) textMetrics {
	key := measureKey{text, size, style}
	measured.Lock()
	m, ok := measured.m[key]
	measured.Unlock()
	if ok {
		return m
	}
	probe := text
	if probe == "" {
		probe = "Ag"
	}
	s, base := fyne.CurrentApp().Driver().RenderedTextSize(probe, size, style, nil)
	m = textMetrics{width: s.Width, height: s.Height, baseline: base}
	if text == "" {
		m.width = 0
	}
	measured.Lock()
	if len(measured.m) > 30_000 { // a long session's words: start again rather than grow
		clear(measured.m)
	}
	measured.m[key] = m
	measured.Unlock()
	return m
}

// NewParagraph is a paragraph of text in one style.
func NewParagraph(text string, style widget.RichTextStyle) *Prose {
	return newProse(span{text: text, style: style})
}
