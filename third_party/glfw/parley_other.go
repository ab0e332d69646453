//go:build !((linux && !wayland) || (freebsd && !wayland) || (netbsd && !wayland) || (openbsd && !wayland))
// +build !linux wayland
// +build !freebsd wayland
// +build !netbsd wayland
// +build !openbsd wayland

package glfw

import (
	"image"
	"image/color"
)

// OpenInputMethod does nothing here: only X11 defers opening its input method (see
// parley_x11.go).
func OpenInputMethod() {}

// SetBackground does nothing here (see parley_x11.go).
func (w *Window) SetBackground(color.Color) {}

// Background is an image for a window's background (see parley_x11.go).
type Background struct{}

// NewBackground returns nil here (see parley_x11.go).
func NewBackground(*image.RGBA, color.Color) *Background { return nil }

// Free does nothing here (see parley_x11.go).
func (b *Background) Free() {}

// SetBackgroundImage does nothing here (see parley_x11.go).
func (w *Window) SetBackgroundImage(*Background) bool { return false }

// ClearBackground does nothing here (see parley_x11.go).
func (w *Window) ClearBackground() {}
