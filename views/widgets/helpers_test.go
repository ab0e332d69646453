package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

// newTestApp is a Fyne test app in Parley's theme for one test.
func newTestApp(t testing.TB) fyne.App {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(NewTheme())
	return a
}

type mouse struct{ desktop.MouseEvent }

func desktopMouse(at fyne.Position) *mouse {
	return &mouse{desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: at}}}
}
