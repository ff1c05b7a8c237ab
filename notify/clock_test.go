package notify

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock that moves only when the test says so.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  map[*fakeTimer]bool
	changed chan struct{} // closed and replaced whenever a timer is added
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, timers: map[*fakeTimer]bool{}, changed: make(chan struct{})}
}

type fakeTimer struct {
	c  *fakeClock
	at time.Time
	ch chan time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), ch: make(chan time.Time, 1)}
	if d <= 0 {
		t.ch <- c.now
		return t
	}
	c.timers[t] = true
	close(c.changed)
	c.changed = make(chan struct{})
	return t
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	active := t.c.timers[t]
	delete(t.c.timers, t)
	return active
}

// Advance moves the clock by d and fires the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.fireLocked()
}

func (c *fakeClock) fireLocked() {
	for t := range c.timers {
		if !t.at.After(c.now) {
			t.ch <- c.now
			delete(c.timers, t)
		}
	}
}

// nextWithinLocked returns the earliest timer due within the given span of now.
func (c *fakeClock) nextWithinLocked(within time.Duration) (at time.Time, ok bool) {
	for t := range c.timers {
		if t.at.Sub(c.now) <= within && (!ok || t.at.Before(at)) {
			at, ok = t.at, true
		}
	}
	return at, ok
}

// AdvanceToTimer waits (in real time, at most wait) for a timer due
// within the given span of the fake now, then moves the clock to it and fires it.
// It returns how far the clock moved.
func (c *fakeClock) AdvanceToTimer(t testing.TB, within, wait time.Duration) time.Duration {
	t.Helper()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		at, ok := c.nextWithinLocked(within)
		changed := c.changed
		if ok {
			moved := max(at.Sub(c.now), 0)
			c.now = c.now.Add(moved)
			c.fireLocked()
			c.mu.Unlock()
			return moved
		}
		c.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("no timer due within %v of the fake clock after %v", within, wait)
		}
	}
}

// hasTimerWithin reports whether a timer is due within the given span.
func (c *fakeClock) hasTimerWithin(within time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.nextWithinLocked(within)
	return ok
}

// timersWithin counts the timers due within the given span.
func (c *fakeClock) timersWithin(within time.Duration) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for t := range c.timers {
		if t.at.Sub(c.now) <= within {
			n++
		}
	}
	return n
}
