package status

import (
	"cmp"
	"slices"
	"time"
)

// LatencyPoint is the average response time of one check over one minute
// (UTC): the point the status page charts.
type LatencyPoint struct {
	CheckID string
	Minute  time.Time
	Average time.Duration
	Count   int
}

// Latency averages response times per check and minute. Only results
// that got an answer count (OK and SLOW): a timeout's duration is the
// timeout, not the service's speed. Like Uptime it is fed one result at a
// time and drained by the caller that stores the points. It is not safe
// for concurrent use.
type Latency struct {
	checks map[string]*latencyMinute
	done   []LatencyPoint
}

type latencyMinute struct {
	minute time.Time
	sum    time.Duration
	n      int
}

// NewLatency returns an empty accumulator.
func NewLatency() *Latency { return &Latency{checks: map[string]*latencyMinute{}} }

// Add counts one answered result of checkID taken at at.
func (l *Latency) Add(checkID string, at time.Time, d time.Duration) {
	m := at.UTC().Truncate(time.Minute)
	b := l.checks[checkID]
	if b == nil {
		b = &latencyMinute{minute: m}
		l.checks[checkID] = b
	}
	if !b.minute.Equal(m) {
		l.close(checkID, b)
		b.minute = m
	}
	b.sum += d
	b.n++
}

func (l *Latency) close(id string, b *latencyMinute) {
	if b.n > 0 {
		l.done = append(l.done, LatencyPoint{CheckID: id, Minute: b.minute, Average: b.sum / time.Duration(b.n), Count: b.n})
	}
	b.sum, b.n = 0, 0
}

// Drain returns the points of every minute that ended by now, ordered by
// minute then check, and forgets them. The minute still running stays.
func (l *Latency) Drain(now time.Time) []LatencyPoint {
	cur := now.UTC().Truncate(time.Minute)
	for id, b := range l.checks {
		if b.minute.Before(cur) {
			l.close(id, b)
			if b.n == 0 {
				delete(l.checks, id)
			}
		}
	}
	out := l.done
	l.done = nil
	slices.SortFunc(out, func(a, b LatencyPoint) int {
		return cmp.Or(a.Minute.Compare(b.Minute), cmp.Compare(a.CheckID, b.CheckID))
	})
	return out
}

// Forget drops what was gathered for a check that no longer exists.
func (l *Latency) Forget(checkID string) { delete(l.checks, checkID) }
