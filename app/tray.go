package app

import (
	"fmt"

	"fyne.io/fyne/v2"

	"parley/views"
	"parley/views/bridge"
	"parley/views/format"
)

// setUpTray puts Parley's icon in the system tray, with Quick Ask, New Chat, Show Parley, today's
// usage and Quit; the usage line follows each answer.
func setUpTray(a fyne.App, m *views.Main, svc *services) {
	usage := fyne.NewMenuItem(todayLine(svc), nil)
	usage.Disabled = true
	quit := fyne.NewMenuItem("Quit", func() { bridge.Quit(a) })
	quit.IsQuit = true
	menu := fyne.NewMenu("Parley",
		fyne.NewMenuItem("Quick Ask…", m.ShowQuickAsk),
		fyne.NewMenuItem("New Chat", func() { m.ShowWindow(); m.NewChat() }),
		fyne.NewMenuItem("Show Parley", m.ShowWindow),
		fyne.NewMenuItemSeparator(),
		usage,
		quit,
	)
	refresh := showTray(a, menu)
	m.OnUsage = func() {
		usage.Label = todayLine(svc)
		refresh()
	}
}

// todayLine is the tray's summary of today's usage, over every profile.
func todayLine(svc *services) string {
	tokens, cost := svc.meter.Today()
	return fmt.Sprintf("Today: %s tokens · %s", format.Thousands(tokens), format.Dollars(cost))
}
