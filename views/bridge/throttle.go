package bridge

import (
	"sync"
	"time"
)

// RepaintEvery is the shortest time between two repaints of streaming text: about 30 a second,
// never one per token.
const RepaintEvery = 33 * time.Millisecond

// Throttle hands updates to the UI goroutine at most once per interval, and never faster than
// the UI applies them: one update is in flight at a time, and it applies the latest state when
// it runs, so a busy UI shows fresher text rather than falling further behind.
type Throttle struct {
	interval time.Duration
	clock    Clock

	mu       sync.Mutex
	pending  func()
	waiting  bool // a timer or a UI call is on its way
	last     time.Time
	finished bool
}

// Clock is the time a Throttle or a Debounce keeps: the real one, or a test's.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func())
}

type realClock struct{}

func (realClock) Now() time.Time                      { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) { time.AfterFunc(d, f) }

// NewThrottle returns a Throttle; clock nil is the real one.
func NewThrottle(interval time.Duration, clock Clock) *Throttle {
	if clock == nil {
		clock = realClock{}
	}
	return &Throttle{interval: interval, clock: clock}
}

// Push makes f the next update, replacing any update not yet applied.
func (t *Throttle) Push(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = f
	if !t.waiting && !t.finished {
		t.waiting = true
		t.schedule()
	}
}

// schedule arranges the next UI call, an interval after the last. The caller holds t.mu.
func (t *Throttle) schedule() {
	wait := max(t.interval-t.clock.Now().Sub(t.last), 0)
	t.clock.AfterFunc(wait, func() { Do(t.apply) })
}

// apply runs on the UI goroutine: the latest update, then the next one if more came meanwhile.
func (t *Throttle) apply() {
	t.mu.Lock()
	f := t.pending
	t.pending = nil
	t.mu.Unlock()
	if f != nil {
		f()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.last = t.clock.Now()
	if t.pending != nil && !t.finished {
		t.schedule()
		return
	}
	t.waiting = false
}

// Flush drops what is waiting and stops further updates; the caller paints the final state.
func (t *Throttle) Flush() {
	t.mu.Lock()
	t.pending, t.finished = nil, true
	t.mu.Unlock()
}

// Debounce runs the last of a burst of calls once the calls have stopped for a while (a search
// as the user types, a recount after keystrokes): off the UI goroutine, on the clock's timer.
type Debounce struct {
	wait  time.Duration
	clock Clock

	mu  sync.Mutex
	gen int
}

// NewDebounce returns a Debounce that waits wait; clock nil is the real one.
func NewDebounce(wait time.Duration, clock Clock) *Debounce {
	if clock == nil {
		clock = realClock{}
	}
	return &Debounce{wait: wait, clock: clock}
}

// Call schedules f, dropping any call still waiting. f runs on a timer goroutine; it reports
// through Do. latest, called from f, tells whether a newer call came since (so f can drop a
// result that is already stale).
func (d *Debounce) Call(f func(latest func() bool)) {
	d.mu.Lock()
	d.gen++
	gen := d.gen
	d.mu.Unlock()
	latest := func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.gen == gen
	}
	d.clock.AfterFunc(d.wait, func() {
		if latest() {
			f(latest)
		}
	})
}

// Cancel drops the call waiting, and tells running ones they are stale.
func (d *Debounce) Cancel() {
	d.mu.Lock()
	d.gen++
	d.mu.Unlock()
}
