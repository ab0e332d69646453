package app

import (
	"os"
	"os/signal"
	"syscall"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"parley/assets"
	"parley/views"
)

// runGUI opens the main window and returns when the user quits, or on SIGTERM and SIGINT.
func runGUI() int {
	quietFyneRaces(os.Stderr)
	a := fyneapp.NewWithID(ID)
	a.SetIcon(assets.Icon)
	quitOnSignal(a)
	w := views.NewMain(a)
	w.Window.Show()
	a.Run()
	return 0
}

// quitOnSignal turns SIGTERM and SIGINT into an orderly quit, so that what is open is saved and
// the process exits 0. Fyne catches them too, but only once its loop runs; a signal that comes
// while the window is still opening must not kill the process.
func quitOnSignal(a fyne.App) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		views.Do(a.Quit)
	}()
}
