package app

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"parley/assets"
	"parley/views"
)

// setUpTray puts Parley's icon in the system tray, with Quick Ask, New Chat, Show Parley, today's
// usage and Quit. (On Linux the item is published on the session bus even when no tray host
// shows it.)
func setUpTray(a fyne.App, m *views.Main, svc *services) {
	d, ok := a.(desktop.App)
	if !ok {
		return
	}
	usage := fyne.NewMenuItem(todayLine(svc), nil)
	usage.Disabled = true
	quit := fyne.NewMenuItem("Quit", a.Quit)
	quit.IsQuit = true
	menu := fyne.NewMenu("Parley",
		fyne.NewMenuItem("Quick Ask…", m.ShowQuickAsk),
		fyne.NewMenuItem("New Chat", func() { m.ShowWindow(); m.NewChat() }),
		fyne.NewMenuItem("Show Parley", m.ShowWindow),
		fyne.NewMenuItemSeparator(),
		usage,
		quit,
	)
	d.SetSystemTrayMenu(menu)
	d.SetSystemTrayIcon(assets.TrayIcon)
	m.OnUsage = func() {
		usage.Label = todayLine(svc)
		menu.Refresh()
	}
}

// todayLine is the tray's summary of today's usage, over every profile.
func todayLine(svc *services) string {
	tokens, cost := svc.meter.Today()
	return fmt.Sprintf("Today: %s tokens · %s", views.Thousands(tokens), views.Dollars(cost))
}
