package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/api"
	"github.com/up-status/up/cluster"
	"github.com/up-status/up/config"
	"github.com/up-status/up/metrics"
	"github.com/up-status/up/pipeline"
	"github.com/up-status/up/probe"
	"github.com/up-status/up/regional"
	"github.com/up-status/up/replica"
	"github.com/up-status/up/schedule"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
	"github.com/up-status/up/store/postgres"
)

// Timings of the leader's loops. Results wait at most resultsEvery in
// this instance and as long again in the queue: the engine acts on a
// result within a fraction of a second wherever it was probed.
const (
	resultsEvery   = 100 * time.Millisecond
	checksEvery    = 250 * time.Millisecond
	detailsEvery   = 5 * time.Second
	allChecksEvery = 5 * time.Minute
	pruneEvery     = 30 * time.Second
	keepFeed       = 10 * time.Minute
	staleResults   = time.Minute
)

// sides is the engine side of an instance of a cluster: the pipeline
// while it leads, the replica while it follows. The API, the metrics and
// the daemon see one backend whichever runs.
type sides struct {
	log      *slog.Logger
	db       *postgres.DB
	instance string
	region   string
	opts     pipeline.Options // Store is set per term
	rep      *replica.Replica
	// run is the notifier's Run, for the terms of leadership.
	deliver func(ctx context.Context) error
	// commands runs the API writes followers forward (set by routes).
	commands atomic.Pointer[commandRunner]
	// deduplicated counts results dropped because their run was already
	// seen: by the queue's key or by the engine's last slot.
	deduplicated atomic.Int64

	pipe atomic.Pointer[pipeline.Pipeline]
	// failures counts the store failures of earlier terms, so the
	// exported counter never goes back.
	failures, localErrs atomic.Int64

	mu   sync.Mutex // guards spec
	spec status.Spec

	out chan postgres.QueuedResult // results on their way to the queue

	// feed collects the checks that got results since the last
	// AppendChecks (only while leading).
	feedMu sync.Mutex
	// urgent holds checks whose state changed, written at once; details
	// those that only got another result, written every detailsEvery:
	// followers need a state change within a second, a latency figure
	// can wait, and every entry costs each follower a decode and a copy
	// of the check list.
	urgent, details map[string]status.CheckStatus
	lastRes         map[string]time.Time
	lastState       map[string]status.CheckState

	// slotMu guards slots: per check, the latest run the engine took, so
	// that a run probed twice (the leader's own result, and another
	// instance's from the queue) counts once.
	slotMu sync.Mutex
	slots  map[string]int64

	// termMu orders the replica's start and stop with the terms of
	// leadership and the shutdown; closing is set once run returned.
	termMu  sync.Mutex
	closing bool
	repStop context.CancelFunc
	repDone chan struct{}
}

// newSides makes the engine side of an instance of a cluster; resigned
// is called when the leader announces it resigned.
func newSides(cfg *config.Config, db *postgres.DB, instance string, opts pipeline.Options, deliver func(context.Context) error, resigned func(), log *slog.Logger) *sides {
	spec := specOf(cfg)
	// The probe's series are exported where it ran (Daemon.onResult).
	opts.Results = nil
	opts.Regions = regionsOf(cfg)
	return &sides{
		log: log, db: db, instance: instance, region: cfg.Cluster.Region, opts: opts, deliver: deliver, spec: spec,
		out: make(chan postgres.QueuedResult, 8192),
		rep: replica.New(replica.Options{
			Source: db, Spec: spec, Consumers: opts.Consumers, Logger: log, Now: opts.Now, Resigned: resigned,
		}),
	}
}

// run sends this instance's results and follows the leader until ctx
// ends; the terms of leadership come from the elector (lead).
func (s *sides) run(ctx context.Context) {
	s.termMu.Lock()
	s.startReplica()
	s.termMu.Unlock()
	s.send(ctx)
	s.termMu.Lock()
	s.closing = true
	if s.repDone != nil {
		s.stopReplica()
	}
	s.termMu.Unlock()
}

// errNoLeader answers API writes that reach a backend with no engine: a
// follower forwards them instead, so this is only seen between terms.
var errNoLeader = errors.New("no instance leads the cluster right now")

func (s *sides) Snapshot() status.Snapshot {
	if p := s.pipe.Load(); p != nil {
		return p.Snapshot()
	}
	return s.rep.Snapshot()
}

func (s *sides) Change(ctx context.Context, fn func(e *status.Engine, now time.Time) ([]status.Event, error)) error {
	if p := s.pipe.Load(); p != nil {
		return p.Change(ctx, fn)
	}
	return fmt.Errorf("%w: %w", store.ErrUnavailable, errNoLeader)
}

func (s *sides) StoreErr() error {
	if p := s.pipe.Load(); p != nil {
		return p.StoreErr()
	}
	return nil
}

