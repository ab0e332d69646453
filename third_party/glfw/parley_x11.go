//go:build (linux && !wayland) || (freebsd && !wayland) || (netbsd && !wayland) || (openbsd && !wayland)
// +build linux,!wayland freebsd,!wayland netbsd,!wayland openbsd,!wayland

package glfw

// #define GLFW_INCLUDE_NONE
// #include "glfw/include/GLFW/glfw3.h"
// void _glfwOpenDeferredInputMethodX11(void);
// void _glfwSetBackgroundX11(GLFWwindow* handle, int set, unsigned int r, unsigned int g, unsigned int b);
import "C"

import "image/color"

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

// ClearBackground goes back to no background (the X default): uncovered parts keep what was
// there until the next frame, rather than flashing the background colour on every resize.
func (w *Window) ClearBackground() {
	C._glfwSetBackgroundX11(w.data, 0, 0, 0, 0)
}
