package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/up-status/up/probe"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// Backend is the status engine as the daemon owns it.
type Backend interface {
	// Snapshot is the engine's state after the latest change. The API
	// reads it without copying and keeps rendered bodies keyed by its
	// slices, so a snapshot once returned must never be modified (the
	// engine's Snapshot and the daemon's published ones are not).
	Snapshot() status.Snapshot
	// Change runs fn on the engine under the daemon's lock, then
	// persists, notifies and publishes the events it returns (also when
	// fn errs: an engine call may have moved time-driven state before it
	// refused the request).
	Change(ctx context.Context, fn func(e *status.Engine, now time.Time) ([]status.Event, error)) error
}

// Store is what the API reads and writes besides the engine: the rows
// the engine does not own (users, subscribers, deliveries, metrics,
// uptime), the history of incidents and maintenance for listings and
// deletes, and a meta key for /readyz. store/sqlite's DB is one; see
// store.Store for what each method does.
type Store interface {
	Incidents(ctx context.Context, f store.IncidentFilter) ([]status.Incident, error)
	Incident(ctx context.Context, id string) (status.Incident, error)
	DeleteIncident(ctx context.Context, id string) error

	Maintenances(ctx context.Context, f store.MaintenanceFilter) ([]status.Maintenance, error)
	Maintenance(ctx context.Context, id string) (status.Maintenance, error)
	DeleteMaintenance(ctx context.Context, id string) error

	Users(ctx context.Context) ([]store.User, error)
	PutUser(ctx context.Context, u store.User) error
	UserByTokenHash(ctx context.Context, h []byte) (store.User, error)
	DeleteUser(ctx context.Context, id string) error

	Subscribers(ctx context.Context) ([]store.Subscriber, error)
	PutSubscriber(ctx context.Context, s store.Subscriber) error
	DeleteSubscriber(ctx context.Context, id string) error

	Deliveries(ctx context.Context, state store.DeliveryState, limit int) ([]store.Delivery, error)
	Replay(ctx context.Context, id string, now time.Time) error

	Uptime(ctx context.Context, checkID string, from, to time.Time) ([]store.UptimeHour, error)

	Metrics(ctx context.Context) ([]store.Metric, error)
	Metric(ctx context.Context, id string, from, to time.Time) (store.Metric, error)
	PutMetric(ctx context.Context, m store.Metric) error
	DeleteMetric(ctx context.Context, id string) error

	Meta(ctx context.Context, key string) (string, error)
}

// Page is the status page's identity, from the configuration.
type Page struct {
	ID   string
	Name string
	// URL is the page's public base URL; incident and maintenance objects
	// link to <URL>/incidents/<id> and <URL>/maintenance/<id>.
	URL string
}

// Options are what New needs. Backend and Store are required; every
// other field may be left zero.
type Options struct {
	Backend Backend
	Store   Store
	Page    Page
	// Public lets anyone read status data (status, components, groups,
	// incidents, maintenance, metrics, uptime) without a token. The zero
	// value keeps every read behind a token; the daemon passes the
	// configuration's api.public, which defaults to true.
	Public bool
	// PublicBadges lets anyone fetch the badges (GET /badge/...) even
	// when Public is false: a README or a wiki embeds them without a
	// token. The daemon passes badges.public, which defaults to false.
	PublicBadges bool
	Version      string
	Logger       *slog.Logger
	// Metrics serves the Prometheus exposition at GET /metrics to clients
	// that do not ask for JSON.
	Metrics http.Handler
	// Unsubscribe serves the webhook unsubscribe links; it is mounted at
	// /unsubscribe/ (notify.Dispatcher.UnsubscribeHandler).
	Unsubscribe http.Handler
	// StatusPage serves the status page to browsers: GET / and the links
	// webhooks carry (/incidents/{id}, /maintenance/{id}) when the client
	// accepts text/html, and every GET path the API does not claim (the
	// page's assets) unless the client asks for JSON. Nil serves a plain
	// placeholder page at GET /.
	StatusPage http.Handler
	// Resume clears a subscriber's quarantine and wakes the notifier
	// (notify.Dispatcher.Resume). Nil clears it in the store only.
	Resume func(ctx context.Context, subscriberID string) error
	// SubscribersChanged is called after the API created, changed or
	// deleted a subscriber, so the daemon reloads the list it plans
	// webhooks with and the notifier drops work for disabled ones.
	SubscribersChanged func()
	// OutboxChanged is called after a dead delivery was replayed, to wake
	// the notifier (notify.Dispatcher.Notify).
	OutboxChanged func()
	// SetCustomMetric exports the latest value of a custom metric as
	// uptime_custom_metric{metric="<id>"}; RemoveCustomMetric drops it.
	SetCustomMetric    func(id string, v float64)
	RemoveCustomMetric func(id string)
	// Ready reports why the daemon cannot take writes now (the store
	// refused its last write, say), or nil. GET /readyz answers 503 with
	// its message while it errs. Nil leaves /readyz to the store check.
	Ready func() error
	// Pushes are the push checks GET and POST /push/{token} report to;
	// nil answers every token 404.
	Pushes *Pushes
	// Observe takes the result of a push report to the pipeline
	// (pipeline.Pipeline.Observe, after the daemon's redaction).
	Observe func(probe.Result)
	// Now is the clock for what the API stamps itself (users,
	// subscribers, uptime days); the engine's clock is the Backend's.
	Now func() time.Time
	// AsOf is when the state the Backend shows was last confirmed
	// current, GET /status's as_of: in a cluster, a follower's last read
	// of the shared database (zero before the first). Nil means always
	// current, as a single instance is: as_of is the request's time.
	AsOf func() time.Time
}

