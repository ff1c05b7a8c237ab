package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/up-status/up/probe"
	"github.com/up-status/up/regional"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// Store is what the pipeline needs of the store: the state it restores
// from, the transaction that commits events with their webhooks, and the
// history it keeps.
type Store interface {
	Components(ctx context.Context) ([]status.Component, error)
	Groups(ctx context.Context) ([]status.Group, error)
	Incidents(ctx context.Context, f store.IncidentFilter) ([]status.Incident, error)
	Maintenances(ctx context.Context, f store.MaintenanceFilter) ([]status.Maintenance, error)

	Subscribers(ctx context.Context) ([]store.Subscriber, error)
	Apply(ctx context.Context, events []status.Event, deliveries []store.Delivery) error

	AddUptime(ctx context.Context, samples []store.UptimeSample) error
	PutMetrics(ctx context.Context, ms []store.Metric) error
	Prune(ctx context.Context, p store.Prune) (store.Pruned, error)
}

// Planner turns committed events into webhook deliveries for the
// subscribers that want them (notify.Planner).
type Planner interface {
	Plan(events []status.Event, subs []store.Subscriber, now time.Time) []store.Delivery
}

// Consumer receives every published batch: the events since the previous
// batch, in the engine's order, and the snapshot after them. Publish is
// called from the engine stage and must not block: queue the work and
// return (as the page hub does), or do only a little arithmetic (as the
// metrics do).
type Consumer interface {
	Publish(events []status.Event, snap *status.Snapshot)
}

// Options configure a Pipeline. Store and Planner are required.
type Options struct {
	Store   Store
	Planner Planner
	Logger  *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// IDs makes the ids of incidents, updates and windows; nil means
	// status.NewID.
	IDs func() string
	// Engine options, e.g. status.WithRetention.
	Engine []status.Option
	// Regions are the checks probed from several regions: their results
	// (probe.Result.Region set) run each region's thresholds apart and
	// reach the engine as the state their quorum agrees on
	// (status.Engine.Report). Other checks' results go to the engine as
	// they are.
	Regions []regional.Spec

	// Consumers get every published batch, in this order.
	Consumers []Consumer
	// Results, if set, sees every probe result that says something about
	// its target (not the Local ones) before the engine does, from the
	// engine stage: the per-probe metrics.
	Results func(probe.Result)
	// Committed, if set, is told after each commit that queued webhooks,
	// so the notifier delivers them at once.
	Committed func()

	// Queue is how many probe results may wait for the engine stage
	// (default 4096). A full queue makes probe workers wait: it only
	// fills while an API write waits for the store.
	Queue int
	// PublishGap is the shortest time between two snapshots driven by
	// probe results (default 100ms); API writes publish at once.
	PublishGap time.Duration
	// TickEvery is how often time-driven state moves (default 1s).
	TickEvery time.Duration
	// FlushEvery is how often uptime and response times are saved
	// (default 1m).
	FlushEvery time.Duration
	// RetryEvery is how soon a commit the store refused is tried again
	// (default 1s).
	RetryEvery time.Duration
	// Keep says how long history is kept; zero values take the defaults
	// of DefaultKeep.
	Keep Keep
}

// Keep is how long history stays in the store.
type Keep struct {
	ResponseTimes time.Duration
	Uptime        time.Duration
	Deliveries    time.Duration
}

// DefaultKeep: response times feed the page's 24-hour chart; hourly
// uptime covers a year of SLA reports (the page shows 90 days); delivered
// webhooks are kept a while for inspection.
var DefaultKeep = Keep{
	ResponseTimes: 48 * time.Hour,
	Uptime:        400 * 24 * time.Hour,
	Deliveries:    30 * 24 * time.Hour,
}

