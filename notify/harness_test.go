package notify

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/up-status/up/internal/testenv"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
	"github.com/up-status/up/store/sqlite"
)

// waitLong bounds every wait for something that should happen at once
// on loopback; it is only reached when a test fails.
const waitLong = 10 * time.Second

// harness runs a Dispatcher over a test store and a fake clock.
type harness struct {
	t     *testing.T
	ctx   context.Context
	st    *sqlite.DB
	clock *fakeClock
	reg   *prometheus.Registry
	d     *Dispatcher
	stop  func()
}

// newHarness starts Run with cfg; the poll interval is long so that the
// fake clock's timers are those of the retries.
func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	h := &harness{t: t, ctx: t.Context(), st: newTestStore(t), clock: newFakeClock(t0), reg: prometheus.NewRegistry()}
	cfg.Planner = testPlanner
	cfg.Clock = h.clock
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 1000 * time.Hour
	}
	if cfg.Version == "" {
		cfg.Version = "1.2.3"
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	d, err := New(cfg, h.st, h.reg, log)
	if err != nil {
		t.Fatal(err)
	}
	h.d = d
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(waitLong):
				t.Errorf("Run did not return %v after cancel", waitLong)
			}
		})
	}
	t.Cleanup(h.stop)
	return h
}

// testWriter sends logs to t.Log, which keeps them out of passing runs.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func (h *harness) subscribe(id, url, secret string) store.Subscriber {
	h.t.Helper()
	s := store.Subscriber{ID: id, URL: url, Secret: secret, Token: "tok-" + id, CreatedAt: t0}
	if err := h.st.PutSubscriber(h.ctx, s); err != nil {
		h.t.Fatal(err)
	}
	return s
}

// enqueue plans events for the current subscribers, commits them and
// notifies the Dispatcher, as the daemon does; it returns the deliveries.
func (h *harness) enqueue(events ...status.Event) []store.Delivery {
	h.t.Helper()
	subs, err := h.st.Subscribers(h.ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	ds := h.d.Plan(events, subs, h.clock.Now())
	if err := h.st.Apply(h.ctx, events, ds); err != nil {
		h.t.Fatal(err)
	}
	h.d.Notify()
	return ds
}

// delivery returns the stored state of delivery id.
func (h *harness) delivery(id string) store.Delivery {
	h.t.Helper()
	all, err := h.st.Deliveries(h.ctx, "", 100_000)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, d := range all {
		if d.ID == id {
			return d
		}
	}
	h.t.Fatalf("delivery %s not in store", id)
	return store.Delivery{}
}

func (h *harness) subscriber(id string) store.Subscriber {
	h.t.Helper()
	subs, err := h.st.Subscribers(h.ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, s := range subs {
		if s.ID == id {
			return s
		}
	}
	h.t.Fatalf("subscriber %s not in store", id)
	return store.Subscriber{}
}

// hit is one request a receiver got.
type hit struct {
	Header http.Header
	Body   []byte
	At     time.Time // fake clock
}

func (h hit) delivery() string { return h.Header.Get("X-Up-Delivery") }

// receiver is a loopback webhook endpoint that records requests and
// answers with respond (200 when nil).
type receiver struct {
	*httptest.Server
	hits chan hit

	mu      sync.Mutex
	respond http.HandlerFunc
}

func newReceiver(t *testing.T, clock *fakeClock, respond http.HandlerFunc) *receiver {
	t.Helper()
	r := &receiver{hits: make(chan hit, 10_000), respond: respond}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.hits <- hit{Header: req.Header.Clone(), Body: body, At: clock.Now()}
		r.mu.Lock()
		respond := r.respond
		r.mu.Unlock()
		if respond == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		respond(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) setRespond(f http.HandlerFunc) {
	r.mu.Lock()
	r.respond = f
	r.mu.Unlock()
}

// next waits for the next request.
func (r *receiver) next(t *testing.T) hit {
	t.Helper()
	select {
	case h := <-r.hits:
		return h
	case <-time.After(waitLong):
		t.Fatalf("receiver %s got no request within %v", r.URL, waitLong)
		return hit{}
	}
}

// none asserts that no request arrives within d.
func (r *receiver) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case h := <-r.hits:
		t.Fatalf("unexpected request %s (delivery %s)", h.Header.Get("X-Up-Event"), h.delivery())
	case <-time.After(d):
	}
}

func status500(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "boom", http.StatusInternalServerError)
}

// componentEvents returns n component events, for queues of n webhooks.
func componentEvents(n int) []status.Event {
	evs := make([]status.Event, n)
	for i := range evs {
		evs[i] = componentEvent(fmt.Sprintf("c%03d", i), status.Operational, status.MajorOutage)
	}
	return evs
}

// waitRetries waits until n workers wait for a retry, which means their
// last attempts are recorded.
func (h *harness) waitRetries(n int) {
	h.t.Helper()
	testenv.Eventually(h.t, waitLong, fmt.Sprintf("%d workers waiting for a retry", n), func() bool {
		return h.clock.timersWithin(10*time.Minute) == n
	})
}
