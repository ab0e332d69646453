package widgets

import "fyne.io/fyne/v2"

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
