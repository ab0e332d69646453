//go:build !((linux && !wayland) || (freebsd && !wayland) || (netbsd && !wayland) || (openbsd && !wayland))
// +build !linux wayland
// +build !freebsd wayland
// +build !netbsd wayland
// +build !openbsd wayland

package glfw

// OpenInputMethod does nothing here: only X11 defers opening its input method (see
// parley_x11.go).
func OpenInputMethod() {}
