// Package assets holds Parley's embedded resources.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the Parley icon: the window, the tray and the desktop entry use it.
var Icon = fyne.NewStaticResource("parley.png", iconPNG)
