// Package daemon assembles up's parts into one running process: the
// scheduler feeds probe results into the pipeline, whose consumers are the
// metrics, the status page hub and the notifier, and the API serves what
// the pipeline publishes. It holds the wiring, not the rules: those live
// in status, and the order of things in pipeline.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/up-status/up/api"
	"github.com/up-status/up/config"
	"github.com/up-status/up/metrics"
	"github.com/up-status/up/notify"
	"github.com/up-status/up/pipeline"
	"github.com/up-status/up/probe"
	"github.com/up-status/up/schedule"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
	"github.com/up-status/up/store/postgres"
	"github.com/up-status/up/web"
)

// Options are the daemon's dependencies that do not come from the config.
type Options struct {
	Logger  *slog.Logger
	Version string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Pprof serves net/http/pprof at /debug/pprof/ on the API listener.
	// Off by default: profiles reveal internals to anyone who can reach
	// the listener.
	Pprof bool
	// Limits bound what clients may hold open; zero fields take the
	// defaults of DefaultLimits.
	Limits Limits
	// DatabaseCheck is how often a PostgreSQL store is checked for
	// writes (default 5s).
	DatabaseCheck time.Duration
}

// Daemon is one running up.
type Daemon struct {
	log     *slog.Logger
	version string
	now     func() time.Time
	metrics *metrics.Metrics
	store   store.Store
	// storeName names the store in logs: the file or the database.
	storeName string
	// pg is the store when it is PostgreSQL, nil with SQLite.
	pg       *postgres.DB
	dbHealth databaseHealth
	dbCheck  time.Duration
	cluster  *clusterRun
	// pipe runs the engine of a single instance; in a cluster sides
	// switches between the leader's pipeline and the replica instead,
	// and pipe is nil.
	pipe  *pipeline.Pipeline
	sides *sides
	// owned is the set of checks this instance of a cluster probes (nil
	// outside a cluster: all of them). Guarded by mu.
	owned    map[string]bool
	notifier *notify.Dispatcher
	sched    *schedule.Scheduler
	// pushes are the push checks: the API takes their reports, the
	// scheduler runs their probers.
	pushes *api.Pushes
	hub    *web.Hub

	apiLn, wsLn   net.Listener
	apiSrv, wsSrv *http.Server

	mu  sync.Mutex // guards cfg and serialises reloads
	cfg *config.Config
	// shown is cfg for the probe workers, which redact errors with it.
	shown atomic.Pointer[config.Config]
}

