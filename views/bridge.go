// Package views holds Parley's Fyne screens and widgets. It renders state and turns gestures
// into calls on the chat and settings services; it holds no business logic of its own.
package views

import (
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
)

// Do runs f on the UI goroutine. It is the one door from a background goroutine (HTTP,
// database, tokenizer) to the widgets: everything that changes the UI from elsewhere passes here.
// Once Parley quits, what is still on its way is dropped.
func Do(f func()) {
	onUI(func() {
		if !quitting.Load() {
			f()
		}
	})
}

// Quit ends Parley, from any goroutine. Once Fyne's loop has stopped, Fyne runs the work handed
// to it at once, on the goroutine that hands it over, against windows that are gone: from the
// moment Parley starts to quit, Do drops it instead.
func Quit(a fyne.App) {
	quitting.Store(true)
	onUI(a.Quit)
}

var quitting atomic.Bool

// onUI is fyne.Do; widget tests queue the calls instead and run them on the test's goroutine.
var onUI = fyne.Do

// repaintEvery is the shortest time between two repaints of streaming text: about 30 a second,
// never one per token.
const repaintEvery = 33 * time.Millisecond

// throttle hands updates to the UI goroutine at most once per interval, and never faster than
// the UI applies them: one update is in flight at a time, and it applies the latest state when
// it runs, so a busy UI shows fresher text rather than falling further behind.
type throttle struct {
	interval time.Duration

	mu       sync.Mutex
	pending  func()
	waiting  bool // a timer or a UI call is on its way
	last     time.Time
	finished bool
}

func newThrottle(interval time.Duration) *throttle { return &throttle{interval: interval} }

// Push makes f the next update, replacing any update not yet applied.
func (t *throttle) Push(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = f
	if !t.waiting && !t.finished {
		t.waiting = true
		t.schedule()
	}
}

// schedule arranges the next UI call, an interval after the last. The caller holds t.mu.
func (t *throttle) schedule() {
	wait := t.interval - time.Since(t.last)
	if wait < 0 {
		wait = 0
	}
	time.AfterFunc(wait, func() { Do(t.apply) })
}

// apply runs on the UI goroutine: the latest update, then the next one if more came meanwhile.
func (t *throttle) apply() {
	t.mu.Lock()
	f := t.pending
	t.pending = nil
	t.mu.Unlock()
	if f != nil {
		f()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.last = time.Now()
	if t.pending != nil && !t.finished {
		t.schedule()
		return
	}
	t.waiting = false
}

// Flush drops what is waiting and stops further updates; the caller paints the final state.
func (t *throttle) Flush() {
	t.mu.Lock()
	t.pending, t.finished = nil, true
	t.mu.Unlock()
}
