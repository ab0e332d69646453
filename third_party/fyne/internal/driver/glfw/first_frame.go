//go:build !wasm && !test_web_driver

package glfw

import (
	"image"
	"image/draw"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/internal/build"
	"fyne.io/fyne/v2/internal/painter/software"
	"fyne.io/fyne/v2/internal/scale"
	"fyne.io/fyne/v2/theme"

	"github.com/go-gl/glfw/v3.3/glfw"
)

// firstFrame is a window's content painted in software by the goroutine that built it, while
// the main thread has GLFW load the GL driver and make the window (Parley). On X11 it becomes
// the window's background, which the X server shows from the moment it maps the window; the
// GL driver's own first frame comes tens of milliseconds later (on a machine without a GPU,
// most of that is llvmpipe compiling and loading the shaders the frame meets) and covers it.
type firstFrame struct {
	scale      float32 // the canvas scale it is painted at
	width      int     // and its size in pixels
	height     int
	background *glfw.Background // the frame, in the X server
}

// newFirstFrame is a first frame to be painted at the scale the window will have. Call it on
// the main thread before making the window: it asks GLFW for the monitors.
func newFirstFrame(w *window) *firstFrame {
	if build.IsWayland {
		return nil
	}
	w.canvas.scale = w.calculatedScale()
	return &firstFrame{scale: w.canvas.scale}
}

// paint lays the window's canvas out at the size the window will have and paints it as the GL
// painter would: the background, the content, the menu bar, the overlays. Only the goroutine
// that may touch the window's objects calls it.
func (f *firstFrame) paint(w *window) {
	c := w.canvas
	if f == nil || c.content == nil {
		return
	}
	if w.mainmenu != nil && c.menu == nil {
		// SetMainMenu builds the menu bar once the window exists: the frame needs it now
		c.buildMenu(w, w.mainmenu)
	}
	size := c.size.Max(c.MinSize())
	c.Resize(size)
	bounds := image.Rect(0, 0, scale.ToScreenCoordinate(c, size.Width), scale.ToScreenCoordinate(c, size.Height))
	if bounds.Empty() {
		return
	}
	bg := theme.Color(theme.ColorNameBackground)
	img := image.NewRGBA(bounds)
	draw.Draw(img, bounds, image.NewUniform(bg), image.Point{}, draw.Src)
	software.PaintTrees(c, img, append([]fyne.CanvasObject{c.content, c.menu}, c.Overlays().List()...)...)
	f.width, f.height = bounds.Dx(), bounds.Dy()
	f.background = glfw.NewBackground(img, bg)
}

// show makes the painted frame the window's background, when the window is made at the scale
// and size it was painted for; otherwise the window keeps its plain background colour. Call it
// on the main thread before the window is first shown.
func (f *firstFrame) show(w *window) {
	if f == nil || f.background == nil {
		return
	}
	if f.scale != w.canvas.scale || f.width != w.shouldWidth || f.height != w.shouldHeight ||
		!w.viewport.SetBackgroundImage(f.background) {
		f.free()
		return
	}
	w.first = f // painted lets it go with the background colour create set
}

// free lets the X server drop the frame once no window shows it. Any goroutine may call it.
func (f *firstFrame) free() {
	if f != nil {
		f.background.Free()
		f.background = nil
	}
}