// New opens the state, restores the previous run, binds the listeners and
// schedules the checks, so that a locked database or a busy port is
// reported before anything runs.
func New(cfg *config.Config, opts Options) (_ *Daemon, err error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ctx := context.Background()
	d := &Daemon{
		log:     opts.Logger,
		version: opts.Version,
		now:     opts.Now,
		cfg:     cfg,
		metrics: metrics.New(metrics.Options{
			HTTPPhases:       cfg.Metrics.HTTPPhases,
			DNSPhases:        cfg.Metrics.DNSPhases,
			TLSChainInfo:     cfg.Metrics.TLSChainInfo,
			LatencyHistogram: *cfg.Metrics.LatencyHistogram,
		}),
	}
	d.shown.Store(cfg)
	defer func() {
		if err != nil {
			d.closeAll()
		}
	}()

	instance := instanceName(cfg)
	d.store, d.pg, d.storeName, err = openStore(ctx, cfg, instance)
	if err != nil {
		return nil, err
	}
	d.dbCheck = opts.DatabaseCheck
	if d.dbCheck <= 0 {
		d.dbCheck = defaultDatabaseCheck
	}
	if d.pg != nil {
		d.metrics.WatchDatabase(func() bool { return d.dbHealth.Err() == nil })
	}
	if cfg.Cluster != nil {
		d.cluster = newClusterRun(cfg, instance, d.pg, opts.Version, d.metrics, d.log.With("part", "cluster"), d.own)
	}
	now := opts.Now()
	if err := syncAccounts(ctx, d.store, cfg, now); err != nil {
		return nil, err
	}
	planner := notify.Planner{PageID: cfg.Page.ID, PageURL: cfg.Page.URL}
	d.notifier, err = notify.New(notify.Config{Planner: planner, Version: opts.Version}, d.store, d.metrics.Registerer(), d.log.With("part", "notify"))
	if err != nil {
		return nil, err
	}

	page := api.Page{ID: cfg.Page.ID, Name: cfg.Page.Name, URL: cfg.Page.URL}
	d.hub, err = web.NewHub(web.HubOptions{
		Snapshot: func(s *status.Snapshot) ([]byte, error) { return api.StatusJSON(*s, page) },
		PageID:   cfg.Page.ID,
		PageName: cfg.Page.Name,
		PageURL:  cfg.Page.URL,
		Origins:  cfg.API.Origins,
		AsOf:     d.asOf(),
		Now:      d.now,
		Logger:   d.log.With("part", "web"),
	})
	if err != nil {
		return nil, err
	}
	popts := pipeline.Options{
		Store:     d.store,
		Planner:   planner,
		Logger:    d.log.With("part", "pipeline", "store", d.storeName),
		Now:       opts.Now,
		Consumers: []pipeline.Consumer{d.metrics.StatusSeries(), d.hub},
		Results:   func(r probe.Result) { d.metrics.ObserveProbe(r.CheckID, r) },
		Committed: d.notifier.Notify,
	}
	if d.cluster != nil {
		d.owned = map[string]bool{}
		d.sides = newSides(cfg, d.pg, d.cluster.instance, popts, d.notifier.Run, d.cluster.wake, d.log.With("part", "cluster"))
		d.cluster.lead = d.sides.lead
		d.metrics.WatchRegions(d.sides.regionViews)
		d.cluster.gauges.WatchFeed(d.metrics, d.sides.deduplicated.Load, func() time.Duration {
			now := time.Now()
			if asOf := d.sides.AsOf(now); !asOf.IsZero() {
				return now.Sub(asOf)
			}
			return 0
		})
		d.metrics.WatchHealth(d.sides)
	} else {
		d.pipe, err = pipeline.New(ctx, specOf(cfg), popts)
		if err != nil {
			return nil, err
		}
		d.metrics.WatchHealth(d.pipe)
	}
	if err := d.restoreCustomMetrics(ctx); err != nil {
		return nil, fmt.Errorf("custom metrics: %w", err)
	}

	// A cluster's instances each hold the push tokens in memory, so a
	// token rotated on one would still be taken by the others: there it
	// is changed in the configuration file.
	var pushTokens api.TokenStore = d.store
	if d.cluster != nil {
		pushTokens = nil
	}
	d.pushes = api.NewPushes(opts.Now, pushTokens)
	d.sched, err = schedule.New(schedule.Options{
		Logger:    d.log,
		NewProber: d.newProber,
		OnResult:  d.onResult,
		OnRun: func(c *config.Check, lag time.Duration, skipped bool) {
			d.metrics.ObserveRun(lag, skipped)
		},
	})
	if err != nil {
		return nil, err
	}
	if err := d.applyChecks(nil, cfg); err != nil {
		return nil, err
	}
	if err := d.listen(cfg, page, opts); err != nil {
		return nil, err
	}
	return d, nil
}

// closeAll releases what New acquired when New fails half way.
func (d *Daemon) closeAll() {
	if d.apiLn != nil {
		d.apiLn.Close()
	}
	if d.wsLn != nil {
		d.wsLn.Close()
	}
	if d.sched != nil {
		_ = d.sched.Shutdown()
	}
	if d.store != nil {
		d.store.Close()
	}
}

// APIAddr is the address the API listener is bound to.
func (d *Daemon) APIAddr() string { return d.apiLn.Addr().String() }

// Snapshot is the current state, for tests and embedders.
func (d *Daemon) Snapshot() status.Snapshot { return d.backend().Snapshot() }

// restoreCustomMetrics exports the latest stored point of each custom
// metric, so uptime_custom_metric survives a restart.
func (d *Daemon) restoreCustomMetrics(ctx context.Context) error {
	latest, err := d.store.LatestCustomPoints(ctx)
	if err != nil {
		return err
	}
	for id, p := range latest {
		d.metrics.SetCustomMetric(id, p.Value)
	}
	return nil
}

