package pipeline

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// restoreWindow is how far back resolved incidents are loaded at start;
// older ones live only in the store.
const restoreWindow = 14 * 24 * time.Hour

// committer is the commit stage: it makes the engine's events durable,
// with the webhooks they cause, in the engine's order.
type committer struct {
	log       *slog.Logger
	store     Store
	planner   Planner
	now       func() time.Time
	committed func()
	retry     time.Duration
	keep      Keep
	wake      chan struct{}
	// settled tells the engine stage that a commit attempt ended, so it
	// may publish what waited for it.
	settled chan struct{}

	// write serialises the store writes of the commit stage and of
	// Change, so events reach the store in the engine's order.
	write sync.Mutex

	mu       sync.Mutex // guards what follows
	pending  []status.Event
	uptime   []store.UptimeSample
	points   []store.Metric
	lastErr  error
	failures int
	// queued counts the batches handed over; tried the ones whose commit
	// was attempted. Views wait until tried catches up (see caughtUp).
	queued, tried int
}

// load reads the state a new engine is restored from.
func (c *committer) load(ctx context.Context, now time.Time) (status.State, error) {
	return Load(ctx, c.store, now)
}

// Loader is what Load reads.
type Loader interface {
	Components(ctx context.Context) ([]status.Component, error)
	Groups(ctx context.Context) ([]status.Group, error)
	Incidents(ctx context.Context, f store.IncidentFilter) ([]status.Incident, error)
	Maintenances(ctx context.Context, f store.MaintenanceFilter) ([]status.Maintenance, error)
}

// Load reads the state an engine is restored from: the components and
// groups, the incidents of the last two weeks and the windows.
func Load(ctx context.Context, s Loader, now time.Time) (status.State, error) {
	var st status.State
	var err error
	if st.Components, err = s.Components(ctx); err != nil {
		return st, err
	}
	if st.Groups, err = s.Groups(ctx); err != nil {
		return st, err
	}
	if st.Incidents, err = s.Incidents(ctx, store.IncidentFilter{Since: now.Add(-restoreWindow)}); err != nil {
		return st, err
	}
	if st.Maintenance, err = s.Maintenances(ctx, store.MaintenanceFilter{}); err != nil {
		return st, err
	}
	return st, nil
}

// add queues events for the next commit. Called by the engine stage.
func (c *committer) add(events []status.Event) {
	if len(events) == 0 {
		return
	}
	c.mu.Lock()
	c.pending = append(c.pending, events...)
	c.queued++
	c.mu.Unlock()
	c.poke()
}

// caughtUp reports whether every batch handed over was committed, or the
// store is failing: then nothing waits for it. The engine stage publishes
// only when it is true (or a slow store held the page too long), so an
// incident the page shows is one a kill -9 does not lose.
func (c *committer) caughtUp() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tried == c.queued || c.lastErr != nil
}

// attempted records that the batches queued up to n were tried.
func (c *committer) attempted(n int) {
	c.mu.Lock()
	c.tried = max(c.tried, n)
	c.mu.Unlock()
	select {
	case c.settled <- struct{}{}:
	default:
	}
}

// addHistory queues uptime and response times for the next commit.
func (c *committer) addHistory(samples []store.UptimeSample, points []store.Metric) {
	c.mu.Lock()
	c.uptime = append(c.uptime, samples...)
	c.points = append(c.points, points...)
	c.mu.Unlock()
	c.poke()
}

func (c *committer) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// failed counts the store writes that failed.
func (c *committer) failedWrites() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.failures
}

func (c *committer) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastErr
}

// run commits whatever is pending whenever there is something, retrying
// every c.retry while the store refuses, until ctx ends.
func (c *committer) run(ctx context.Context) {
	// ctx ends the loop, not a write in progress: a write cut off at
	// shutdown would only be retried by drain, after a false alarm.
	wctx := context.WithoutCancel(ctx)
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	prune := time.NewTicker(time.Hour)
	defer prune.Stop()
	c.prune(wctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		case <-retry.C:
		case <-prune.C:
			c.prune(wctx)
			continue
		}
		if !c.flush(wctx) {
			retry.Reset(c.retry)
		}
	}
}

