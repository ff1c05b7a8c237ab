package daemon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/up-status/up/config"
	"github.com/up-status/up/metrics"
	"github.com/up-status/up/notify"
	"github.com/up-status/up/probe"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// core owns the status engine. Every change the engine makes goes, in the
// engine's order, to the store (with the webhooks it causes, in one
// transaction), then the metrics, the notifier and the live listeners.
// The engine is not safe for concurrent use; mu serialises every call and
// the commit that follows it, so consumers see one order of events.
type core struct {
	log     *slog.Logger
	store   store.Store
	metrics *metrics.Metrics
	planner notify.Planner
	wake    func() // tells the notifier new deliveries are in the outbox
	now     func() time.Time

	mu        sync.Mutex
	engine    *status.Engine
	open      map[string]bool // ids of open incidents, to count openings once
	unsaved   []status.Event  // events the store refused; retried on tick
	latency   map[string]*latencyBucket
	points    []store.Metric // finished minutes of latency, not yet saved
	listeners []func([]status.Event, *status.Snapshot)

	snap atomic.Pointer[status.Snapshot]

	// Publishing (a snapshot for readers and the batch for listeners) is
	// coalesced: a snapshot of thousands of checks costs a millisecond or
	// more, and a mass outage commits a change per result. Probe-driven
	// commits publish at most once per publishGap; API writes publish at
	// once, so a client reads its own write.
	publishGap time.Duration
	unpub      []status.Event
	dirty      bool
	lastPub    time.Time
	pubTimer   *time.Timer
}

// latencyBucket averages one check's response times over a minute: the
// point the status page charts.
type latencyBucket struct {
	minute time.Time
	sum    time.Duration
	n      int
	name   string
}

// newID makes the ids of incidents, updates and maintenance: random, so
// they never collide across restarts or instances.
func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// restore loads the previous run's state into a new engine and stores what
// differs (the config may have changed while up was stopped).
func (c *core) restore(ctx context.Context, spec status.Spec) error {
	now := c.now()
	e, err := status.New(now, spec, newID)
	if err != nil {
		return fmt.Errorf("status rules: %w", err)
	}
	var st status.State
	if st.Components, err = c.store.Components(ctx); err != nil {
		return err
	}
	if st.Groups, err = c.store.Groups(ctx); err != nil {
		return err
	}
	if st.Incidents, err = c.store.Incidents(ctx, store.IncidentFilter{Since: now.Add(-14 * 24 * time.Hour)}); err != nil {
		return err
	}
	if st.Maintenance, err = c.store.Maintenances(ctx, store.MaintenanceFilter{}); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.engine = e
	c.open = map[string]bool{}
	c.latency = map[string]*latencyBucket{}
	for _, inc := range st.Incidents {
		if inc.Open() {
			c.open[inc.ID] = true
		}
	}
	// Restore reports what differs from the store: objects the config
	// added or changed while up was stopped. Those are real changes and
	// are committed like any other (a new window is announced).
	if err := c.commit(ctx, e.Restore(now, st)); err != nil {
		return fmt.Errorf("saving restored state: %w", err)
	}
	c.flushPublish()
	snap := c.snap.Load()
	for _, comp := range snap.Components {
		c.metrics.SetComponentStatus(comp.ID, comp.Group, comp.Status)
	}
	c.metrics.SetPageStatus(snap.Page.Status)
	return nil
}

// Snapshot is the engine's state after the latest change.
func (c *core) Snapshot() status.Snapshot { return *c.snap.Load() }

// Change runs fn on the engine and carries out the events it returns,
// also when fn fails: an engine call may have moved time-driven state
// before it refused the request.
func (c *core) Change(ctx context.Context, fn func(e *status.Engine, now time.Time) ([]status.Event, error)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	events, err := fn(c.engine, c.now())
	cerr := c.commit(ctx, events)
	c.flushPublish()
	if cerr != nil {
		return errors.Join(err, cerr)
	}
	return err
}

// observe feeds one probe result to the engine.
func (c *core) observe(ch *config.Check, r probe.Result) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	events := c.engine.Observe(now, observation(ch, r))
	if r.Success {
		c.addLatency(ch, now, r.Duration)
	}
	if len(events) > 0 {
		_ = c.commit(context.Background(), events)
	}
}

