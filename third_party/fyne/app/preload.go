package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/internal/painter"
)

// PreloadFonts parses the fonts of these text styles in a theme (Parley). It may be called on
// any goroutine, before the app exists too, so that the first text drawn does not wait for its
// font.
func PreloadFonts(th fyne.Theme, styles ...fyne.TextStyle) {
	painter.PreloadFonts(th, styles...)
}
