// Command bare is the baseline for Parley's start-up and memory: a Fyne program that opens one
// empty window, built with the same toolchain and Fyne version.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("app.parley.bench.bare")
	w := a.NewWindow("Bare")
	w.SetContent(widget.NewLabel(""))
	w.Resize(fyne.NewSize(1100, 760))
	w.ShowAndRun()
}
