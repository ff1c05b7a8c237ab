package testenv

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func TestPollStopsAtTheFirstSuccess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		start := time.Now()
		err := poll(time.Minute, func() error {
			calls++
			if time.Since(start) < 3*time.Second {
				return errNotYet
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Pauses grow to maxPause: at most maxPause past the event.
		if late := time.Since(start) - 3*time.Second; late > maxPause {
			t.Errorf("noticed %v after the event, want at most %v", late, maxPause)
		}
		if calls > 3*int(time.Second/maxPause)+10 {
			t.Errorf("%d calls in 3s: it spins", calls)
		}
	})
}

func TestPollIsBoundedAndKeepsTheLastError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		last := errors.New("first")
		err := poll(2*time.Second, func() error {
			e := last
			last = errors.New("later")
			return e
		})
		if took := time.Since(start); took != 2*time.Second {
			t.Errorf("gave up after %v, want exactly the limit", took)
		}
		if err == nil || err.Error() != "later (after 2s)" {
			t.Errorf("err = %v, want the last error with the limit", err)
		}
	})
}

func TestPollLooksOnceEvenWithoutTime(t *testing.T) {
	calls := 0
	if err := poll(0, func() error { calls++; return nil }); err != nil || calls != 1 {
		t.Fatalf("poll(0) = %v after %d calls, want nil after 1", err, calls)
	}
}
