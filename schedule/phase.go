package schedule

import (
	"hash/fnv"
	"time"
)

// Phase is the check's fixed offset inside its interval, derived from its
// id. Runs happen at times t with t ≡ Phase (mod interval) counted from the
// Unix epoch, so thousands of checks spread evenly over the interval, never
// fire together, and keep their rhythm across restarts and reloads.
func Phase(id string, interval time.Duration) time.Duration {
	if interval <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	// Mix the bits so that ids differing only in their last byte still
	// land far apart.
	x := h.Sum64()
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	return time.Duration(x % uint64(interval))
}

// FirstRun is the first time at or after now that falls on the check's
// phase.
func FirstRun(now time.Time, id string, interval time.Duration) time.Time {
	if interval <= 0 {
		return now
	}
	into := time.Duration(now.UnixNano() % int64(interval))
	wait := Phase(id, interval) - into
	if wait < 0 {
		wait += interval
	}
	return now.Add(wait)
}
