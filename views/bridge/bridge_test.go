package bridge

import (
	"sort"
	"sync"
	"testing"
	"time"
)

// fakeClock runs timers when the test advances it, so no test waits on the wall clock.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []timer
}

type timer struct {
	at time.Time
	f  func()
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timers = append(c.timers, timer{c.now.Add(d), f})
}

// advance moves the clock on by d, running the timers due on the way, in order.
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		sort.SliceStable(c.timers, func(i, j int) bool { return c.timers[i].at.Before(c.timers[j].at) })
		if len(c.timers) == 0 || c.timers[0].at.After(end) {
			c.now = end
			c.mu.Unlock()
			return
		}
		t := c.timers[0]
		c.timers = c.timers[1:]
		c.now = t.at
		c.mu.Unlock()
		t.f()
	}
}

// ui runs what Do queued, as Fyne's loop would.
func ui(q chan func()) {
	for {
		select {
		case f := <-q:
			f()
		default:
			return
		}
	}
}

func TestThrottleCoalesces(t *testing.T) {
	q := make(chan func(), 1024)
	UseQueue(q)
	clock := &fakeClock{now: time.Unix(0, 0)}
	th := NewThrottle(30*time.Millisecond, clock)
	ran, last := 0, 0
	for i := range 100 { // 100 updates, one a millisecond
		th.Push(func() { ran++; last = i })
		clock.advance(time.Millisecond)
		ui(q)
	}
	clock.advance(100 * time.Millisecond)
	ui(q)
	if ran < 3 || ran > 5 || last != 99 {
		t.Fatalf("100 updates in 100 ms painted %d times, the last %d", ran, last)
	}
	th.Flush()
	th.Push(func() { ran = -1 })
	clock.advance(time.Second)
	ui(q)
	if ran == -1 {
		t.Fatal("an update after Flush was painted")
	}
}

func TestDebounceRunsTheLastOfABurst(t *testing.T) {
	clock := &fakeClock{now: time.Unix(0, 0)}
	d := NewDebounce(100*time.Millisecond, clock)
	var got []int
	for i := range 5 {
		d.Call(func(latest func() bool) { got = append(got, i) })
		clock.advance(20 * time.Millisecond)
	}
	clock.advance(time.Second)
	if len(got) != 1 || got[0] != 4 {
		t.Fatalf("ran %v", got)
	}
	var stale bool
	d.Call(func(latest func() bool) { d.Cancel(); stale = !latest() })
	clock.advance(time.Second)
	if !stale {
		t.Fatal("a cancelled call still looks latest")
	}
	d.Call(func(func() bool) { got = append(got, 9) })
	d.Cancel()
	clock.advance(time.Second)
	if len(got) != 1 {
		t.Fatalf("a cancelled call ran: %v", got)
	}
}

func TestDoDropsWorkOnceQuitting(t *testing.T) {
	q := make(chan func(), 8)
	UseQueue(q)
	ran := false
	Do(func() { ran = true })
	quitting.Store(true)
	ui(q)
	if ran {
		t.Fatal("work ran after Quit began")
	}
	UseQueue(q)
	Work(func() int { return 7 }, func(n int) { ran = n == 7 })
	(<-q)()
	if !ran {
		t.Fatal("Work did not hand its result to the UI")
	}
}