// applyChecks moves the scheduler and the metrics from the old config's
// checks to the new one's, and logs what changed.
func (d *Daemon) applyChecks(old, next *config.Config) error {
	// The push checks first: their probers read what Apply sets.
	if err := d.pushes.Apply(context.Background(), next.Checks()); err != nil {
		return err
	}
	mine := d.mine(next.Checks())
	ch, err := d.sched.Apply(mine)
	if err != nil {
		return err
	}
	prev := map[string]*config.Check{}
	if old != nil {
		for _, c := range old.Checks() {
			prev[c.ID] = c
		}
	}
	exported := map[string]bool{}
	for _, id := range d.metrics.CheckIDs() {
		exported[id] = true
	}
	keep := map[string]bool{}
	for _, c := range mine {
		keep[c.ID] = true
		if p := prev[c.ID]; p == nil || !p.Equal(c) || !exported[c.ID] {
			d.metrics.AddCheck(c)
		}
	}
	for _, id := range d.metrics.CheckIDs() {
		if !keep[id] {
			d.metrics.RemoveCheck(id)
		}
	}
	d.log.Info("checks scheduled", "added", ch.Added, "kept", ch.Kept, "replaced", ch.Replaced, "removed", ch.Removed)
	return nil
}

// Reload switches to a new config without dropping state: unchanged checks
// keep running, incidents and maintenance go on. It is all or nothing:
// everything that can fail is tried before anything running changes, and
// on error the running config stays in force, all of it.
func (d *Daemon) Reload(next *config.Config) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	ctx := context.Background()
	if next.Listen != d.cfg.Listen || next.Storage != d.cfg.Storage || next.Page != d.cfg.Page ||
		!sameCluster(next.Cluster, d.cfg.Cluster) ||
		*next.API.Public != *d.cfg.API.Public || next.Badges != d.cfg.Badges || next.Metrics.HTTPPhases != d.cfg.Metrics.HTTPPhases ||
		next.Metrics.DNSPhases != d.cfg.Metrics.DNSPhases || next.Metrics.TLSChainInfo != d.cfg.Metrics.TLSChainInfo ||
		*next.Metrics.LatencyHistogram != *d.cfg.Metrics.LatencyHistogram {
		d.log.Warn("changes to page, listen, storage, cluster, api.public, badges and metrics take effect after a restart")
	}
	// Probers first: building one is the only step of the scheduler that
	// can fail, and it touches nothing.
	for _, c := range next.Checks() {
		if _, err := d.newProber(c); err != nil {
			return fmt.Errorf("check %s: %w", c.ID, err)
		}
	}
	now := d.now()
	if err := syncAccounts(ctx, d.store, next, now); err != nil {
		d.undoAccounts(ctx, now)
		return err
	}
	var err error
	if d.sides != nil {
		err = d.sides.reconfigure(ctx, specOf(next), regionsOf(next))
	} else {
		err = d.pipe.Reconfigure(ctx, specOf(next))
	}
	if err != nil {
		d.undoAccounts(ctx, now)
		return err
	}
	if err := d.applyChecks(d.cfg, next); err != nil {
		// The scheduler fails only for a prober that cannot be built,
		// which the loop above ruled out; should it happen anyway, after
		// the engine moved, say so loudly rather than pretend the old
		// config is whole.
		d.log.Error("scheduling the reloaded checks failed; restart up", "err", err)
		return err
	}
	d.notifier.Notify()
	if d.cluster != nil {
		d.cluster.reload(next)
	}
	d.cfg = next
	d.shown.Store(next)
	return nil
}

// newProber builds the prober the scheduler runs for c: a push check's
// reports on its last push, any other probes its target.
func (d *Daemon) newProber(c *config.Check) (probe.Prober, error) {
	if c.Push != nil {
		return d.pushes.Prober(c), nil
	}
	return probe.New(c, probe.Options{Version: d.version})
}

