//go:build !wasm && !test_web_driver

package glfw

import (
	"fmt"

	"fyne.io/fyne/v2"

	"github.com/go-gl/glfw/v3.3/glfw"
)

func (d *gLDriver) initGLFW() {
	err := glfw.Init()
	if err != nil {
		fyne.LogError("failed to initialise GLFW", err)
		return
	}

	initCursors()
}

// openInputMethod opens the input method, which Parley's GLFW leaves until the first windows
// are drawn (see third_party/glfw/PARLEY.md).
func openInputMethod() { glfw.OpenInputMethod() }

// waitEvents sleeps until an input event, an empty event or the timeout (in seconds).
func waitEvents(timeout float64) { glfw.WaitEventsTimeout(timeout) }

// postEmptyEvent wakes waitEvents; any goroutine may call it (with wakeMu held). go-gl turns a
// GLFW error into a panic in the goroutine that next checks for one: here it is logged instead,
// as a missed wake costs at most idleWake.
func postEmptyEvent() {
	defer func() {
		if err := recover(); err != nil {
			fyne.LogError("waking the event loop", fmt.Errorf("%v", err))
		}
	}()
	glfw.PostEmptyEvent()
}

func (d *gLDriver) pollEvents() {
	glfw.PollEvents() // This call blocks while window is being resized, which prevents freeDirtyTextures from being called
}

func (d *gLDriver) Terminate() {
	glfw.Terminate()
}
