// Package bridge is the one door between Parley's background goroutines (HTTP, database,
// keychain, tokenizer) and its widgets: everything that changes the UI from elsewhere passes
// through Do, streamed text through a Throttle, and background work comes back through Work.
package bridge

import (
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
)

// Do runs f on the UI goroutine. Once Parley quits, what is still on its way is dropped.
func Do(f func()) {
	(*hand.Load())(func() {
		if !quitting.Load() {
			f()
		}
	})
}

// Work runs work off the UI goroutine, then hands its result to then on the UI goroutine: the
// shape of every call that may wait (network, disk, D-Bus, a lock, the tokenizer).
func Work[T any](work func() T, then func(T)) {
	Go(func() {
		v := work()
		Do(func() { then(v) })
	})
}

// Go runs f on a goroutine of its own that Wait waits for: background work started by the
// screens, which must be over before what it uses (the history) is closed.
func Go(f func()) {
	busy.Add(1)
	go func() {
		defer busy.Done()
		f()
	}()
}

var busy sync.WaitGroup

// Wait waits until the background work started with Go has ended, or timeout has passed, and
// tells which.
func Wait(timeout time.Duration) bool {
	done := make(chan struct{})
	go func() { busy.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// Quit ends Parley, from any goroutine. Once Fyne's loop has stopped, Fyne runs the work handed
// to it at once, on the goroutine that hands it over, against windows that are gone: from the
// moment Parley starts to quit, Do drops it instead.
func Quit(a fyne.App) {
	quitting.Store(true)
	(*hand.Load())(a.Quit)
}

// Quitting tells whether Parley is on its way out.
func Quitting() bool { return quitting.Load() }

var quitting atomic.Bool

// hand is fyne.Do, or a test's queue.
var hand atomic.Pointer[func(func())]

func init() {
	do := fyne.Do
	hand.Store(&do)
}

// UseQueue makes Do queue its work on q instead of handing it to Fyne, and forgets an earlier
// Quit: widget tests run the queue on their own goroutine, as Fyne's loop would.
func UseQueue(q chan func()) {
	queue := func(f func()) { q <- f }
	hand.Store(&queue)
	quitting.Store(false)
}
