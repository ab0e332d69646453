package markdown

import (
	"errors"
	"sort"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// In an export the title is a level-1 heading and each speaker a level-2 one, so an answer's
// own headings are written two levels lower ("# Plan" as "### Plan") and never outrank the
// speaker they belong to. Each change is kept in the message's opening comment, so the import
// puts back exactly what was written.

// headingShift is how many levels an answer's headings go down in an export.
const headingShift = 2

// edit is one change made to a message's content for the export: the Len bytes at At (in the
// text as written) were Was.
type edit struct {
	At  int    `json:"at"`
	Len int    `json:"len"`
	Was string `json:"was"`
}

// demoteHeadings returns content with its headings two levels lower, and the edits that undo it.
func demoteHeadings(content string) (string, []edit) {
	if !strings.Contains(content, "#") && !strings.Contains(content, "\n=") && !strings.Contains(content, "\n-") {
		return content, nil // no heading can be there
	}
	src := []byte(content)
	doc := commonMark.Parser().Parse(text.NewReader(src))
	type change struct {
		start, end int
		with       string
	}
	var changes []change
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		h, ok := n.(*ast.Heading)
		if !entering || !ok || h.Lines().Len() == 0 {
			return ast.WalkContinue, nil
		}
		level := min(h.Level+headingShift, 6)
		first := h.Lines().At(0).Start
		// An ATX heading: its #s stand before its text, spaces between.
		i := first
		for i > 0 && (src[i-1] == ' ' || src[i-1] == '\t') {
			i--
		}
		end := i
		for i > 0 && src[i-1] == '#' {
			i--
		}
		if end-i == h.Level {
			changes = append(changes, change{i, end, strings.Repeat("#", level)})
			return ast.WalkSkipChildren, nil
		}
		// A setext heading: its text lines, then a line of = or -. It becomes an ATX heading.
		p := h.Lines().At(h.Lines().Len() - 1).Stop // the end of its text: then the underline's line
		if p > 0 && src[p-1] != '\n' {
			for p < len(src) && src[p] != '\n' {
				p++
			}
			p++
		}
		under := min(p, len(src))
		for under < len(src) && src[under] != '\n' {
			under++
		}
		var words []string
		for k := 0; k < h.Lines().Len(); k++ {
			seg := h.Lines().At(k)
			words = append(words, strings.TrimSpace(string(seg.Value(src))))
		}
		changes = append(changes, change{first, under, strings.Repeat("#", level) + " " + strings.Join(words, " ")})
		return ast.WalkSkipChildren, nil
	})
	if len(changes) == 0 {
		return content, nil
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].start < changes[j].start })
	var b strings.Builder
	var edits []edit
	prev := 0
	for _, c := range changes {
		if c.start < prev || content[c.start:c.end] == c.with {
			continue // nested in one changed already, or as low as headings go
		}
		b.WriteString(content[prev:c.start])
		edits = append(edits, edit{At: b.Len(), Len: len(c.with), Was: content[c.start:c.end]})
		b.WriteString(c.with)
		prev = c.end
	}
	b.WriteString(content[prev:])
	return b.String(), edits
}

// undoEdits puts back what an export changed: the edits must lie in order inside written.
func undoEdits(written string, edits []edit) (string, error) {
	prev := 0
	for _, e := range edits {
		if e.At < prev || e.Len < 0 || e.At+e.Len > len(written) || len(e.Was) > 1<<20 {
			return "", errors.New("its heading changes do not fit its content")
		}
		prev = e.At + e.Len
	}
	var b strings.Builder
	prev = 0
	for _, e := range edits {
		b.WriteString(written[prev:e.At])
		b.WriteString(e.Was)
		prev = e.At + e.Len
	}
	b.WriteString(written[prev:])
	return b.String(), nil
}
