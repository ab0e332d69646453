package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/internal/painter"
)

// PreloadFonts parses the fonts of these text styles in the current theme (Parley). It may be
// called on any goroutine, for instance while the first window is being created, so that the
// first text drawn does not wait for its font.
func PreloadFonts(styles ...fyne.TextStyle) {
	painter.PreloadFonts(styles...)
}
