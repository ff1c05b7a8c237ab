package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/up-status/up/auth"
	"github.com/up-status/up/notify"
	"github.com/up-status/up/pipeline"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
	"github.com/up-status/up/store/sqlite"
)

// start is the fixtures' wall clock at the beginning of every test.
var start = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// clock is a settable clock shared by the pipeline, the store and the
// API.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// backend is the daemon's core: the real pipeline over the fixture's
// store, on the fixture's clock. It records every published event.
type backend struct {
	*pipeline.Pipeline
	mu     sync.Mutex
	events []status.Event
}

// noWebhooks plans no deliveries: the API's tests of the outbox put
// their own.
type noWebhooks struct{}

func (noWebhooks) Plan([]status.Event, []store.Subscriber, time.Time) []store.Delivery { return nil }

func newBackend(t testing.TB, st pipeline.Store, c *clock, spec status.Spec, opts ...status.Option) *backend {
	t.Helper()
	var n atomic.Int64
	b := &backend{}
	p, err := pipeline.New(context.Background(), spec, pipeline.Options{
		Store:     st,
		Planner:   noWebhooks{},
		Now:       c.Now,
		IDs:       func() string { return fmt.Sprintf("id%d", n.Add(1)) },
		Engine:    opts,
		Consumers: []pipeline.Consumer{b},
		// The tests move the clock and tick themselves.
		TickEvery:  24 * time.Hour,
		FlushEvery: 24 * time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	b.Pipeline = p
	ctx, stop := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		p.Run(ctx)
	}()
	t.Cleanup(func() {
		stop()
		<-ran
	})
	return b
}

// Publish records the events of every batch.
func (b *backend) Publish(events []status.Event, _ *status.Snapshot) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.events = append(b.events, events...)
}

