package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"

	"parley/assets"
	"parley/chat"
	"parley/chat/ask"
	"parley/chat/store"
	"parley/settings"
	"parley/views"
	"parley/views/bridge"
	"parley/views/widgets"
)

// runGUI opens Parley (its main window, or only Quick Ask when quick is set) and returns when
// the user quits, or on SIGTERM and SIGINT. When Parley runs already, that one does it instead
// and this process exits at once.
func runGUI(quick bool) int {
	// Starting allocates some 15 MB of scratch (fonts, translations, the window's first frame),
	// which the collector chased three times before the window was even made, on the cores that
	// make it: it waits until the clean-up below, two seconds in.
	gcPercent := debug.SetGCPercent(400)
	quietFyneRaces(os.Stderr)
	paths, err := settings.DefaultPaths()
	if err != nil {
		fmt.Fprintln(os.Stderr, "parley:", err)
		return exitFailure
	}
	// The settings, meter, presets and model catalog are read on another core while this one
	// claims the instance (a lock and a socket) and makes the app: all are on the way to the
	// window.
	type opened struct {
		svc      *services
		warnings []string
		err      error
	}
	opening := make(chan opened, 1)
	go func() {
		svc, warnings, err := openServices()
		opening <- opened{svc, warnings, err}
	}()
	inst, err := claimInstance(paths.Runtime)
	if err != nil {
		code := exitFailure
		if errors.Is(err, errRunning) {
			request := requestShow
			if quick {
				request = requestQuick
			}
			if err = handOff(paths.Runtime, request); err == nil {
				code = exitOK
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "parley:", err)
		}
		if o := <-opening; o.err == nil { // nothing is left half-written
			o.svc.close()
		}
		return code
	}
	defer inst.close()
	// The window's text needs the regular and bold fonts (5 to 10 ms each to parse) and Fyne's
	// translations: other cores read them while this one opens the history and makes the window
	// (only the fonts: measuring text stays on the UI goroutine, whose font faces are not safe to
	// share). The main window's fonts are read by the goroutine that builds its content, while
	// GLFW makes it (below): before that, the other core reads the services.
	preloadFonts := func() {
		fyneapp.PreloadFonts(widgets.NewTheme(), fyne.TextStyle{}, fyne.TextStyle{Bold: true})
	}
	if quick {
		go preloadFonts()
	}
	go lang.Preload()

	// Parley hands every change from other goroutines to fyne.Do (FyneApp.toml: fyneDo = true),
	// so Fyne need not check which goroutine each refresh comes from, a check that costs a
	// stack trace each time.
	fyneapp.SetMetadata(fyne.AppMetadata{ID: ID, Name: Name, Version: Version, Build: Build, Icon: assets.Icon,
		Migrations: map[string]bool{"fyneDo": true}})
	a := fyneapp.NewWithID(ID)
	dropStopHook(a)
	a.SetIcon(assets.WindowIcon)
	a.Settings().SetTheme(widgets.NewTheme())
	quitOnSignal(a)
	o := <-opening
	if o.err != nil {
		fmt.Fprintln(os.Stderr, "parley:", plain(o.err))
		return exitFailure
	}
	svc, warnings := o.svc, o.warnings
	defer svc.close()
	w := views.NewWindow(a, svc.prefs)
	var m *views.Main
	newMain := func() { m = views.NewMain(a, w, svc.views(warnings)) }
	if !quick {
		// The window's content is built while GLFW makes the window (Show waits for it before
		// it goes on: one goroutine at a time touches the window), rather than after.
		if c, ok := w.(interface{ WhileCreating(func()) }); ok {
			c.WhileCreating(func() {
				preloadFonts()
				newMain()
			})
		}
		w.Show()
	}
	if m == nil { // Quick Ask only, or no window was made
		newMain()
	}
	// Closing the window keeps Parley running only where a tray shows it. Whether one does is
	// asked each time (a panel may come or go), over D-Bus, which may take up to a second: off
	// the UI goroutine.
	keepsRunning := func(then func(bool)) {
		if !svc.prefs.Prefs().KeepsInTray() {
			then(false)
			return
		}
		bridge.Work(trayHostAvailable, then)
	}
	m.Window.SetCloseIntercept(func() {
		keepsRunning(func(keep bool) {
			if keep {
				m.HideWindow()
				return
			}
			bridge.Quit(a)
		})
	})
	m.QuickAskClosed(func() {
		// Opened by parley --quick with nothing else on screen and no tray to come back from.
		if !m.Hidden() {
			return
		}
		keepsRunning(func(keep bool) {
			if !keep && m.Hidden() {
				bridge.Quit(a)
			}
		})
	})
	go inst.serve(func(request string) {
		bridge.Do(func() {
			switch request {
			case requestQuick:
				m.ShowQuickAsk()
			case requestKeys:
				m.KeysChanged()
			case requestHistory:
				m.HistoryChanged()
			default:
				m.ShowWindow()
			}
		})
	})
	if quick {
		m.ShowQuickAsk()
		bridge.Work(trayHostAvailable, func(host bool) {
			if !host {
				m.ShowWindow() // nothing to come back from: show the main window too
			}
		})
	} else {
		m.WindowShown() // Show above showed it with its content
	}
	setUpTray(a, m, svc) // after the window: starting does not wait for it
	go func() {
		time.Sleep(2 * time.Second)
		debug.SetGCPercent(gcPercent)
		debug.FreeOSMemory() // starting up parsed fonts and icons: that scratch memory goes back
	}()
	checks, stopChecks := context.WithCancel(context.Background())
	go svc.checkHistoryDaily(checks, func(err error) { bridge.Do(func() { m.HistoryDamaged(err) }) })
	a.Run()
	stopChecks()
	m.Shutdown()
	m.SaveSize()
	return exitOK
}

