// Package views holds Parley's Fyne screens and widgets. It renders state and turns gestures
// into calls on the chat and settings services; it holds no business logic of its own.
package views

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
)

// Do runs f on the UI goroutine. It is the one door from a background goroutine (HTTP,
// database, tokenizer) to the widgets: everything that changes the UI from elsewhere passes here.
func Do(f func()) { onUI(f) }

// onUI is fyne.Do; widget tests queue the calls instead and run them on the test's goroutine.
var onUI = fyne.Do

// repaintEvery is the shortest time between two repaints of streaming text: about 30 a second,
// never one per token.
const repaintEvery = 33 * time.Millisecond

// throttle hands updates to the UI goroutine at most once per interval. Updates that arrive in
// between replace each other: only the latest state is painted.
type throttle struct {
	interval time.Duration

	mu        sync.Mutex
	pending   func()
	scheduled bool
	last      time.Time
}

func newThrottle(interval time.Duration) *throttle { return &throttle{interval: interval} }

// Push schedules f, replacing any update still waiting.
func (t *throttle) Push(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = f
	if t.scheduled {
		return
	}
	t.scheduled = true
	wait := t.interval - time.Since(t.last)
	if wait <= 0 {
		go t.run()
		return
	}
	time.AfterFunc(wait, t.run)
}

func (t *throttle) run() {
	t.mu.Lock()
	f := t.pending
	t.pending, t.scheduled, t.last = nil, false, time.Now()
	t.mu.Unlock()
	if f != nil {
		Do(f)
	}
}

// Flush drops what is waiting; the caller paints the final state itself.
func (t *throttle) Flush() {
	t.mu.Lock()
	t.pending = nil
	t.mu.Unlock()
}
