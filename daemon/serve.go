package daemon

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"syscall"
	"time"

	"golang.org/x/net/netutil"

	"github.com/up-status/up/api"
	"github.com/up-status/up/config"
	"github.com/up-status/up/probe"
	"github.com/up-status/up/web"
)

// Limits bound what HTTP clients may hold, so that no client can use up
// the file descriptors the probes need: a probe that cannot open a socket
// would report a healthy target as down.
type Limits struct {
	// ReadHeader is how long a client may take to send a request's
	// headers; Read the whole request, body included.
	ReadHeader, Read time.Duration
	// Write is how long writing an answer may take.
	Write time.Duration
	// Idle is how long a keep-alive connection may wait for its next
	// request.
	Idle time.Duration
	// Conns caps the connections each listener serves at once; more wait
	// in the kernel's queue without holding a descriptor of up's. Zero
	// sizes it from the file limit (see connCap).
	Conns int
}

// DefaultLimits are generous for browsers and scrapers and short for
// anyone who holds a connection without using it.
var DefaultLimits = Limits{
	ReadHeader: 10 * time.Second,
	Read:       30 * time.Second,
	Write:      60 * time.Second,
	Idle:       60 * time.Second,
}

// connCap divides what the file limit leaves after the probes' share
// between the listeners: every check may hold one socket at a time, and
// the store, logs and the runtime need a few more. The Go runtime has
// already raised the soft limit to one below the hard one at start.
func connCap(checks, listeners int) int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur > 1<<20 {
		return 4096
	}
	const reserved = 48 // store, logs, webhook deliveries, the runtime
	spare := int(rl.Cur) - reserved - checks
	n := spare / (2 * listeners) // half: leave room for what else may come
	return min(max(n, 4), 4096)
}

// listen binds the listeners and builds the servers with their limits.
func (d *Daemon) listen(cfg *config.Config, page api.Page, opts Options) (err error) {
	lim := opts.Limits
	lim.ReadHeader = orDefault(lim.ReadHeader, DefaultLimits.ReadHeader)
	lim.Read = orDefault(lim.Read, DefaultLimits.Read)
	lim.Write = orDefault(lim.Write, DefaultLimits.Write)
	lim.Idle = orDefault(lim.Idle, DefaultLimits.Idle)
	if d.apiLn, err = net.Listen("tcp", cfg.Listen.API); err != nil {
		return fmt.Errorf("listen.api %s: %w", cfg.Listen.API, err)
	}
	listeners := 1
	// The same address is one listener; port 0 twice is two free ports.
	if _, port, _ := net.SplitHostPort(cfg.Listen.API); cfg.Listen.WebSocket != cfg.Listen.API || port == "0" {
		if d.wsLn, err = net.Listen("tcp", cfg.Listen.WebSocket); err != nil {
			return fmt.Errorf("listen.websocket %s: %w", cfg.Listen.WebSocket, err)
		}
		listeners = 2
	}
	if lim.Conns <= 0 {
		lim.Conns = connCap(len(cfg.Checks()), listeners)
	}
	d.log.Debug("connection limits", "per_listener", lim.Conns, "idle", lim.Idle, "read", lim.Read)
	d.apiLn = netutil.LimitListener(d.apiLn, lim.Conns)
	if d.wsLn != nil {
		d.wsLn = netutil.LimitListener(d.wsLn, lim.Conns)
	}
	apiHandler, wsHandler, err := d.routes(cfg, page, opts.Pprof)
	if err != nil {
		return err
	}
	d.apiSrv = d.newServer(apiHandler, lim)
	if d.wsLn != nil {
		d.wsSrv = d.newServer(wsHandler, lim)
	}
	return nil
}

func (d *Daemon) newServer(h http.Handler, lim Limits) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lim.ReadHeader,
		ReadTimeout:       lim.Read,
		WriteTimeout:      lim.Write,
		IdleTimeout:       lim.Idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(d.log.Handler(), slog.LevelWarn),
	}
}

// routes builds the handlers of the API listener and, when it is separate,
// the WebSocket listener.
func (d *Daemon) routes(cfg *config.Config, page api.Page, withPprof bool) (apiH, wsH http.Handler, err error) {
	wsURL := ""
	if d.wsLn != nil {
		_, port, _ := net.SplitHostPort(d.wsLn.Addr().String())
		wsURL = ":" + port
	}
	srv, err := api.New(api.Options{
		Backend:            d.backend(),
		Store:              d.store,
		Page:               page,
		Public:             *cfg.API.Public,
		PublicBadges:       cfg.Badges.Public,
		Pushes:             d.pushes,
		Observe:            func(r probe.Result) { d.onResult(nil, r) },
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
		Ready:              d.ready(),
		Now:                d.now,
		AsOf:               d.asOf(),
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
	feed := srv.RequireRead(longLived(d.hub.Handler()))
	ws := http.NewServeMux()
	ws.Handle("GET /ws", feed)
	if d.wsLn == nil {
		mux.Handle("GET /ws", feed)
	}
	if d.sides != nil {
		c := &commandRunner{log: d.log.With("part", "cluster"), db: d.pg, instance: d.cluster.instance, leading: d.sides.Leading, api: srv}
		d.sides.commands.Store(c)
		mux.Handle("/", c.handler(srv))
	} else {
		mux.Handle("/", srv)
	}
	return mux, ws, nil
}

// longLived lifts the server's read and write deadlines for the live
// feed: a WebSocket stays open for hours, and the hub pings it and drops
// it when it stops answering.
func longLived(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Time{})
		_ = rc.SetWriteDeadline(time.Time{})
		next.ServeHTTP(w, r)
	})
}

// ready says why the daemon cannot take writes: its store refuses them,
// or its database failed the last write check.
func (d *Daemon) ready() func() error {
	return func() error {
		err := d.health().StoreErr()
		if err == nil {
			err = d.dbHealth.Err()
		}
		if err != nil {
			return fmt.Errorf("the state store %s cannot be written: %s", d.storeName, d.shown.Load().Redact(err.Error()))
		}
		return nil
	}
}

func orDefault(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}
