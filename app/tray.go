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
	background := fyne.NewMenuItem(backgroundLine(0), m.ShowWindow)
	quit := fyne.NewMenuItem("Quit", func() { bridge.Quit(a) })
	quit.IsQuit = true
	menu := fyne.NewMenu("Parley",
		fyne.NewMenuItem("Quick Ask…", m.ShowQuickAsk),
		fyne.NewMenuItem("New Chat", func() { m.ShowWindow(); m.NewChat() }),
		fyne.NewMenuItem("Show Parley", m.ShowWindow),
		fyne.NewMenuItemSeparator(),
		usage,
		background,
		quit,
	)
	refresh := showTray(a, menu)
	m.OnUsage = func() {
		usage.Label = todayLine(svc)
		refresh()
	}
	m.OnBackground = func(n int) {
		background.Label = backgroundLine(n)
		refresh()
	}
	go bridge.Do(func() { m.OnBackground(m.BackgroundCount()) }) // those taken up before the tray was there
}

// backgroundLine is the tray's count of answers being made in the background.
func backgroundLine(n int) string {
	switch n {
	case 0:
		return "No answers in the background"
	case 1:
		return "1 answer being made in the background"
	}
	return fmt.Sprintf("%d answers being made in the background", n)
}

// todayLine is the tray's summary of today's usage, over every profile.
func todayLine(svc *services) string {
	tokens, cost := svc.meter.Today()
	return fmt.Sprintf("Today: %s tokens · %s", format.Thousands(tokens), format.Dollars(cost))
}
