// Command bare is the baseline for Parley's start-up and memory: a Fyne program that opens one
// empty window, built with the same toolchain and Fyne version.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	// Its own metadata, as Parley has: without it, Fyne (built without the release tag) looks for a
	// FyneApp.toml in the working folder when the binary is under /tmp, and would load Parley's
	// and its 512-pixel icon (1.8 MB more memory) when the repository is checked out there.
	app.SetMetadata(fyne.AppMetadata{ID: "app.parley.bench.bare", Name: "Bare"})
	a := app.NewWithID("app.parley.bench.bare")
	w := a.NewWindow("Bare")
	w.SetContent(widget.NewLabel(""))
	w.Resize(fyne.NewSize(1100, 760))
	w.ShowAndRun()
}