// Server is the HTTP API. It is safe for concurrent use.
type Server struct {
	backend Backend
	store   Store
	page    Page
	public  bool
	badges  bool
	version string
	log     *slog.Logger
	now     func() time.Time
	asOf    func() time.Time
	ready   func() error

	metrics            http.Handler
	statusPage         http.Handler
	resume             func(ctx context.Context, id string) error
	subscribersChanged func()
	outboxChanged      func()
	setCustom          func(id string, v float64)
	removeCustom       func(id string)
	pushes             *Pushes
	observe            func(probe.Result)

	mux    *http.ServeMux
	routes []string // "METHOD /path" in registration order, for the index

	statusBody     snapCache
	componentsBody snapCache
	groupsBody     snapCache

	// usersMu serialises user writes so that the check that an admin
	// remains and the write that follows it cannot interleave with
	// another request's; subsMu does the same for subscriber edits.
	usersMu sync.Mutex
	subsMu  sync.Mutex
}

// New returns the API server.
func New(opts Options) (*Server, error) {
	if opts.Backend == nil {
		return nil, errors.New("api: Options.Backend is required")
	}
	if opts.Store == nil {
		return nil, errors.New("api: Options.Store is required")
	}
	s := &Server{
		backend:            opts.Backend,
		store:              opts.Store,
		page:               opts.Page,
		public:             opts.Public,
		badges:             opts.PublicBadges,
		version:            opts.Version,
		log:                opts.Logger,
		now:                opts.Now,
		asOf:               opts.AsOf,
		ready:              opts.Ready,
		metrics:            opts.Metrics,
		statusPage:         opts.StatusPage,
		resume:             opts.Resume,
		subscribersChanged: opts.SubscribersChanged,
		outboxChanged:      opts.OutboxChanged,
		setCustom:          opts.SetCustomMetric,
		removeCustom:       opts.RemoveCustomMetric,
		pushes:             opts.Pushes,
		observe:            opts.Observe,
	}
	s.page.URL = strings.TrimRight(s.page.URL, "/")
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.asOf == nil {
		s.asOf = s.now
	}
	s.statusBody.open = true
	if s.version == "" {
		s.version = "dev"
	}
	s.mux = s.buildMux(opts.Unsubscribe)
	return s, nil
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			// The details go to the log only: a response never carries
			// a stack trace or an internal message.
			s.log.Error("api: panic serving request", "method", r.Method, "path", logPath(r), "panic", v)
			writeError(w, http.StatusInternalServerError, "internal error")
		}
	}()
	s.mux.ServeHTTP(w, r)
}

// access is who may call a route.
type access int

const (
	anyone     access = iota // health probes, the index, the OpenAPI document
	publicRead               // status data: anyone when Public, else a viewer
	badgeRead                // badges: anyone when Public or PublicBadges, else a viewer
	editor                   // writes of status data
	admin                    // users, subscribers, deliveries
)

