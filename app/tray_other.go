//go:build !linux

package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"parley/assets"
)

// showTray puts the menu in the tray (the menu bar on macOS) through Fyne, which must do it
// before its loop runs. refresh shows changed labels.
func showTray(a fyne.App, menu *fyne.Menu) (refresh func()) {
	d, ok := a.(desktop.App)
	if !ok {
		return func() {}
	}
	d.SetSystemTrayMenu(menu)
	d.SetSystemTrayIcon(assets.TrayIcon)
	return menu.Refresh
}

// trayHostAvailable: macOS and Windows always show tray (menu bar) icons.
func trayHostAvailable() bool { return true }
