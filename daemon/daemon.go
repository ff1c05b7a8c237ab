// Package daemon assembles up's parts into one running process: it feeds
// scheduled probe results through the status engine to the store, the
// metrics, the notifier and the status page, and serves HTTP. It holds the
// wiring, not the rules: those live in status.
package daemon

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"sync"
	"time"

	"github.com/up-status/up/api"
	"github.com/up-status/up/config"
	"github.com/up-status/up/metrics"
	"github.com/up-status/up/notify"
	"github.com/up-status/up/probe"
	"github.com/up-status/up/schedule"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store/sqlite"
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
}

// Daemon is one running up.
type Daemon struct {
	log      *slog.Logger
	version  string
	metrics  *metrics.Metrics
	store    *sqlite.DB
	core     *core
	notifier *notify.Dispatcher
	sched    *schedule.Scheduler
	hub      *web.Hub

	apiLn, wsLn       net.Listener
	apiSrv, wsSrv     *http.Server
	tickEvery, flushE time.Duration

	mu  sync.Mutex // guards cfg
	cfg *config.Config
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
		log:       opts.Logger,
		version:   opts.Version,
		cfg:       cfg,
		tickEvery: time.Second,
		flushE:    time.Minute,
		metrics: metrics.New(metrics.Options{
			HTTPPhases:       cfg.Metrics.HTTPPhases,
			LatencyHistogram: *cfg.Metrics.LatencyHistogram,
		}),
	}
	defer func() {
		if err != nil {
			d.closeAll()
		}
	}()

	d.store, err = sqlite.Open(ctx, cfg.Storage.Path)
	if err != nil {
		return nil, fmt.Errorf("storage.path: %w", err)
	}
	now := opts.Now()
	if err := syncUsers(ctx, d.store, cfg, now); err != nil {
		return nil, err
	}
	if err := syncSubscribers(ctx, d.store, cfg, now); err != nil {
		return nil, err
	}
	planner := notify.Planner{PageID: cfg.Page.ID, PageURL: cfg.Page.URL}
	d.notifier, err = notify.New(notify.Config{Planner: planner, Version: opts.Version}, d.store, d.metrics.Registerer(), d.log.With("part", "notify"))
	if err != nil {
		return nil, err
	}
	d.core = &core{
		log:     d.log,
		store:   d.store,
		metrics: d.metrics,
		planner: planner,
		wake:    d.notifier.Notify,
		now:     opts.Now,
		// Short enough that the status page still shows a change well
		// within a second.
		publishGap: 100 * time.Millisecond,
	}
	if err := d.core.restore(ctx, specOf(cfg)); err != nil {
		return nil, err
	}
	if err := d.restoreCustomMetrics(ctx); err != nil {
		return nil, fmt.Errorf("custom metrics: %w", err)
	}

	popts := probe.Options{Version: opts.Version}
	d.sched, err = schedule.New(schedule.Options{
		Logger:    d.log,
		NewProber: func(c *config.Check) (probe.Prober, error) { return probe.New(c, popts) },
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

	if d.apiLn, err = net.Listen("tcp", cfg.Listen.API); err != nil {
		return nil, fmt.Errorf("listen.api %s: %w", cfg.Listen.API, err)
	}
	if cfg.Listen.WebSocket != cfg.Listen.API {
		if d.wsLn, err = net.Listen("tcp", cfg.Listen.WebSocket); err != nil {
			return nil, fmt.Errorf("listen.websocket %s: %w", cfg.Listen.WebSocket, err)
		}
	}
	page := api.Page{ID: cfg.Page.ID, Name: cfg.Page.Name, URL: cfg.Page.URL}
	d.hub, err = web.NewHub(web.HubOptions{
		Snapshot: func(s *status.Snapshot) ([]byte, error) { return api.StatusJSON(*s, page) },
		PageID:   cfg.Page.ID,
		PageURL:  cfg.Page.URL,
		Origins:  cfg.API.Origins,
		Logger:   d.log.With("part", "web"),
	})
	if err != nil {
		return nil, err
	}
	d.core.listen(d.hub.Publish)
	snap := d.core.Snapshot()
	d.hub.Publish(nil, &snap)

	apiHandler, wsHandler, err := d.routes(cfg, page, opts.Pprof)
	if err != nil {
		return nil, err
	}
	d.apiSrv = d.newServer(apiHandler)
	if d.wsLn != nil {
		d.wsSrv = d.newServer(wsHandler)
	}
	return d, nil
}

func (d *Daemon) newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(d.log.Handler(), slog.LevelWarn),
	}
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
func (d *Daemon) Snapshot() status.Snapshot { return d.core.Snapshot() }

