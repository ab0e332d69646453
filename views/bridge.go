// Package views holds Parley's Fyne screens and widgets. It renders state and turns gestures
// into calls on the chat and settings services; it holds no business logic of its own.
package views

import "fyne.io/fyne/v2"

// Do runs f on the UI goroutine. It is the one door from a background goroutine (HTTP,
// database, tokenizer) to the widgets: everything that changes the UI from elsewhere passes here.
func Do(f func()) { fyne.Do(f) }