func (s *sides) StoreFailures() int {
	n := int(s.failures.Load())
	if p := s.pipe.Load(); p != nil {
		n += p.StoreFailures()
	}
	return n
}

func (s *sides) LocalErrors() int { return int(s.localErrs.Load()) }

// regionViews is what the leader's engine holds of each check's regions,
// for the metrics; nothing on a follower.
func (s *sides) regionViews() []regional.View {
	p := s.pipe.Load()
	if p == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return p.RegionViews(ctx)
}

// Leading reports whether this instance runs the engine now.
func (s *sides) Leading() bool { return s.pipe.Load() != nil }

// AsOf is when the state shown was last known current: now on the
// leader, the replica's last read on a follower.
func (s *sides) AsOf(now time.Time) time.Time {
	if s.Leading() {
		return now
	}
	return s.rep.AsOf()
}

func (s *sides) reconfigure(ctx context.Context, spec status.Spec, regions []regional.Spec) error {
	s.mu.Lock()
	s.spec, s.opts.Regions = spec, regions
	s.mu.Unlock()
	if p := s.pipe.Load(); p != nil {
		if err := p.Reconfigure(ctx, spec); err != nil {
			return err
		}
		if err := p.SetRegions(ctx, regions); err != nil {
			return err
		}
	}
	s.rep.Reconfigure(spec)
	return nil
}

// observe sends a result this instance probed to the leader's engine
// through the queue, keyed by its scheduled run.
func (s *sides) observe(c *config.Check, r probe.Result) {
	if r.Local {
		s.localErrs.Add(1)
		return
	}
	r.Region = s.region
	slot := int64(0)
	if c != nil && c.Interval > 0 {
		phase := schedule.Phase(c.ID, c.Interval)
		slot = int64(math.Round(float64(r.Start.UnixNano()-int64(phase)) / float64(c.Interval)))
	} else {
		slot = r.Start.UnixNano() // a push report: its own run
	}
	if p := s.pipe.Load(); p != nil {
		// The leader's own results go straight to its engine: the
		// queue's insert, delete and decoding were a third of a
		// cluster's cost per probe.
		if s.take1(r.CheckID, r.Region, slot) {
			p.Observe(wireResult(r))
		}
		return
	}
	body, err := json.Marshal(wireResult(r))
	if err != nil {
		return
	}
	select {
	case s.out <- postgres.QueuedResult{CheckID: r.CheckID, Region: s.region, Slot: slot, Instance: s.instance, Body: body}:
	default:
		s.log.Warn("cluster: the queue to the database is full; a result is dropped", "check", r.CheckID)
	}
}

// wireResult is what the engine needs of a result: the protocol details
// stay with the metrics of the instance that probed.
func wireResult(r probe.Result) probe.Result {
	return probe.Result{CheckID: r.CheckID, Component: r.Component, Check: r.Check, Type: r.Type, Target: r.Target, Region: r.Region,
		Start: r.Start, Duration: r.Duration, Success: r.Success, Degraded: r.Degraded, Err: r.Err}
}

// send writes queued results in batches until ctx ends, then writes
// what is left, so that the results of the last probes before a shutdown
// reach the leader.
func (s *sides) send(ctx context.Context) {
	t := time.NewTicker(resultsEvery)
	defer t.Stop()
	var batch []postgres.QueuedResult
	flush := func(ctx context.Context) {
		if len(batch) == 0 {
			return
		}
		dropped, err := s.db.QueueResults(ctx, batch)
		if err != nil {
			s.log.Warn("cluster: sending results to the database failed; they are dropped", "results", len(batch), "err", err)
		}
		s.deduplicated.Add(int64(dropped))
		batch = batch[:0]
	}
	for {
		select {
		case <-ctx.Done():
			for {
				select {
				case r := <-s.out:
					batch = append(batch, r)
					continue
				default:
				}
				break
			}
			fctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			flush(fctx)
			cancel()
			return
		case r := <-s.out:
			batch = append(batch, r)
			if len(batch) < 1000 {
				continue
			}
		case <-t.C:
		}
		flush(ctx)
	}
}