// Pipeline runs the engine and commit stages. Create it with New, start
// it with Run.
type Pipeline struct {
	log       *slog.Logger
	now       func() time.Time
	consumers []Consumer
	results   func(probe.Result)
	gap       time.Duration
	tickEvery time.Duration
	flushE    time.Duration

	in      chan probe.Result
	cmds    chan command
	queries chan func()   // read-only looks at what the engine stage owns
	done    chan struct{} // closed when the engine stage has stopped

	commit *committer

	// Owned by the engine stage (and by New before Run).
	engine  *status.Engine
	latency *status.Latency
	unpub   []status.Event
	dirty   bool
	lastPub time.Time
	pubT    *time.Timer
	pubOn   bool
	held    time.Time         // when a publication began to wait for the store; zero: none waits
	local   map[string]string // checks whose last probe failed locally, with the error
	// regions runs the thresholds of the checks in regional (those
	// probed from several regions) per region; the engine stage owns
	// both. strays mirrors regions.Strays for other goroutines.
	regions  *regional.Checks
	regional map[string]bool
	strays   atomic.Uint64

	snap        atomic.Pointer[status.Snapshot]
	queueHigh   atomic.Int64
	localErrors atomic.Int64
}

type command struct {
	ctx  context.Context
	fn   func(e *status.Engine, now time.Time) ([]status.Event, error)
	done chan error
}

