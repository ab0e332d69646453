//go:build (linux && !wayland) || (freebsd && !wayland) || (netbsd && !wayland) || (openbsd && !wayland)
// +build linux,!wayland freebsd,!wayland netbsd,!wayland openbsd,!wayland

package glfw

// #define GLFW_INCLUDE_NONE
// #include "glfw/include/GLFW/glfw3.h"
// void _glfwOpenDeferredInputMethodX11(void);
// void _glfwSetBackgroundX11(GLFWwindow* handle, int set, unsigned int r, unsigned int g, unsigned int b);
// int _glfwSetBackgroundPixmapX11(GLFWwindow* handle, unsigned long pixmap, int depth, unsigned long visual);
// #cgo LDFLAGS: -lxcb
// #include "parley_x11_background.h"
import "C"

import (
	"image"
	"image/color"
	"unsafe"
)

// OpenInputMethod opens the X input method (compose sequences, dead keys, IMEs), which Parley's
// copy of GLFW does not open in Init: that parses the locale's Compose table, 6 to 9 ms before
// the first window could be made. A key pressed before it is called opens it first, so that
// the key composes. Call it from the main thread once the first window shows; calls after the
// first do nothing.
func OpenInputMethod() {
	C._glfwOpenDeferredInputMethodX11()
}

// SetBackground sets the colour the X server fills the window with where nothing was drawn yet:
// when it is first mapped, before the first frame, and where a resize uncovers (Parley). Call it
// from the main thread.
func (w *Window) SetBackground(c color.Color) {
	r, g, b, _ := c.RGBA()
	C._glfwSetBackgroundX11(w.data, 1, C.uint(r>>8), C.uint(g>>8), C.uint(b>>8))
}

// Background is an image the X server holds, ready to be a window's background (Parley).
type Background struct {
	c *C.parleyBackground
}

// NewBackground hands an opaque image, made by image.NewRGBA (its rows one after another, as the
// X server takes them), to the X server on a connection of its own, for SetBackgroundImage; it
// overwrites the image's pixels with the screen's. Any goroutine may call it, before or while
// the main thread makes the window. Where the window turns out larger than the image, it shows
// fill. It returns nil where that cannot be done: a sub-image, no X server, a visual other than
// 8 bits of true colour per channel, a server out of memory.
func NewBackground(img *image.RGBA, fill color.Color) *Background {
	b := img.Bounds()
	if b.Empty() || img.Stride != 4*b.Dx() {
		return nil
	}
	r, g, bl, _ := fill.RGBA()
	c := C.parleyMakeBackground((*C.uchar)(unsafe.Pointer(&img.Pix[0])), C.int(b.Dx()), C.int(b.Dy()),
		C.uint(r>>8), C.uint(g>>8), C.uint(bl>>8))
	if c == nil {
		return nil
	}
	return &Background{c: c}
}

// Free lets the image go; a window whose background it is keeps it until it is given another.
// Any goroutine may call it.
func (b *Background) Free() {
	if b != nil && b.c != nil {
		C.parleyFreeBackground(b.c)
		b.c = nil
	}
}

// SetBackgroundImage makes b the window's background, which the X server shows where nothing
// was drawn yet: from the moment the window is first mapped until its first frame (Parley). It
// reports whether it did: a window of another depth or visual than the screen's keeps its
// background. Call it from the main thread.
func (w *Window) SetBackgroundImage(b *Background) bool {
	if b == nil || b.c == nil {
		return false
	}
	return C._glfwSetBackgroundPixmapX11(w.data, C.ulong(b.c.pixmap), b.c.depth, C.ulong(b.c.visual)) != 0
}

// ClearBackground goes back to no background (the X default): uncovered parts keep what was
// there until the next frame, rather than flashing the background colour on every resize.
func (w *Window) ClearBackground() {
	C._glfwSetBackgroundX11(w.data, 0, 0, 0, 0)
}