// onResult hands a result to the pipeline. An error may quote what the
// check was given (a URL with a password, a host from ${VAR}): it reaches
// the page, incident bodies and webhooks, so secrets go first.
func (d *Daemon) onResult(c *config.Check, r probe.Result) {
	if r.Err != "" {
		r.Err = d.shown.Load().Redact(r.Err)
	}
	if d.sides != nil {
		// The probe's own series are this instance's; the engine that
		// judges the result may run on another.
		if !r.Local {
			d.metrics.ObserveProbe(r.CheckID, r)
		}
		d.sides.observe(c, r)
		return
	}
	d.pipe.Observe(r)
}

// undoAccounts puts the running config's users and subscribers back after
// a reload failed half way.
func (d *Daemon) undoAccounts(ctx context.Context, now time.Time) {
	if err := syncAccounts(ctx, d.store, d.cfg, now); err != nil {
		d.log.Error("restoring the running config's users and subscribers after a failed reload", "err", err)
	}
}

// Run serves and probes until ctx ends, then shuts down in order: probes
// first so no result is lost, then the pipeline saves the last state, then
// the notifier and HTTP stop, and the store closes last.
func (d *Daemon) Run(ctx context.Context) error {
	errc := make(chan error, 2)
	serve := func(srv *http.Server, ln net.Listener) {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}
	pctx, stopPipe := context.WithCancel(context.Background())
	piped := make(chan struct{})
	go func() {
		defer close(piped)
		if d.sides != nil {
			// The engine runs while this instance leads (clusterRun);
			// here the results go out and the replica follows.
			d.sides.run(pctx)
			return
		}
		if err := d.pipe.Run(pctx); err != nil {
			d.log.Error("pipeline stopped", "err", err)
		}
	}()
	dctx, stopWatch := context.WithCancel(context.Background())
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		if d.pg != nil {
			d.watchDatabase(dctx, d.pg, d.dbCheck)
		}
	}()
	if d.cluster != nil {
		d.cluster.start()
	}
	go serve(d.apiSrv, d.apiLn)
	if d.wsSrv != nil {
		go serve(d.wsSrv, d.wsLn)
	}
	nctx, stopNotify := context.WithCancel(context.Background())
	notified := make(chan struct{})
	go func() {
		defer close(notified)
		if d.sides != nil {
			return // the leader delivers, while it leads
		}
		if err := d.notifier.Run(nctx); err != nil {
			d.log.Error("notifier stopped", "err", err)
		}
	}()
	hctx, stopHub := context.WithCancel(context.Background())
	hubDone := make(chan struct{})
	go func() {
		defer close(hubDone)
		if err := d.hub.Run(hctx); err != nil {
			d.log.Error("status page hub stopped", "err", err)
		}
	}()
	d.sched.Start()
	// The bound addresses, not the configured ones: with port 0 this line
	// is how a caller learns where up listens.
	running := []any{"api", "http://" + d.APIAddr()}
	if d.wsLn != nil {
		running = append(running, "websocket", "ws://"+d.wsLn.Addr().String()+"/ws")
	}
	d.log.Info("up is running", append(running, "checks", d.sched.Len(), "store", d.storeName, "version", d.version)...)

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	d.log.Info("shutting down")
	if d.cluster != nil {
		// Draining first: the others see this instance leaving while it
		// finishes its work.
		d.cluster.drain()
		// Resign before the probes in flight end (they may take a whole
		// timeout): the engine's last state is saved, another instance
		// leads at once, and the results still coming go to it through
		// the queue.
		d.cluster.resign()
	}
	if err := d.sched.Shutdown(); err != nil {
		d.log.Warn("scheduler shutdown", "err", err)
	}
	stopPipe()
	<-piped
	stopNotify()
	<-notified
	// WebSocket connections are hijacked: http.Server.Shutdown does not
	// wait for them, the hub does.
	_ = d.hub.Close()
	stopHub()
	<-hubDone
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, srv := range []*http.Server{d.apiSrv, d.wsSrv} {
		if srv != nil {
			if err := srv.Shutdown(sctx); err != nil {
				d.log.Warn("http shutdown", "err", err)
			}
		}
	}
	if d.cluster != nil {
		d.cluster.stop()
	}
	stopWatch()
	<-watched
	if err := d.store.Close(); err != nil {
		d.log.Warn("closing the store", "err", err)
	}
	return runErr
}
