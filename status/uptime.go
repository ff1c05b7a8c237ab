package status

import (
	"cmp"
	"slices"
	"time"
)

// UptimeBucket is time one check spent up, down and under maintenance
// within one hour (UTC). Time without results is in none of the three:
// the store counts it as no data, so downtime of up itself never shows as
// uptime.
type UptimeBucket struct {
	CheckID               string
	Hour                  time.Time
	Up, Down, Maintenance time.Duration
}

// Uptime accumulates per-check hourly uptime from results, for the
// 90-day bars. Each result stands for the period before it (the check's
// interval), cut where the previous result's period ended so that no
// second is counted twice, and split at hour boundaries. A check's time
// counts by its state after thresholds, as the page showed it: DOWN is
// down; UP, SLOW and FLAKY are up (the service answered); any state
// under maintenance is maintenance. Failures before a check reaches DOWN
// are therefore up, like the page that still showed it up.
//
// An Engine keeps one and feeds it from Observe; it is exported for
// callers that account results themselves. It is not safe for concurrent
// use.
type Uptime struct {
	checks map[string]*uptimeCheck
	closed []UptimeBucket
}

type uptimeCheck struct {
	id   string
	last int64 // end of the last counted period, Unix ns; 0: none yet
	open bool
	cur  UptimeBucket
	hour int64
}

// NewUptime returns an empty accumulator.
func NewUptime() *Uptime { return &Uptime{checks: map[string]*uptimeCheck{}} }

// Add counts one result of checkID at time at, standing for period.
func (u *Uptime) Add(checkID string, at time.Time, period time.Duration, state CheckState, maintenance bool) {
	u.add(u.entry(checkID), at, period, state, maintenance)
}

func (u *Uptime) entry(id string) *uptimeCheck {
	c := u.checks[id]
	if c == nil {
		c = &uptimeCheck{id: id}
		u.checks[id] = c
	}
	return c
}

const hourNs = int64(time.Hour)

func (u *Uptime) add(c *uptimeCheck, at time.Time, period time.Duration, state CheckState, maintenance bool) {
	if period <= 0 || state == CheckUnknown {
		return
	}
	end := at.UnixNano()
	start := end - int64(period)
	if c.last != 0 {
		if end <= c.last {
			// Out of order, or the clock was set back. A step back longer
			// than a period restarts the count from here; the seconds in
			// between are lost (no data) rather than counted twice.
			if c.last-end > int64(period) {
				c.last = end
			}
			return
		}
		start = max(start, c.last)
	}
	c.last = end
	for start < end {
		h := start - ((start%hourNs)+hourNs)%hourNs
		seg := min(end, h+hourNs)
		if !c.open || c.hour != h {
			u.close(c)
			c.open, c.hour = true, h
			c.cur = UptimeBucket{CheckID: c.id}
		}
		d := time.Duration(seg - start)
		switch {
		case maintenance:
			c.cur.Maintenance += d
		case state == CheckDown:
			c.cur.Down += d
		default:
			c.cur.Up += d
		}
		start = seg
	}
}

func (u *Uptime) close(c *uptimeCheck) {
	if !c.open {
		return
	}
	c.open = false
	if c.cur.Up+c.cur.Down+c.cur.Maintenance > 0 {
		c.cur.Hour = time.Unix(0, c.hour).UTC()
		u.closed = append(u.closed, c.cur)
	}
}

// Drain returns the time accumulated since the last Drain, by check and
// hour, and forgets it. An hour still running is handed over in part;
// the store adds parts up.
func (u *Uptime) Drain() []UptimeBucket {
	for _, c := range u.checks {
		u.close(c)
	}
	out := u.closed
	u.closed = nil
	slices.SortStableFunc(out, func(a, b UptimeBucket) int {
		return cmp.Or(cmp.Compare(a.CheckID, b.CheckID), a.Hour.Compare(b.Hour))
	})
	return out
}

// Forget drops a check (removed by a reload); what it accumulated is
// kept for the next Drain.
func (u *Uptime) Forget(checkID string) {
	if c := u.checks[checkID]; c != nil {
		u.close(c)
		delete(u.checks, checkID)
	}
}
