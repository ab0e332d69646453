package app

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"parley/assets"
	"parley/chat"
	"parley/chat/store"
	"parley/settings"
	"parley/views"
)

// runGUI opens the main window and returns when the user quits, or on SIGTERM and SIGINT.
func runGUI() int {
	quietFyneRaces(os.Stderr)
	svc, warnings, err := openServices()
	if err != nil {
		fmt.Fprintln(os.Stderr, "parley:", plain(err))
		return exitFailure
	}
	defer svc.close()

	a := fyneapp.NewWithID(ID)
	a.SetIcon(assets.Icon)
	a.Settings().SetTheme(views.NewTheme())
	quitOnSignal(a)
	w := views.NewMain(a, svc.views(warnings))
	w.Window.Show()
	a.Run()
	w.SaveSize()
	return exitOK
}

// views gives the screens the services they use.
func (s *services) views(warnings []string) *views.Services {
	return &views.Services{
		Prefs: s.prefs, Keys: s.keys, Meter: s.meter,
		History: func() (*store.Store, error) {
			st, err := s.history()
			return st, err
		},
		Client: func(p settings.Profile, onLimits func(chat.RateLimit)) (*chat.Client, settings.Endpoint) {
			return s.client(p, onLimits)
		},
		Models:   modelInfo,
		Record:   s.record,
		Demo:     demoServer(),
		Warnings: warnings,
	}
}

// demoServer is the demo server's address when Parley runs as `make demo`.
func demoServer() string {
	if os.Getenv("PARLEY_DEMO") == "" {
		return ""
	}
	return os.Getenv("OPENAI_BASE_URL")
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
