package widgets

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"

	"parley/views/bridge"
)

// newCodeBlock shows code highlighted by chroma, on its own background, with the language and
// a Copy button above it. Long lines scroll sideways instead of wrapping.
func newCodeBlock(lang, code string, act Actions) fyne.CanvasObject {
	copyText := act.Copy
	code = strings.TrimSuffix(code, "\n")
	body := widget.NewRichText(highlight(lang, code)...)
	body.Wrapping = fyne.TextWrapOff
	name := lang
	if name == "" {
		name = "code"
	}
	label := widget.NewRichText(&widget.TextSegment{Text: name, Style: widget.RichTextStyle{
		ColorName: ColorMuted, SizeName: theme.SizeNameCaptionText, TextStyle: fyne.TextStyle{Monospace: true}}})
	copyButton := &widget.Button{Text: "Copy", Icon: theme.ContentCopyIcon(), Importance: widget.LowImportance}
	copyButton.OnTapped = func() {
		if copyText == nil {
			return
		}
		copyText(code)
		copyButton.SetText("Copied")
		time.AfterFunc(1500*time.Millisecond, func() { bridge.Do(func() { copyButton.SetText("Copy") }) })
	}
	header := container.NewBorder(nil, nil, label, copyButton)
	back := NewThemedRect(ColorCodeBack, 6)
	scroll := newSideScroll(body, act.Scroll)
	return container.NewStack(back, container.NewBorder(header, nil, nil, nil, scroll))
}

// sideScroll scrolls a code block sideways, and only sideways: a horizontal wheel or Shift with
// the wheel. Fyne's own horizontal scroll took the vertical wheel too (turning it sideways),
// so a page of code answers caught the wheel under the pointer and the page did not move: the
// vertical wheel goes to the page (page, nil: nowhere).
type sideScroll struct {
	container.Scroll
	page func(*fyne.ScrollEvent)
}

func newSideScroll(content fyne.CanvasObject, page func(*fyne.ScrollEvent)) *sideScroll {
	s := &sideScroll{page: page}
	s.Direction = container.ScrollHorizontalOnly
	s.Content = content
	s.ExtendBaseWidget(s)
	return s
}

func (s *sideScroll) Scrolled(e *fyne.ScrollEvent) {
	dx, dy := e.Scrolled.DX, e.Scrolled.DY
	if shiftHeld.Load() && dx == 0 {
		dx, dy = dy, 0
	}
	if dx != 0 && abs(dx) >= abs(dy) {
		side := *e
		side.Scrolled = fyne.Delta{DX: dx}
		s.Scroll.Scrolled(&side)
		return
	}
	if s.page != nil {
		s.page(e)
	}
}

func abs(f float32) float32 {
	if f < 0 {
		return -f
	}
	return f
}

// shiftHeld follows the Shift key, which turns the wheel sideways over code: the screens tell
// it (SetShift) from the key events they see.
var shiftHeld atomic.Bool

// SetShift notes whether Shift is held down.
func SetShift(down bool) { shiftHeld.Store(down) }

// highlighted caches recent highlighting: a streaming answer re-renders its finished code
// blocks many times a second.
var highlighted = struct {
	sync.Mutex
	m map[[2]string][]widget.RichTextSegment
}{m: map[[2]string][]widget.RichTextSegment{}}

// highlight splits code into coloured monospace segments, one colour per kind of token.
func highlight(lang, code string) []widget.RichTextSegment {
	key := [2]string{lang, code}
	highlighted.Lock()
	cached, ok := highlighted.m[key]
	highlighted.Unlock()
	if ok {
		return copySegments(cached)
	}
	var segs []widget.RichTextSegment
	lexer := lexers.Get(lang)
	if lexer == nil && lang == "" && len(code) < 20_000 {
		lexer = lexers.Analyse(code)
	}
	if lexer != nil {
		if it, err := chroma.Coalesce(lexer).Tokenise(nil, code); err == nil {
			for tok := it(); tok != chroma.EOF; tok = it() {
				segs = append(segs, codeSegment(tok.Value, syntaxColor(tok.Type)))
			}
		}
	}
	if segs == nil {
		segs = []widget.RichTextSegment{codeSegment(code, "")}
	}
	// The last segment ends the block.
	segs[len(segs)-1].(*widget.TextSegment).Style.Inline = false
	highlighted.Lock()
	if len(highlighted.m) > 256 {
		clear(highlighted.m)
	}
	highlighted.m[key] = segs
	highlighted.Unlock()
	return copySegments(segs)
}

// copySegments copies text segments: a segment belongs to the one RichText that shows it.
func copySegments(in []widget.RichTextSegment) []widget.RichTextSegment {
	out := make([]widget.RichTextSegment, len(in))
	for i, s := range in {
		t := *s.(*widget.TextSegment)
		out[i] = &t
	}
	return out
}

func codeSegment(text string, color fyne.ThemeColorName) *widget.TextSegment {
	if color == "" {
		color = theme.ColorNameForeground
	}
	return &widget.TextSegment{Text: text, Style: widget.RichTextStyle{
		ColorName: color, Inline: true, SizeName: theme.SizeNameText, TextStyle: fyne.TextStyle{Monospace: true},
	}}
}

// syntaxColor names the theme colour of a kind of token.
func syntaxColor(t chroma.TokenType) fyne.ThemeColorName {
	kind := ""
	switch {
	case t.InCategory(chroma.Comment):
		kind = "comment"
	case t == chroma.KeywordType || t == chroma.NameClass:
		kind = "type"
	case t.InCategory(chroma.Keyword):
		kind = "keyword"
	case t.InSubCategory(chroma.LiteralString):
		kind = "string"
	case t.InSubCategory(chroma.LiteralNumber):
		kind = "number"
	case t == chroma.NameFunction || t == chroma.NameFunctionMagic:
		kind = "function"
	case t == chroma.NameBuiltin || t == chroma.NameBuiltinPseudo || t == chroma.NameConstant:
		kind = "builtin"
	case t == chroma.NameTag:
		kind = "tag"
	case t == chroma.NameAttribute || t == chroma.NameDecorator:
		kind = "function"
	case t.InCategory(chroma.Operator):
		kind = "operator"
	case t == chroma.GenericInserted:
		kind = "inserted"
	case t == chroma.GenericDeleted:
		kind = "deleted"
	default:
		return ""
	}
	return fyne.ThemeColorName(ColorSyntaxPrefix + kind)
}