// views gives the screens the services they use.
func (s *services) views(warnings []string) *views.Services {
	return &views.Services{
		Prefs: s.prefs, Keys: s.keys, Meter: s.meter, Presets: s.presets,
		History: s.history,
		Client: func(p settings.Profile) (*chat.Client, settings.Endpoint) {
			return s.client(p, nil)
		},
		Models:  modelInfo,
		Asker:   s.asker(),
		Batches: s.batcher(),
		FollowPending: func(ctx context.Context, started func(store.Message, *ask.Run, context.CancelFunc)) {
			s.followPending(ctx, s.asker(), ask.Following{}, started)
		},
		TestKey:      s.testKey,
		Account:      s.accountDeps,
		TestAdminKey: s.testAdminKey,
		UpdateCatalog: func(ctx context.Context) (*settings.Catalog, error) {
			return settings.UpdateCatalog(ctx, &http.Client{}, catalogURL(s.getenv), s.paths.Config, time.Now())
		},
		Demo:     demoServer(),
		Warnings: warnings,
	}
}

// catalogURL is where "Update model catalog" reads: models.dev's catalog, or PARLEY_CATALOG_URL
// (a mirror, or a test's server).
func catalogURL(getenv func(string) string) string {
	if u := getenv("PARLEY_CATALOG_URL"); u != "" {
		return u
	}
	return settings.DefaultCatalogURL
}

// demoServer is the demo server's address when Parley runs as `make demo`.
func demoServer() string {
	if os.Getenv("PARLEY_DEMO") == "" {
		return ""
	}
	return os.Getenv("OPENAI_BASE_URL")
}

// dropStopHook removes the one task Fyne 2.7.1 runs as its loop stops: saving its own
// preferences at once. Fyne hands that task to the loop just as the loop stops taking work, and
// then waits for it for ever: now and then a quit hung (1 end-to-end run in 30 here). Parley
// keeps nothing in Fyne's preferences but the file dialogs' last folder, which Fyne saves as it
// changes.
func dropStopHook(a fyne.App) {
	if l, ok := a.Lifecycle().(interface{ SetOnStoppedHookExecuted(func()) }); ok {
		l.SetOnStoppedHookExecuted(nil)
	}
}

// quitOnSignal turns SIGTERM and SIGINT into an orderly quit, so that what is open is saved and
// the process exits 0. Fyne catches them too, but only once its loop runs; a signal that comes
// while the window is still opening must not kill the process.
func quitOnSignal(a fyne.App) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		bridge.Quit(a)
	}()
}
