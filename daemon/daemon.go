// Package daemon assembles up's parts into one running process: it feeds
// scheduled probe results through the status engine to the store, the
// metrics, the notifier and the status page, and serves HTTP. It holds the
// wiring, not the rules: those live in status.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/up-status/up/config"
	"github.com/up-status/up/metrics"
	"github.com/up-status/up/probe"
	"github.com/up-status/up/schedule"
)

// Options are the daemon's dependencies that do not come from the config.
type Options struct {
	Logger  *slog.Logger
	Version string
}

// Daemon is one running up.
type Daemon struct {
	log     *slog.Logger
	version string
	metrics *metrics.Metrics
	sched   *schedule.Scheduler
	apiLn   net.Listener
	server  *http.Server

	mu  sync.Mutex // guards cfg
	cfg *config.Config
}

// New builds the daemon and binds its listeners, so that a busy port is
// reported before anything starts.
func New(cfg *config.Config, opts Options) (*Daemon, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	d := &Daemon{
		log:     opts.Logger,
		version: opts.Version,
		cfg:     cfg,
		metrics: metrics.New(metrics.Options{
			HTTPPhases:       cfg.Metrics.HTTPPhases,
			LatencyHistogram: *cfg.Metrics.LatencyHistogram,
		}),
	}
	popts := probe.Options{Version: opts.Version}
	sched, err := schedule.New(schedule.Options{
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
	d.sched = sched
	if err := d.applyChecks(nil, cfg); err != nil {
		return nil, err
	}

	ln, err := net.Listen("tcp", cfg.Listen.API)
	if err != nil {
		return nil, fmt.Errorf("listen.api %s: %w", cfg.Listen.API, err)
	}
	d.apiLn = ln
	d.server = &http.Server{
		Handler:           d.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(d.log.Handler(), slog.LevelWarn),
	}
	return d, nil
}

// APIAddr is the address the API listener is bound to.
func (d *Daemon) APIAddr() string { return d.apiLn.Addr().String() }

func (d *Daemon) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", d.metrics.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	return mux
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
// keep running. On error the running config stays.
func (d *Daemon) Reload(next *config.Config) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if next.Listen != d.cfg.Listen {
		d.log.Warn("listen addresses changed; they take effect after a restart")
	}
	if err := d.applyChecks(d.cfg, next); err != nil {
		return err
	}
	d.cfg = next
	return nil
}

func (d *Daemon) onResult(c *config.Check, r probe.Result) {
	d.metrics.ObserveProbe(c.ID, r)
	if !r.Success {
		d.log.Debug("probe failed", "check", c.ID, "err", r.Err)
	}
}

// Run serves and probes until ctx ends, then shuts down in order: stop
// probing first so no result arrives at a stopped consumer, then HTTP.
func (d *Daemon) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() {
		if err := d.server.Serve(d.apiLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
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
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.server.Shutdown(sctx); err != nil {
		d.log.Warn("http shutdown", "err", err)
	}
	return runErr
}
