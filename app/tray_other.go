//go:build !linux

package app

// trayHostAvailable: macOS and Windows always show tray (menu bar) icons.
func trayHostAvailable() bool { return true }
