package widgets

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

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
