package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// themedRect is a rectangle filled with a theme colour, repainted when the theme changes (the
// system switching between light and dark).
type themedRect struct {
	widget.BaseWidget
	color  fyne.ThemeColorName
	radius float32
}

func newThemedRect(color fyne.ThemeColorName, radius float32) *themedRect {
	r := &themedRect{color: color, radius: radius}
	r.ExtendBaseWidget(r)
	return r
}

func (r *themedRect) CreateRenderer() fyne.WidgetRenderer {
	rect := canvas.NewRectangle(r.Theme().Color(r.color, fyne.CurrentApp().Settings().ThemeVariant()))
	rect.CornerRadius = r.radius
	return &themedRectRenderer{r: r, rect: rect}
}

type themedRectRenderer struct {
	r    *themedRect
	rect *canvas.Rectangle
}

func (t *themedRectRenderer) Layout(size fyne.Size)        { t.rect.Resize(size) }
func (t *themedRectRenderer) MinSize() fyne.Size           { return fyne.NewSize(0, 0) }
func (t *themedRectRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{t.rect} }
func (t *themedRectRenderer) Destroy()                     {}
func (t *themedRectRenderer) Refresh() {
	t.rect.FillColor = t.r.Theme().Color(t.r.color, fyne.CurrentApp().Settings().ThemeVariant())
	t.rect.CornerRadius = t.r.radius
	t.rect.Refresh()
}

// wrapped holds word-wrapped rich text and wraps it again only when its width changes. Fyne's
// RichText re-wraps on every resize, height included, and wrapping a long paragraph measures
// every word: a streaming answer would pay for it many times a frame.
type wrapped struct {
	widget.BaseWidget
	text *widget.RichText
}

func newWrapped(text *widget.RichText) *wrapped {
	w := &wrapped{text: text}
	w.ExtendBaseWidget(w)
	return w
}

func (w *wrapped) CreateRenderer() fyne.WidgetRenderer { return &wrappedRenderer{w: w} }

type wrappedRenderer struct {
	w     *wrapped
	width float32
}

func (r *wrappedRenderer) Layout(size fyne.Size) {
	if size.Width != r.width {
		r.width = size.Width
		r.w.text.Resize(fyne.NewSize(size.Width, r.w.text.MinSize().Height))
	}
}

func (r *wrappedRenderer) MinSize() fyne.Size           { return r.w.text.MinSize() }
func (r *wrappedRenderer) Refresh()                     { r.w.text.Refresh() }
func (r *wrappedRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.w.text} }
func (r *wrappedRenderer) Destroy()                     {}
