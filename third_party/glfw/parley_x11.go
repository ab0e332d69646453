//go:build (linux && !wayland) || (freebsd && !wayland) || (netbsd && !wayland) || (openbsd && !wayland)
// +build linux,!wayland freebsd,!wayland netbsd,!wayland openbsd,!wayland

package glfw

// void _glfwOpenDeferredInputMethodX11(void);
import "C"

// OpenInputMethod opens the X input method (compose sequences, dead keys, IMEs), which Parley's
// copy of GLFW does not open in Init: that parses the locale's Compose table, 6 to 9 ms before
// the first window could be made. Until it is called keys still type, without composing. Call
// it from the main thread once the first window shows; calls after the first do nothing.
func OpenInputMethod() {
	C._glfwOpenDeferredInputMethodX11()
}
