package widgets

import (
	"strings"
	"unicode"

	"fyne.io/fyne/v2/widget"
)

// MarkWords is text as segments, the words that start with one of marks (ignoring case, as a
// search matches them) highlighted.
func MarkWords(text string, style widget.RichTextStyle, marks []string) []widget.RichTextSegment {
	if len(marks) == 0 {
		return []widget.RichTextSegment{&widget.TextSegment{Style: style, Text: text}}
	}
	marked := style
	marked.ColorName, marked.TextStyle.Bold = ColorSearchMark, true
	marked.Inline = true
	plainStyle := style
	plainStyle.Inline = true
	var out []widget.RichTextSegment
	add := func(s string, st widget.RichTextStyle) {
		if s != "" {
			out = append(out, &widget.TextSegment{Style: st, Text: s})
		}
	}
	last := 0
	inWord := false
	for i, r := range text {
		letter := unicode.IsLetter(r) || unicode.IsNumber(r)
		if letter && !inWord {
			for _, m := range marks {
				if m != "" && len(text)-i >= len(m) && strings.EqualFold(text[i:i+len(m)], m) {
					add(text[last:i], plainStyle)
					add(text[i:i+len(m)], marked)
					last = i + len(m)
					break
				}
			}
		}
		inWord = letter
	}
	add(text[last:], plainStyle)
	if len(out) == 0 {
		return []widget.RichTextSegment{&widget.TextSegment{Style: style, Text: text}}
	}
	// The last segment keeps the block style: it ends the paragraph's line where it should.
	out[len(out)-1].(*widget.TextSegment).Style.Inline = style.Inline
	return out
}

// NewMarkedParagraph is a paragraph of text in one style, with marks highlighted.
func NewMarkedParagraph(text string, style widget.RichTextStyle, marks []string) *Prose {
	return newProse(spansOf(MarkWords(text, style, marks))...)
}