// routes builds the handlers of the API listener and, when it is separate,
// the WebSocket listener.
func (d *Daemon) routes(cfg *config.Config, page api.Page, withPprof bool) (apiH, wsH http.Handler, err error) {
	wsURL := ""
	if d.wsLn != nil {
		_, port, _ := net.SplitHostPort(d.wsLn.Addr().String())
		wsURL = ":" + port
	}
	srv, err := api.New(api.Options{
		Backend:            d.core,
		Store:              d.store,
		Page:               page,
		Public:             *cfg.API.Public,
		Version:            d.version,
		Logger:             d.log.With("part", "api"),
		Metrics:            d.metrics.Handler(),
		Unsubscribe:        d.notifier.UnsubscribeHandler(),
		StatusPage:         web.Page(web.PageOptions{Name: cfg.Page.Name, WebSocketURL: wsURL}),
		Resume:             d.notifier.Resume,
		SubscribersChanged: d.notifier.Notify,
		OutboxChanged:      d.notifier.Notify,
		SetCustomMetric:    d.metrics.SetCustomMetric,
		RemoveCustomMetric: d.metrics.RemoveCustomMetric,
		Now:                d.core.now,
	})
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	if withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	feed := d.hub.Handler()
	if !*cfg.API.Public {
		feed = d.requireViewer(feed)
	}
	ws := http.NewServeMux()
	ws.Handle("GET /ws", feed)
	if d.wsLn == nil {
		mux.Handle("GET /ws", feed)
	}
	mux.Handle("/", srv)
	return mux, ws, nil
}

// requireViewer guards the live feed when api.public is false: it carries
// everything GET /status does, so it needs the same token. Browsers cannot
// set headers on a WebSocket, so ?token= is accepted too.
func (d *Daemon) requireViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			tok = r.URL.Query().Get("token")
		}
		if tok != "" {
			h := sha256.Sum256([]byte(tok))
			if _, err := d.store.UserByTokenHash(r.Context(), h[:]); err == nil {
				next.ServeHTTP(w, r)
				return
			}
		}
		w.Header().Set("WWW-Authenticate", "Bearer")
		http.Error(w, `{"error":"the live feed needs a token (api.public is false)"}`, http.StatusUnauthorized)
	})
}

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
// checks to the new one's.
func (d *Daemon) applyChecks(old, next *config.Config) error {
	ch, err := d.sched.Apply(next.Checks())
	if err != nil {
		return err
	}
	prev := map[string]*config.Check{}
	if old != nil {
		for _, c := range old.Checks() {
			prev[c.ID] = c
		}
	}
	keep := map[string]bool{}
	for _, c := range next.Checks() {
		keep[c.ID] = true
		if p := prev[c.ID]; p == nil || !p.Equal(c) {
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
// keep running, incidents and maintenance go on. On error the running
// config stays in force, all of it.
func (d *Daemon) Reload(next *config.Config) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	ctx := context.Background()
	if next.Listen != d.cfg.Listen || next.Storage != d.cfg.Storage || next.Page != d.cfg.Page ||
		*next.API.Public != *d.cfg.API.Public || next.Metrics.HTTPPhases != d.cfg.Metrics.HTTPPhases ||
		*next.Metrics.LatencyHistogram != *d.cfg.Metrics.LatencyHistogram {
		d.log.Warn("changes to page, listen, storage, api.public and metrics take effect after a restart")
	}
	if _, err := d.sched.Apply(next.Checks()); err != nil {
		return err
	}
	if err := d.core.reconfigure(ctx, specOf(next)); err != nil {
		if _, rerr := d.sched.Apply(d.cfg.Checks()); rerr != nil {
			d.log.Error("restoring the previous checks", "err", rerr)
		}
		return err
	}
	if err := d.applyChecks(d.cfg, next); err != nil {
		return err
	}
	now := d.core.now()
	if err := syncUsers(ctx, d.store, next, now); err != nil {
		return err
	}
	if err := syncSubscribers(ctx, d.store, next, now); err != nil {
		return err
	}
	d.notifier.Notify()
	d.cfg = next
	return nil
}

func (d *Daemon) onResult(c *config.Check, r probe.Result) {
	d.metrics.ObserveProbe(c.ID, r)
	d.core.observe(c, r)
}

// Run serves and probes until ctx ends, then shuts down in order: probes
// first so no result reaches a stopped consumer, then the last state is
// saved, then the notifier and HTTP stop, and the store closes last.
func (d *Daemon) Run(ctx context.Context) error {
	errc := make(chan error, 2)
	serve := func(srv *http.Server, ln net.Listener) {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}
	go serve(d.apiSrv, d.apiLn)
	if d.wsSrv != nil {
		go serve(d.wsSrv, d.wsLn)
	}
	nctx, stopNotify := context.WithCancel(context.Background())
	notified := make(chan struct{})
	go func() {
		defer close(notified)
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
	tctx, stopTicks := context.WithCancel(context.Background())
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		d.tickLoop(tctx)
	}()
	d.sched.Start()
	d.log.Info("up is running", "api", "http://"+d.APIAddr(), "checks", d.sched.Len(), "version", d.version)

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	d.log.Info("shutting down")
	if err := d.sched.Shutdown(); err != nil {
		d.log.Warn("scheduler shutdown", "err", err)
	}
	stopTicks()
	<-ticked
	d.core.tick(context.Background())
	d.core.flush(context.Background())
	d.core.stopPublishing()
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
	if err := d.store.Close(); err != nil {
		d.log.Warn("closing the store", "err", err)
	}
	return runErr
}

// tickLoop moves time-driven state every second, saves uptime and
// response times every minute and prunes old history every hour.
func (d *Daemon) tickLoop(ctx context.Context) {
	tick := time.NewTicker(d.tickEvery)
	defer tick.Stop()
	lastFlush, lastPrune := time.Now(), time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			d.core.tick(ctx)
			if time.Since(lastFlush) >= d.flushE {
				d.core.flush(ctx)
				lastFlush = time.Now()
			}
			if time.Since(lastPrune) >= time.Hour {
				d.core.prune(ctx)
				lastPrune = time.Now()
			}
		}
	}
}