// startReplica follows the leader until stopReplica. Call with termMu
// held.
func (s *sides) startReplica() {
	if s.closing {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.repStop, s.repDone = cancel, make(chan struct{})
	go func() {
		defer close(s.repDone)
		_ = s.rep.Run(ctx)
	}()
}

func (s *sides) stopReplica() {
	if s.repDone == nil {
		return
	}
	s.repStop()
	<-s.repDone
	s.repDone = nil
}

// lead is one term of leadership: the engine restored from the store
// through a fenced view, fed from the queue, its commits fenced; the
// webhooks delivered; the followers' writes run. It returns when ctx
// ends (the lease may be lost) and the replica takes over again.
func (s *sides) lead(ctx context.Context, epoch int64) {
	s.termMu.Lock()
	if s.closing {
		s.termMu.Unlock()
		return
	}
	s.stopReplica()
	s.termMu.Unlock()
	defer func() {
		s.termMu.Lock()
		s.startReplica()
		s.termMu.Unlock()
	}()
	view := s.db.Leader(epoch, func(ctx context.Context, tx pgx.Tx) error {
		return cluster.Fence(ctx, tx, "engine", s.instance, epoch)
	})
	s.mu.Lock()
	spec, opts := s.spec, s.opts
	s.mu.Unlock()
	s.slotMu.Lock()
	s.slots = map[string]int64{}
	s.slotMu.Unlock()
	opts.Store = view
	opts.Consumers = append([]pipeline.Consumer{s.feedWriter()}, opts.Consumers...)
	p, err := pipeline.New(ctx, spec, opts)
	if err != nil {
		s.log.Error("cluster: taking over the engine failed; resigning", "epoch", epoch, "err", err)
		// Not at once: the elector campaigns again as soon as this
		// returns, and a store that cannot be read now rarely can a
		// millisecond later.
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
		return
	}
	s.log.Info("cluster: this instance leads", "epoch", epoch)
	var wg sync.WaitGroup
	pctx, stopPipe := context.WithCancel(context.WithoutCancel(ctx))
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = p.Run(pctx)
	}()
	s.pipe.Store(p)
	loops := []func(context.Context){
		func(ctx context.Context) { s.take(ctx, view, p) },
		func(ctx context.Context) { s.writeChecks(ctx, view, p) },
		func(ctx context.Context) { s.prune(ctx, view) },
		func(ctx context.Context) {
			if err := s.deliver(ctx); err != nil {
				s.log.Error("cluster: delivering webhooks", "err", err)
			}
		},
		func(ctx context.Context) {
			if c := s.commands.Load(); c != nil {
				c.serve(ctx, view)
			}
		},
	}
	lctx, stopLoops := context.WithCancel(ctx)
	var lwg sync.WaitGroup
	for _, loop := range loops {
		lwg.Add(1)
		go func() {
			defer lwg.Done()
			loop(lctx)
		}()
	}
	<-ctx.Done()
	stopLoops()
	lwg.Wait()
	s.pipe.Store(nil)
	stopPipe()
	wg.Wait()
	s.failures.Add(int64(p.StoreFailures()))
	s.log.Info("cluster: this instance no longer leads", "epoch", epoch)
}

// take feeds the engine from the queue until ctx ends, dropping a
// result whose run (or a later one) the engine has seen already: two
// instances probed it while the membership changed.
func (s *sides) take(ctx context.Context, view *postgres.DB, p *pipeline.Pipeline) {
	t := time.NewTicker(resultsEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for ctx.Err() == nil {
			rs, err := view.TakeResults(ctx, 1000)
			if err != nil {
				if ctx.Err() == nil {
					s.log.Warn("cluster: reading probe results failed", "err", err)
				}
				break
			}
			for _, q := range rs {
				if !s.take1(q.CheckID, q.Region, q.Slot) {
					continue
				}
				var r probe.Result
				if err := json.Unmarshal(q.Body, &r); err != nil {
					s.log.Warn("cluster: a probe result could not be read", "check", q.CheckID, "instance", q.Instance, "err", err)
					continue
				}
				r.Region = q.Region
				p.Observe(r)
			}
			if len(rs) < 1000 {
				break
			}
		}
	}
}

// take1 reports whether the engine should take the result of check's
// run slot in region: not when it took that run, or a later one,
// already.
func (s *sides) take1(check, region string, slot int64) bool {
	key := check + "\x00" + region
	s.slotMu.Lock()
	defer s.slotMu.Unlock()
	if last, ok := s.slots[key]; ok && slot <= last {
		s.deduplicated.Add(1)
		return false
	}
	s.slots[key] = slot
	return true
}

// prune lets go of old feed entries, results nobody took and answered
// commands.
func (s *sides) prune(ctx context.Context, view *postgres.DB) {
	t := time.NewTicker(pruneEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := view.PruneFeed(ctx, keepFeed); err != nil && ctx.Err() == nil {
			s.log.Warn("cluster: pruning the feed", "err", err)
		}
		if _, err := s.db.DropStaleResults(ctx, staleResults); err != nil && ctx.Err() == nil {
			s.log.Warn("cluster: pruning the probe queue", "err", err)
		}
		if err := s.db.PruneCommands(ctx, time.Minute); err != nil && ctx.Err() == nil {
			s.log.Warn("cluster: pruning commands", "err", err)
		}
	}
}

// health is the engine's store health, for /readyz and the metrics.
func (d *Daemon) health() metrics.Health {
	if d.sides != nil {
		return d.sides
	}
	return d.pipe
}

// backend is the engine as the API sees it.
func (d *Daemon) backend() api.Backend {
	if d.sides != nil {
		return d.sides
	}
	return d.pipe
}
