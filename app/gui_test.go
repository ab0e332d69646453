package app

import (
	"os"
	"testing"

	fyneapp "fyne.io/fyne/v2/app"
)

// Fyne queues nothing for its loop as it stops, where a hang waited (see dropStopHook).
func TestFyneStopsWithNothingQueued(t *testing.T) {
	home, err := os.MkdirTemp("", "parley-fyne-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) }) // Fyne may still be writing its settings there
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", home)
	a := fyneapp.NewWithID("app.parley.Parley.test") // the real driver's app: it is not run
	l, ok := a.Lifecycle().(interface{ OnStopped() func() })
	if !ok {
		t.Fatal("Fyne's lifecycle no longer tells its stop task: look at dropStopHook again")
	}
	if l.OnStopped() == nil {
		t.Fatal("Fyne has no stop task to drop any more: dropStopHook can go")
	}
	dropStopHook(a)
	if l.OnStopped() != nil {
		t.Fatal("the stop task is still there")
	}
}
