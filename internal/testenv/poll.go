package testenv

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// Eventually polls cond until it holds, and fails the test after limit
// with what it waited for.
func Eventually(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	EventuallyOK(t, limit, what, func() error {
		if cond() {
			return nil
		}
		return errNotYet
	})
}

// EventuallyOK polls ready until it returns nil, and fails the test after
// limit with the last error it returned.
func EventuallyOK(t testing.TB, limit time.Duration, what string, ready func() error) {
	t.Helper()
	if err := poll(limit, ready); err != nil {
		t.Fatalf("gave up after %v waiting for %s: %v", limit, what, err)
	}
}

var errNotYet = errors.New("not yet")

// maxPause is the longest pause between two polls: short enough that a
// test never waits long past the event, long enough not to spin.
const maxPause = 100 * time.Millisecond

// poll calls ready until it returns nil or limit has passed, pausing a
// little longer each time. It always calls ready at least once, and once
// more at the deadline, so a limit shorter than a pause still gets a last
// look.
func poll(limit time.Duration, ready func() error) error {
	deadline := time.Now().Add(limit)
	pause := time.Millisecond
	for {
		err := ready()
		if err == nil {
			return nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("%w (after %v)", err, limit)
		}
		time.Sleep(min(pause, left))
		pause = min(2*pause, maxPause)
	}
}