// observe feeds probe results as API writes do, so that each is applied
// and published before it returns.
func (b *backend) observe(t testing.TB, check string, o status.Outcome, n int) {
	t.Helper()
	for range n {
		err := b.Change(context.Background(), func(e *status.Engine, now time.Time) ([]status.Event, error) {
			return e.Observe(now, status.Observation{CheckID: check, Outcome: o, Err: "connection refused", Latency: 12 * time.Millisecond}), nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (b *backend) tick(t testing.TB) {
	t.Helper()
	if err := b.Change(context.Background(), func(e *status.Engine, now time.Time) ([]status.Event, error) {
		return e.Tick(now), nil
	}); err != nil {
		t.Fatal(err)
	}
}

// holds reports whether the engine holds the incident.
func (b *backend) holds(t testing.TB, id string) bool {
	t.Helper()
	var ok bool
	if err := b.Change(context.Background(), func(e *status.Engine, now time.Time) ([]status.Event, error) {
		_, ok = e.Incident(id)
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	return ok
}

func (b *backend) eventKinds() []status.EventKind {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]status.EventKind, len(b.events))
	for i, ev := range b.events {
		out[i] = ev.Kind
	}
	return out
}

// testSpec is the configuration every fixture starts from: a group, a
// component with two checks in it, one with a check and no group, one
// without checks, and a window planned for tomorrow.
func testSpec() status.Spec {
	return status.Spec{
		OpenAt: status.PartialOutage,
		Groups: []status.GroupSpec{{ID: "web", Name: "Website"}},
		Components: []status.ComponentSpec{
			{ID: "website", Name: "Website", Group: "web", Checks: []status.CheckSpec{testCheck("website.home"), testCheck("website.ping")}},
			{ID: "api", Name: "API", Checks: []status.CheckSpec{testCheck("api.http")}},
			{ID: "docs", Name: "Docs", Description: "Handbook", Group: "web"},
		},
		Maintenance: []status.MaintenanceSpec{{
			ID: "db-upgrade", Name: "Database upgrade", Components: []string{"api"},
			Start: start.Add(24 * time.Hour), Duration: 2 * time.Hour,
		}},
	}
}

// testCheck is a check with the thresholds and interval a file gets by
// default.
func testCheck(id string) status.CheckSpec {
	return status.CheckSpec{ID: id, FailureThreshold: 3, SuccessThreshold: 2, Interval: 30 * time.Second}
}

// Tokens of the fixture's users. The admin comes from the
// configuration file; editor and viewer were made through the API.
const (
	adminToken  = "admin-token-0123456789"
	editorToken = "editor-token-0123456789"
	viewerToken = "viewer-token-0123456789"
)

type fixtureOptions struct {
	spec    *status.Spec // default testSpec()
	private bool
	// publicBadges is Options.PublicBadges.
	publicBadges bool
	retention    time.Duration
	statusPage   http.Handler
	noContract   bool
	// wrap, when set, puts a Backend of the test's own in front of the
	// real one.
	wrap func(*backend) Backend
	// ready is Options.Ready.
	ready func() error
	// asOf is Options.AsOf.
	asOf func() time.Time
}

// fixture is a real API server over a real engine, store, notifier
// (for unsubscribe links and resume) and Prometheus registry.
type fixture struct {
	t        testing.TB
	clock    *clock
	store    *sqlite.DB
	backend  *backend
	server   *Server
	http     *httptest.Server
	custom   *prometheus.GaugeVec
	registry *prometheus.Registry
	notify   *notify.Dispatcher
	contract *contract
	// pushes are the server's push checks, none until a test applies
	// some; reports go to the backend's pipeline.
	pushes *Pushes

	subsChanged   atomic.Int64
	outboxChanged atomic.Int64
}

func newFixture(t testing.TB, o fixtureOptions) *fixture {
	t.Helper()
	c := &clock{t: start}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "up.db"), sqlite.WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var opts []status.Option
	if o.retention > 0 {
		opts = append(opts, status.WithRetention(o.retention))
	}
	f := &fixture{t: t, clock: c, store: st}
	spec := testSpec()
	if o.spec != nil {
		spec = *o.spec
	}
	f.backend = newBackend(t, st, c, spec, opts...)
	// uptime_custom_metric as package metrics declares it, on a registry
	// of the test's own.
	f.registry = prometheus.NewRegistry()
	f.custom = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "uptime_custom_metric", Help: "Latest value of a custom metric."}, []string{"metric"})
	f.registry.MustRegister(f.custom, prometheus.NewGauge(prometheus.GaugeOpts{Name: "uptime_build_info", Help: "Build."}))
	f.notify, err = notify.New(notify.Config{Planner: notify.Planner{PageID: "acme", PageURL: "http://status.example"}},
		st, prometheus.NewRegistry(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, u := range []store.User{
		{ID: "root", Name: "Root", Role: store.Admin, TokenHash: auth.Hash(adminToken), FromConfig: true, CreatedAt: start},
		{ID: "ed", Name: "Ed", Role: store.Editor, TokenHash: auth.Hash(editorToken), CreatedAt: start},
		{ID: "vi", Name: "Vi", Role: store.Viewer, TokenHash: auth.Hash(viewerToken), CreatedAt: start},
	} {
		if err := st.PutUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutSubscriber(ctx, store.Subscriber{
		ID: "ops", URL: "https://hooks.example/ops", Secret: "s3cret", Events: []string{"incident"},
		Token: "ops-unsubscribe-token", FromConfig: true, CreatedAt: start,
	}); err != nil {
		t.Fatal(err)
	}
	f.pushes = NewPushes(c.Now, st)
	var be Backend = f.backend
	if o.wrap != nil {
		be = o.wrap(f.backend)
	}
	f.server, err = New(Options{
		Backend:            be,
		Ready:              o.ready,
		Store:              st,
		Page:               Page{ID: "acme", Name: "ACME Status", URL: "http://status.example/"},
		Public:             !o.private,
		PublicBadges:       o.publicBadges,
		Version:            "test",
		Metrics:            promhttp.HandlerFor(f.registry, promhttp.HandlerOpts{}),
		Unsubscribe:        f.notify.UnsubscribeHandler(),
		StatusPage:         o.statusPage,
		Resume:             f.notify.Resume,
		SubscribersChanged: func() { f.subsChanged.Add(1) },
		OutboxChanged:      func() { f.outboxChanged.Add(1) },
		SetCustomMetric:    func(id string, v float64) { f.custom.WithLabelValues(id).Set(v) },
		RemoveCustomMetric: func(id string) { f.custom.DeleteLabelValues(id) },
		Pushes:             f.pushes,
		Observe:            f.backend.Observe,
		Now:                c.Now,
		AsOf:               o.asOf,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.http = httptest.NewServer(f.server)
	t.Cleanup(f.http.Close)
	if !o.noContract {
		f.contract = newContract(t, f.http.URL)
	}
	return f
}

// response is what a request got back.
type response struct {
	code   int
	header http.Header
	body   []byte
}

func (r *response) String() string {
	b := r.body
	if len(b) > 400 {
		b = append(b[:400:400], "…"...)
	}
	return fmt.Sprintf("%d %s", r.code, b)
}

// decode reads the JSON body into v.
func (r *response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// object is the body as a JSON object.
func (r *response) object(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.decode(t, &m)
	return m
}

// list is the body as a JSON array of objects.
func (r *response) list(t testing.TB) []map[string]any {
	t.Helper()
	var l []map[string]any
	r.decode(t, &l)
	return l
}

// errorText is the message of an {"error": "..."} body; it fails the
// test for any other shape.
func (r *response) errorText(t testing.TB) string {
	t.Helper()
	var e map[string]any
	r.decode(t, &e)
	msg, ok := e["error"].(string)
	if !ok || len(e) != 1 || msg == "" {
		t.Fatalf("want {\"error\": ...}, got %s", r.body)
	}
	return msg
}

type header = map[string]string

// do sends a request to the real server and checks the exchange against
// the OpenAPI document. body is sent as is when it is a string or
// []byte, as JSON otherwise.
func (f *fixture) do(method, path, token string, body any, hdr ...header) *response {
	f.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			f.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, f.http.URL+path, bytes.NewReader(raw))
	if err != nil {
		f.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range hdr {
		for k, v := range h {
			if v == "" {
				req.Header.Del(k)
			} else {
				req.Header.Set(k, v)
			}
		}
	}
	resp, err := f.http.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	r := &response{code: resp.StatusCode, header: resp.Header, body: got}
	if f.contract != nil {
		f.contract.check(f.t, req, raw, r)
	}
	if r.code >= 500 && r.code != http.StatusServiceUnavailable {
		f.t.Errorf("%s %s: %s", method, path, r)
	}
	return r
}

// want fails the test unless the response has the code.
func (f *fixture) want(r *response, code int) *response {
	f.t.Helper()
	if r.code != code {
		f.t.Fatalf("want %d, got %s", code, r)
	}
	return r
}

// wantError fails the test unless the response is an error with the
// code whose message contains every fragment.
func (f *fixture) wantError(r *response, code int, fragments ...string) {
	f.t.Helper()
	f.want(r, code)
	msg := r.errorText(f.t)
	for _, s := range fragments {
		if !strings.Contains(msg, s) {
			f.t.Errorf("error %q does not say %q", msg, s)
		}
	}
}

// keys fails the test unless m has exactly the keys.
func keys(t testing.TB, what string, m map[string]any, want ...string) {
	t.Helper()
	if len(m) != len(want) {
		t.Errorf("%s: %d keys %v, want %v", what, len(m), sortedKeys(m), want)
	}
	for _, k := range want {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: key %q missing (have %v)", what, k, sortedKeys(m))
		}
	}
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