// drain is the last attempt at shutdown.
func (c *committer) drain(ctx context.Context) {
	if !c.flush(ctx) {
		c.mu.Lock()
		n := len(c.pending)
		c.mu.Unlock()
		if n > 0 {
			c.log.Error("state not saved at shutdown; the events are lost", "events", n, "err", c.err())
		}
	}
}

// flush commits what is pending and saves the history gathered; it
// reports whether everything was written.
func (c *committer) flush(ctx context.Context) bool {
	c.write.Lock()
	defer c.write.Unlock()
	c.mu.Lock()
	batch, upTo := c.pending, c.queued
	c.pending = nil
	c.mu.Unlock()
	if err := c.apply(ctx, batch); err != nil {
		c.mu.Lock()
		c.pending = append(batch, c.pending...)
		c.mu.Unlock()
		c.failed(err, len(batch))
		c.attempted(upTo)
		return false
	}
	c.ok()
	c.attempted(upTo)
	if !c.history(ctx) {
		return false
	}
	c.ok()
	return true
}

// commitNow commits what is pending and events in one transaction, at once.
// On failure the pending events stay pending and events are not kept.
func (c *committer) commitNow(ctx context.Context, events []status.Event) error {
	c.write.Lock()
	defer c.write.Unlock()
	c.mu.Lock()
	pending, upTo := c.pending, c.queued
	c.pending = nil
	c.mu.Unlock()
	batch := append(slices.Clip(pending), events...)
	if err := c.apply(ctx, batch); err != nil {
		c.mu.Lock()
		c.pending = append(pending, c.pending...)
		c.mu.Unlock()
		c.failed(err, len(pending))
		if len(pending) > 0 {
			c.poke()
		}
		return err
	}
	c.ok()
	c.attempted(upTo)
	return nil
}

// apply writes events and the webhooks they cause. Subscribers are read
// at each commit rather than cached: commits are rare next to results,
// and the API, the config and 410 answers all change them.
func (c *committer) apply(ctx context.Context, events []status.Event) error {
	if len(events) == 0 {
		return nil
	}
	subs, err := c.store.Subscribers(ctx)
	if err != nil {
		return err
	}
	deliveries := c.planner.Plan(events, subs, c.now())
	if err := c.store.Apply(ctx, events, deliveries); err != nil {
		return err
	}
	if len(deliveries) > 0 && c.committed != nil {
		c.committed()
	}
	return nil
}

// history saves uptime and response times. Either kind is kept for the
// next try when the store refuses it.
func (c *committer) history(ctx context.Context) bool {
	c.mu.Lock()
	samples, points := c.uptime, c.points
	c.uptime, c.points = nil, nil
	c.mu.Unlock()
	ok := true
	if len(samples) > 0 {
		if err := c.store.AddUptime(ctx, samples); err != nil {
			c.mu.Lock()
			c.uptime = append(samples, c.uptime...)
			c.mu.Unlock()
			c.failed(err, 0)
			ok = false
		}
	}
	if len(points) > 0 {
		if err := c.store.PutMetrics(ctx, points); err != nil {
			c.mu.Lock()
			c.points = append(points, c.points...)
			c.mu.Unlock()
			c.failed(err, 0)
			ok = false
		}
	}
	return ok
}

func (c *committer) failed(err error, events int) {
	c.mu.Lock()
	first := c.lastErr == nil
	c.lastErr = err
	c.failures++
	c.mu.Unlock()
	if first {
		c.log.Error("saving state failed; what probes observe still reaches the page and metrics, and the events are kept and retried", "events", events, "err", err)
	}
}

func (c *committer) ok() {
	c.mu.Lock()
	was := c.lastErr
	c.lastErr = nil
	c.mu.Unlock()
	if was != nil {
		c.log.Info("saving state works again", "was", was)
	}
}

// prune lets go of history older than it is kept.
func (c *committer) prune(ctx context.Context) {
	now := c.now()
	n, err := c.store.Prune(ctx, store.Prune{
		PointsBefore:     now.Add(-c.keep.ResponseTimes),
		UptimeBefore:     now.Add(-c.keep.Uptime),
		DeliveriesBefore: now.Add(-c.keep.Deliveries),
	})
	if err != nil {
		c.log.Error("pruning old history failed", "err", err)
		return
	}
	if n.Points+n.Uptime+n.Deliveries > 0 {
		c.log.Debug("pruned old history", "points", n.Points, "uptime_hours", n.Uptime, "deliveries", n.Deliveries)
	}
}
