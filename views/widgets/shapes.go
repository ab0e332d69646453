package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// ThemedRect is a rectangle filled with a theme colour, repainted when the theme changes (the
// system switching between light and dark).
type ThemedRect struct {
	widget.BaseWidget
	color  fyne.ThemeColorName
	radius float32
}

func NewThemedRect(color fyne.ThemeColorName, radius float32) *ThemedRect {
	r := &ThemedRect{color: color, radius: radius}
	r.ExtendBaseWidget(r)
	return r
}

func (r *ThemedRect) CreateRenderer() fyne.WidgetRenderer {
	rect := canvas.NewRectangle(r.Theme().Color(r.color, fyne.CurrentApp().Settings().ThemeVariant()))
	rect.CornerRadius = r.radius
	return &themedRectRenderer{r: r, rect: rect}
}

type themedRectRenderer struct {
	r    *ThemedRect
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