// handlerFunc is a route's handler; a returned error becomes the JSON
// error response (see (*Server).fail).
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) buildMux(unsubscribe http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	allow := map[string][]string{}
	var paths []string
	add := func(method, path string, acc access, h handlerFunc) {
		mux.Handle(method+" "+path, s.wrap(acc, h))
		if _, ok := allow[path]; !ok {
			paths = append(paths, path)
		}
		allow[path] = append(allow[path], method)
		s.routes = append(s.routes, method+" "+strings.Replace(path, "{$}", "", 1))
	}

	add("GET", "/{$}", anyone, s.getIndex)
	add("GET", "/healthz", anyone, s.getHealthz)
	add("GET", "/readyz", anyone, s.getReadyz)
	add("GET", "/openapi.yaml", anyone, s.getOpenAPI)
	add("GET", "/status", publicRead, s.getStatus)
	add("GET", "/uptime", publicRead, s.getUptime)
	add("GET", "/feed.atom", publicRead, s.getAtom)
	add("GET", "/feed.rss", publicRead, s.getRSS)
	add("GET", "/push/{token}", anyone, s.push)
	add("POST", "/push/{token}", anyone, s.push)
	add("GET", "/badge/{file}", badgeRead, s.getBadge)
	add("GET", "/badge/{id}/uptime.svg", badgeRead, s.getUptimeBadge)

	add("GET", "/incidents", publicRead, s.listIncidents)
	add("PUT", "/incidents", editor, s.putIncident)
	add("GET", "/incidents/{id}", publicRead, s.getIncident)
	add("DELETE", "/incidents/{id}", editor, s.deleteIncident)

	add("GET", "/maintenance", publicRead, s.listMaintenance)
	add("PUT", "/maintenance", editor, s.putMaintenance)
	add("GET", "/maintenance/{id}", publicRead, s.getMaintenance)
	add("DELETE", "/maintenance/{id}", editor, s.deleteMaintenance)

	add("GET", "/metrics", publicRead, s.listMetrics)
	add("PUT", "/metrics", editor, s.putMetric)
	add("GET", "/metrics/{id}", publicRead, s.getMetric)
	add("DELETE", "/metrics/{id}", editor, s.deleteMetric)

	add("GET", "/components", publicRead, s.listComponents)
	add("PUT", "/components", editor, s.putComponent)
	add("GET", "/components/{type}/{id}", publicRead, s.findComponents)
	add("DELETE", "/components/{id}", editor, s.deleteComponent)

	add("GET", "/groups", publicRead, s.listGroups)
	add("PUT", "/groups", editor, s.putGroup)
	add("GET", "/groups/{type}/{id}", publicRead, s.findGroups)
	add("DELETE", "/groups/{id}", editor, s.deleteGroup)

	add("GET", "/users", admin, s.listUsers)
	add("PUT", "/users", admin, s.putUser)
	add("GET", "/users/{type}/{id}", admin, s.findUsers)
	add("DELETE", "/users/{id}", admin, s.deleteUser)

	add("GET", "/subscribers", admin, s.listSubscribers)
	add("PUT", "/subscribers", admin, s.putSubscriber)
	add("GET", "/subscribers/{id}", admin, s.getSubscriber)
	add("DELETE", "/subscribers/{id}", admin, s.deleteSubscriber)
	add("POST", "/subscribers/{id}/resume", admin, s.resumeSubscriber)

	add("GET", "/deliveries", admin, s.listDeliveries)
	add("POST", "/deliveries/{id}/replay", admin, s.replayDelivery)

	add("POST", "/checks/{id}/push-token", admin, s.rotatePushToken)

	if unsubscribe != nil {
		// notify's handler, behind the API's token rule, 405 and OPTIONS.
		serve := func(w http.ResponseWriter, r *http.Request) error {
			unsubscribe.ServeHTTP(w, r)
			return nil
		}
		add("GET", "/unsubscribe/{token}", anyone, serve)
		add("POST", "/unsubscribe/{token}", anyone, serve)
	}

	// A path the API knows called with another method gets 405 with
	// Allow, as JSON (ServeMux's own answer would be plain text), and
	// OPTIONS gets 204 with Allow.
	for _, p := range paths {
		methods := allow[p]
		mux.Handle(p, s.wrap(anyone, func(w http.ResponseWriter, r *http.Request) error {
			return s.methodNotAllowed(w, r, methods)
		}))
	}
	mux.Handle("/", s.wrap(anyone, s.notFound))
	return mux
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request, methods []string) error {
	list := make([]string, 0, len(methods)+2)
	for _, m := range methods {
		list = append(list, m)
		if m == http.MethodGet {
			list = append(list, http.MethodHead)
		}
	}
	list = append(list, http.MethodOptions)
	w.Header().Set("Allow", strings.Join(list, ", "))
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return errorf(http.StatusMethodNotAllowed, "method %s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(list, ", "))
}

// notFound answers paths no route claims. Browsers (and clients that do
// not ask for JSON) get the status page's handler there, which serves the
// page's assets and its own 404.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	if s.statusPage != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) && !wantsJSON(r) {
		s.statusPage.ServeHTTP(w, r)
		return nil
	}
	return notFoundf("no route %s %s; see GET /openapi.yaml", r.Method, r.URL.Path)
}

// wrap checks access (authorize, the one rule for every route), runs the
// handler and turns its error into a JSON error response.
func (s *Server) wrap(acc access, h handlerFunc) http.Handler {
	run := s.guard(acc, false, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
			return
		}
		if isWrite(r) {
			// An audit trail of writes: who changed what.
			s.log.Info("api write", "method", r.Method, "path", logPath(r), "user", userID(r.Context()))
		}
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWrite(r) {
			// A write, once begun, is carried through even if the client
			// goes away: by then the engine may have changed, and its
			// events must reach the store and the notifier.
			r = r.WithContext(context.WithoutCancel(r.Context()))
		}
		run.ServeHTTP(w, r)
	})
}

func isWrite(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// logPath is the request's path as logs show it: a push token is a
// secret, so it never reaches a log.
func logPath(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, "/push/") {
		return "/push/<secret>"
	}
	return r.URL.Path
}
