// Package assets holds Parley's embedded resources.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

//go:embed icon-64.png
var smallIconPNG []byte

// Icon is the Parley icon, at 512 pixels: the desktop entry and the window use it.
var Icon = fyne.NewStaticResource("parley.png", iconPNG)

// TrayIcon is the icon at 64 pixels, all a tray shows: the tray converts it pixel by pixel.
var TrayIcon = fyne.NewStaticResource("parley-tray.png", smallIconPNG)