// stopPublishing publishes what is pending and disarms the timer, at
// shutdown.
func (c *core) stopPublishing() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pubTimer != nil {
		c.pubTimer.Stop()
		c.pubTimer = nil
	}
	c.flushPublish()
}

// tick moves time-driven state and retries what the store refused.
func (c *core) tick(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	events := c.engine.Tick(c.now())
	if len(events) > 0 || len(c.unsaved) > 0 {
		_ = c.commit(ctx, events)
	}
}

// reconfigure applies a reloaded config to the engine.
func (c *core) reconfigure(ctx context.Context, spec status.Spec) error {
	return c.Change(ctx, func(e *status.Engine, now time.Time) ([]status.Event, error) {
		return e.Reconfigure(now, spec)
	})
}

// commit persists events with their webhooks, then tells everyone else.
// Called with mu held. If the store fails, the events are kept and retried
// with the next commit, so a full disk delays state but loses nothing.
func (c *core) commit(ctx context.Context, events []status.Event) error {
	if len(events) == 0 && len(c.unsaved) == 0 {
		return nil
	}
	if len(c.unsaved) == 0 && onlyChecks(events) {
		// A check's state is not stored and sends no webhook; a start
		// brings one such event per check, which need no transaction.
		for _, ev := range events {
			c.record(ev)
		}
		c.unpub = append(c.unpub, events...)
		c.dirty = true
		c.publishSoon()
		return nil
	}
	now := c.now()
	batch := append(c.unsaved, events...)
	// Subscribers are read at each commit rather than cached: commits are
	// rare next to results, and the API, the config and 410 answers all
	// change them. Events the store refused before are planned again with
	// the new ones: their webhooks were rolled back with them.
	var deliveries []store.Delivery
	subs, err := c.store.Subscribers(ctx)
	if err == nil {
		deliveries = c.planner.Plan(batch, subs, now)
		err = c.store.Apply(ctx, batch, deliveries)
	}
	if err != nil {
		c.unsaved = batch
		c.log.Error("saving state failed; will retry", "events", len(batch), "err", err)
		return fmt.Errorf("saving state: %w", err)
	}
	c.unsaved = nil
	for _, ev := range batch {
		c.record(ev)
	}
	if len(deliveries) > 0 && c.wake != nil {
		c.wake()
	}
	c.unpub = append(c.unpub, batch...)
	c.dirty = true
	c.publishSoon()
	return nil
}

// onlyChecks reports whether every event is about a check's state, which
// the store keeps no record of.
func onlyChecks(events []status.Event) bool {
	for _, ev := range events {
		if ev.Kind != status.CheckChanged && ev.Kind != status.CheckDeleted {
			return false
		}
	}
	return true
}

// publishSoon publishes now if the last publication is old enough, else
// arms a timer for the rest of the gap. Called with mu held.
func (c *core) publishSoon() {
	wait := c.publishGap - c.now().Sub(c.lastPub)
	if wait <= 0 {
		c.flushPublish()
		return
	}
	if c.pubTimer == nil {
		c.pubTimer = time.AfterFunc(wait, func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.pubTimer = nil
			c.flushPublish()
		})
	}
}

// flushPublish takes a snapshot and hands it, with the events committed
// since the last one, to readers and listeners. Called with mu held.
func (c *core) flushPublish() {
	if !c.dirty && c.snap.Load() != nil {
		return
	}
	snap := c.engine.Snapshot()
	c.countOpen(&snap)
	events := c.unpub
	c.unpub, c.dirty, c.lastPub = nil, false, c.now()
	c.publish(events, &snap)
}

// record moves the metrics an event changes.
func (c *core) record(ev status.Event) {
	switch ev.Kind {
	case status.CheckChanged:
		if ev.Check != nil {
			c.metrics.SetCheckUp(ev.Check.ID, ev.Check.State != status.CheckDown)
		}
	case status.ComponentChanged:
		comp := ev.Component
		c.metrics.SetComponentStatus(comp.ID, comp.Group, comp.Status)
	case status.ComponentDeleted:
		c.metrics.RemoveComponent(ev.Component.ID)
	case status.PageChanged:
		c.metrics.SetPageStatus(ev.Page.Status)
	case status.IncidentChanged:
		inc := ev.Incident
		if inc.Open() && !c.open[inc.ID] {
			c.open[inc.ID] = true
			c.metrics.IncidentOpened()
		} else if !inc.Open() {
			delete(c.open, inc.ID)
		}
	case status.IncidentDeleted:
		delete(c.open, ev.Incident.ID)
	}
}

