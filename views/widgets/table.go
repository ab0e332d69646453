package widgets

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	east "github.com/yuin/goldmark/extension/ast"
)

// table renders a GitHub table: a header row on its own background, cells that wrap, columns
// as wide as their content allows, and lines between rows.
func (r *mdRenderer) table(t *east.Table) fyne.CanvasObject {
	var cells []fyne.CanvasObject
	var natural []float32
	cols := len(t.Alignments)
	rows := 0
	for row := t.FirstChild(); row != nil; row = row.NextSibling() {
		_, header := row.(*east.TableHeader)
		col := 0
		for cell := row.FirstChild(); cell != nil && col < cols; cell = cell.NextSibling() {
			style := widget.RichTextStyleParagraph
			style.TextStyle.Bold = header
			switch t.Alignments[col] {
			case east.AlignCenter:
				style.Alignment = fyne.TextAlignCenter
			case east.AlignRight:
				style.Alignment = fyne.TextAlignTrailing
			}
			segs := r.paragraph(cell, style)
			if len(segs) == 0 {
				segs = []widget.RichTextSegment{&widget.TextSegment{Style: style}}
			}
			text := RichText(segs)
			width := fyne.MeasureText(strings.TrimSpace(text.String()), theme.TextSize(), style.TextStyle).Width + 2*theme.InnerPadding()
			if len(natural) <= col {
				natural = append(natural, 0)
			}
			natural[col] = max(natural[col], width)
			cells = append(cells, text)
			col++
		}
		for ; col < cols; col++ { // a short row: fill it
			cells = append(cells, RichText([]widget.RichTextSegment{&widget.TextSegment{Style: widget.RichTextStyleParagraph}}))
		}
		rows++
	}
	for len(natural) < cols {
		natural = append(natural, 2*theme.InnerPadding())
	}
	layout := &tableLayout{cols: cols, rows: rows, natural: natural}
	objs := []fyne.CanvasObject{NewThemedRect(ColorTableHeader, 0)}
	for range rows + 1 {
		objs = append(objs, NewThemedRect(ColorTableBorder, 0))
	}
	objs = append(objs, cells...)
	return container.New(layout, objs...)
}

// tableLayout lays out a table: objects are the header background, rows+1 horizontal rules,
// then the cells row by row.
type tableLayout struct {
	cols, rows int
	natural    []float32 // each column's width without wrapping
}

// widths shares the available width between columns: their natural widths when they fit,
// otherwise what each needs, shrinking the wide ones first.
func (t *tableLayout) widths(available float32) []float32 {
	w := append([]float32(nil), t.natural...)
	total := float32(0)
	for _, n := range w {
		total += n
	}
	if total <= available || total == 0 {
		return w
	}
	const floor = 60
	for total > available {
		widest := 0
		for i := range w {
			if w[i] > w[widest] {
				widest = i
			}
		}
		if w[widest] <= floor {
			break
		}
		cut := min(total-available, w[widest]-floor)
		// Shrink the widest to the next widest, or by what is missing, whichever is less.
		next := float32(floor)
		for i := range w {
			if i != widest && w[i] > next && w[i] < w[widest] {
				next = w[i]
			}
		}
		cut = min(cut, max(w[widest]-next, 1))
		w[widest] -= cut
		total -= cut
	}
	return w
}

func (t *tableLayout) cellRows(objs []fyne.CanvasObject) [][]fyne.CanvasObject {
	cells := objs[t.rows+2:]
	out := make([][]fyne.CanvasObject, t.rows)
	for r := range t.rows {
		out[r] = cells[r*t.cols : (r+1)*t.cols]
	}
	return out
}

func (t *tableLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	widths := t.widths(size.Width)
	rules := objs[1 : t.rows+2]
	y := float32(0)
	total := float32(0)
	for _, w := range widths {
		total += w
	}
	for r, row := range t.cellRows(objs) {
		rules[r].Move(fyne.NewPos(0, y))
		rules[r].Resize(fyne.NewSize(total, 1))
		h := float32(0)
		for c, cell := range row {
			cell.Resize(fyne.NewSize(widths[c], cell.MinSize().Height))
			h = max(h, cell.MinSize().Height)
		}
		x := float32(0)
		for c, cell := range row {
			cell.Move(fyne.NewPos(x, y+1))
			cell.Resize(fyne.NewSize(widths[c], h))
			x += widths[c]
		}
		if r == 0 {
			objs[0].Move(fyne.NewPos(0, 1))
			objs[0].Resize(fyne.NewSize(total, h))
		}
		y += h + 1
	}
	rules[t.rows].Move(fyne.NewPos(0, y))
	rules[t.rows].Resize(fyne.NewSize(total, 1))
}

func (t *tableLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var width, height float32
	for r, row := range t.cellRows(objs) {
		h := float32(0)
		for _, cell := range row {
			h = max(h, cell.MinSize().Height)
		}
		height += h + 1
		if r == 0 {
			for _, n := range t.natural {
				width += min(n, 60)
			}
		}
	}
	return fyne.NewSize(width, height+1)
}
