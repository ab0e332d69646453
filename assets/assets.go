// Package assets holds Parley's embedded resources.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

//go:embed icon-128.png
var windowIconPNG []byte

//go:embed icon-64.png
var smallIconPNG []byte

// Icon is the Parley icon, at 512 pixels: the desktop entry and the package use it.
var Icon = fyne.NewStaticResource("parley.png", iconPNG)

// WindowIcon is the icon at 128 pixels, for the windows: window managers show it at 16 to 128.
// The 512-pixel one cost every start 2 to 3 ms (decoded, converted, sent to the X server as 1 MB
// of _NET_WM_ICON) before the window could be shown, and as much again for Quick Ask's window.
var WindowIcon = fyne.NewStaticResource("parley-window.png", windowIconPNG)

// TrayIcon is the icon at 64 pixels, all a tray shows: the tray converts it pixel by pixel.
var TrayIcon = fyne.NewStaticResource("parley-tray.png", smallIconPNG)