func (c *core) countOpen(s *status.Snapshot) {
	open, inProgress := 0, 0
	for _, inc := range s.Incidents {
		if inc.Open() {
			open++
		}
	}
	for _, m := range s.Maintenance {
		if m.Status == status.InProgress {
			inProgress++
		}
	}
	c.metrics.SetIncidentsOpen(open)
	c.metrics.SetMaintenanceInProgress(inProgress)
}

func (c *core) publish(events []status.Event, snap *status.Snapshot) {
	c.snap.Store(snap)
	for _, l := range c.listeners {
		l(events, snap)
	}
}

// listen registers fn to receive every committed batch of events and the
// snapshot after it. Register before the daemon runs.
func (c *core) listen(fn func([]status.Event, *status.Snapshot)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.listeners = append(c.listeners, fn)
}

func (c *core) addLatency(ch *config.Check, now time.Time, d time.Duration) {
	m := now.UTC().Truncate(time.Minute)
	b := c.latency[ch.ID]
	if b == nil {
		b = &latencyBucket{minute: m, name: ch.ID}
		c.latency[ch.ID] = b
	}
	if !b.minute.Equal(m) {
		c.finishMinute(ch.ID, b)
		b.minute = m
	}
	b.sum += d
	b.n++
}

// finishMinute queues the average of a finished minute for the store.
func (c *core) finishMinute(id string, b *latencyBucket) {
	if b.n > 0 {
		c.points = append(c.points, store.Metric{
			ID: id, Name: b.name + " response time", Unit: "ms",
			Points: []store.Point{{Time: b.minute, Value: float64(b.sum.Microseconds()) / 1000 / float64(b.n)}},
		})
	}
	b.sum, b.n = 0, 0
}

// flush writes the hourly uptime and the response-time points gathered
// since the last flush.
func (c *core) flush(ctx context.Context) {
	c.mu.Lock()
	buckets := c.engine.DrainUptime()
	now := c.now().UTC().Truncate(time.Minute)
	for id, b := range c.latency {
		if b.minute.Before(now) {
			c.finishMinute(id, b)
		}
	}
	points := c.points
	c.points = nil
	c.mu.Unlock()

	if len(buckets) > 0 {
		samples := make([]store.UptimeSample, len(buckets))
		for i, b := range buckets {
			samples[i] = store.UptimeSample{CheckID: b.CheckID, Hour: b.Hour, Up: b.Up, Down: b.Down, Maintenance: b.Maintenance}
		}
		if err := c.store.AddUptime(ctx, samples); err != nil {
			c.log.Error("saving uptime failed", "err", err)
		}
	}
	if len(points) > 0 {
		if err := c.store.PutMetrics(ctx, points); err != nil {
			c.log.Error("saving response times failed", "metrics", len(points), "err", err)
		}
	}
}

// How long history is kept. Response times feed the page's 24-hour
// chart; hourly uptime covers a year of SLA reports (the page shows 90
// days); delivered webhooks are kept a while for inspection.
const (
	keepResponseTimes = 48 * time.Hour
	keepUptime        = 400 * 24 * time.Hour
	keepDeliveries    = 30 * 24 * time.Hour
)

// prune lets go of history older than it is kept.
func (c *core) prune(ctx context.Context) {
	now := c.now()
	n, err := c.store.Prune(ctx, store.Prune{
		PointsBefore:     now.Add(-keepResponseTimes),
		UptimeBefore:     now.Add(-keepUptime),
		DeliveriesBefore: now.Add(-keepDeliveries),
	})
	if err != nil {
		c.log.Error("pruning old history failed", "err", err)
		return
	}
	if n.Points+n.Uptime+n.Deliveries > 0 {
		c.log.Debug("pruned old history", "points", n.Points, "uptime_hours", n.Uptime, "deliveries", n.Deliveries)
	}
}