// New restores the previous run's state from the store into a new engine
// watching spec, and commits what differs (the config may have changed
// while up was stopped: a new window is announced). It fails when the
// store cannot be read or written: the daemon does not start on a state
// it cannot keep.
func New(ctx context.Context, spec status.Spec, opts Options) (*Pipeline, error) {
	if opts.Store == nil || opts.Planner == nil {
		return nil, errors.New("pipeline: Store and Planner are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.IDs == nil {
		opts.IDs = status.NewID
	}
	p := &Pipeline{
		log:       opts.Logger,
		now:       opts.Now,
		consumers: opts.Consumers,
		results:   opts.Results,
		gap:       orDefault(opts.PublishGap, 100*time.Millisecond),
		tickEvery: orDefault(opts.TickEvery, time.Second),
		flushE:    orDefault(opts.FlushEvery, time.Minute),
		in:        make(chan probe.Result, orDefault(opts.Queue, 4096)),
		cmds:      make(chan command),
		queries:   make(chan func()),
		done:      make(chan struct{}),
		latency:   status.NewLatency(),
		local:     map[string]string{},
	}
	p.setRegions(opts.Regions)
	keep := opts.Keep
	keep.ResponseTimes = orDefault(keep.ResponseTimes, DefaultKeep.ResponseTimes)
	keep.Uptime = orDefault(keep.Uptime, DefaultKeep.Uptime)
	keep.Deliveries = orDefault(keep.Deliveries, DefaultKeep.Deliveries)
	p.commit = &committer{
		log:       opts.Logger,
		store:     opts.Store,
		planner:   opts.Planner,
		now:       opts.Now,
		committed: opts.Committed,
		retry:     orDefault(opts.RetryEvery, time.Second),
		keep:      keep,
		wake:      make(chan struct{}, 1),
		settled:   make(chan struct{}, 1),
	}
	now := p.now()
	e, err := status.New(now, spec, opts.IDs, opts.Engine...)
	if err != nil {
		return nil, fmt.Errorf("status rules: %w", err)
	}
	st, err := p.commit.load(ctx, now)
	if err != nil {
		return nil, err
	}
	events := e.Restore(now, st)
	if err := p.commit.commitNow(ctx, stored(events)); err != nil {
		return nil, fmt.Errorf("saving restored state: %w", err)
	}
	p.engine = e
	p.unpub = events
	p.publish()
	return p, nil
}

// Snapshot is the state as last published. It is never modified: readers
// may keep it.
func (p *Pipeline) Snapshot() status.Snapshot { return *p.snap.Load() }

// Observe hands one probe result to the engine stage. It returns at once
// unless the queue is full (see Options.Queue). Results that arrive after
// Run ended are dropped.
func (p *Pipeline) Observe(r probe.Result) {
	select {
	case p.in <- r:
	case <-p.done:
		return
	}
	n := int64(len(p.in))
	for {
		high := p.queueHigh.Load()
		if n <= high || p.queueHigh.CompareAndSwap(high, n) {
			return
		}
	}
}

// QueueHigh is the most results that waited for the engine stage at once
// since the last call, which resets it: how close the queue came to
// making probes wait.
func (p *Pipeline) QueueHigh() int { return int(p.queueHigh.Swap(0)) }

// ErrStopped is returned by Change once Run has ended.
var ErrStopped = errors.New("pipeline: stopped")

// Change runs fn on a copy of the engine and, if fn succeeds, commits the
// events it returns before it makes the copy the engine and publishes.
// So a nil error means the change is durable; an error wrapping
// store.ErrUnavailable means it was not applied at all; an error from fn
// (a *status.Error) means the engine refused it and nothing changed.
func (p *Pipeline) Change(ctx context.Context, fn func(e *status.Engine, now time.Time) ([]status.Event, error)) error {
	c := command{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case p.cmds <- c:
	case <-p.done:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-c.done:
		return err
	case <-p.done:
		// The engine stage answers every command it took before it stops.
		return <-c.done
	}
}

// SetRegions replaces the checks probed from several regions (a
// reloaded config); the regions' machines of checks that stay keep
// their state.
func (p *Pipeline) SetRegions(ctx context.Context, specs []regional.Spec) error {
	return p.Change(ctx, func(*status.Engine, time.Time) ([]status.Event, error) {
		// The engine stage runs this: it owns the regions too.
		p.setRegions(specs)
		return nil, nil
	})
}

func (p *Pipeline) setRegions(specs []regional.Spec) {
	p.regional = map[string]bool{}
	for _, s := range specs {
		p.regional[s.Check.ID] = true
	}
	if p.regions == nil {
		p.regions = regional.New(specs)
		return
	}
	p.regions.Reconfigure(specs)
}

// RegionViews lists what the regions of each check probed from several
// see, for the metrics; nil once the pipeline stopped.
func (p *Pipeline) RegionViews(ctx context.Context) []regional.View {
	var out []regional.View
	done := make(chan struct{})
	select {
	case p.queries <- func() {
		out = p.regions.Views(p.now())
		close(done)
	}:
	case <-p.done:
		return nil
	case <-ctx.Done():
		return nil
	}
	<-done
	return out
}

// Strays counts results from a region their check is not probed from
// (an instance on another config while it rolls out).
func (p *Pipeline) Strays() uint64 { return p.strays.Load() }

// Reconfigure applies a new spec (a reloaded config) as one Change.
func (p *Pipeline) Reconfigure(ctx context.Context, spec status.Spec) error {
	return p.Change(ctx, func(e *status.Engine, now time.Time) ([]status.Event, error) {
		return e.Reconfigure(now, spec)
	})
}

// StoreErr is the store's latest write error while writes fail, nil once
// a write succeeded again. /readyz reports it.
func (p *Pipeline) StoreErr() error { return p.commit.err() }

// LocalErrors counts the probes not made because of up itself.
func (p *Pipeline) LocalErrors() int { return int(p.localErrors.Load()) }

// StoreFailures counts the store writes that failed since start.
func (p *Pipeline) StoreFailures() int { return p.commit.failedWrites() }

// Run runs the engine and commit stages until ctx ends. Then it applies
// the results already queued, moves the clock once more, saves uptime and
// response times, publishes, and makes a last attempt to commit what is
// pending.
func (p *Pipeline) Run(ctx context.Context) error {
	cctx, stopCommit := context.WithCancel(context.WithoutCancel(ctx))
	committed := make(chan struct{})
	go func() {
		defer close(committed)
		p.commit.run(cctx)
	}()
	p.loop(ctx)
	stopCommit()
	<-committed
	p.commit.drain(context.WithoutCancel(ctx))
	return nil
}

// stored keeps the events the store records: a check's state is not
// stored and sends no webhook.
func stored(events []status.Event) []status.Event {
	n := 0
	for _, ev := range events {
		if ev.Kind != status.CheckChanged && ev.Kind != status.CheckDeleted {
			n++
		}
	}
	if n == len(events) {
		return events
	}
	out := make([]status.Event, 0, n)
	for _, ev := range events {
		if ev.Kind != status.CheckChanged && ev.Kind != status.CheckDeleted {
			out = append(out, ev)
		}
	}
	return out
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
