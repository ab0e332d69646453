//go:build !((linux && !wayland) || (freebsd && !wayland) || (netbsd && !wayland) || (openbsd && !wayland))
// +build !linux wayland
// +build !freebsd wayland
// +build !netbsd wayland
// +build !openbsd wayland

package glfw

import "image/color"

// OpenInputMethod does nothing here: only X11 defers opening its input method (see
// parley_x11.go).
func OpenInputMethod() {}

// SetBackground does nothing here (see parley_x11.go).
func (w *Window) SetBackground(color.Color) {}

// ClearBackground does nothing here (see parley_x11.go).
func (w *Window) ClearBackground() {}
