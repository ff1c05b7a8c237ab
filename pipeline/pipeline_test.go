package pipeline

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/up-status/up/notify"
	"github.com/up-status/up/probe"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
	"github.com/up-status/up/store/sqlite"
)

// failingStore is the real store whose event writes fail while broken is
// set, as on a full disk, and wait while gate is set, as on a slow disk:
// no real file system here can be filled or slowed on demand without
// harming the machine.
type failingStore struct {
	*sqlite.DB
	broken atomic.Bool
	mu     sync.Mutex
	gate   chan struct{} // when not nil, Apply waits for it to close
}

var errDiskFull = errors.New("disk full")

func (f *failingStore) Apply(ctx context.Context, events []status.Event, deliveries []store.Delivery) error {
	f.mu.Lock()
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	if f.broken.Load() {
		return errDiskFull
	}
	return f.DB.Apply(ctx, events, deliveries)
}

func (f *failingStore) slow() (release func()) {
	g := make(chan struct{})
	f.mu.Lock()
	f.gate = g
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		f.gate = nil
		f.mu.Unlock()
		close(g)
	}
}

// recorder is a consumer that keeps what it was given.
type recorder struct {
	mu      sync.Mutex
	events  []status.Event
	batches int
}

func (r *recorder) Publish(events []status.Event, _ *status.Snapshot) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, events...)
	r.batches++
}

func spec() status.Spec {
	return status.Spec{
		OpenAt:       status.PartialOutage,
		ResolveAfter: time.Minute,
		Components: []status.ComponentSpec{
			{ID: "web", Name: "Web", Checks: []status.CheckSpec{
				{ID: "web.home", FailureThreshold: 1, SuccessThreshold: 1, Interval: 10 * time.Second},
			}},
			{ID: "support", Name: "Support"},
		},
	}
}

type fixture struct {
	t    *testing.T
	st   *failingStore
	p    *Pipeline
	rec  *recorder
	stop func()
}

// start opens a real SQLite store with one subscriber and runs a
// pipeline on it. Call it inside a synctest bubble: time is the bubble's.
func start(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "up.db"))
	if err != nil {
		t.Fatal(err)
	}
	st := &failingStore{DB: db}
	if err := db.PutSubscriber(ctx, store.Subscriber{ID: "ops", URL: "http://127.0.0.1:9/hook", Token: "t0123456789abcdef"}); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	p, err := New(ctx, spec(), Options{
		Store:     st,
		Planner:   notify.Planner{PageID: "p", PageURL: "http://127.0.0.1:5010"},
		Consumers: []Consumer{rec},
	})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, st: st, p: p, rec: rec, stop: running(p)}
	t.Cleanup(func() {
		f.stop()
		db.Close()
	})
	return f
}

// running runs p until stop is called; calling stop again does nothing.
func running(p *Pipeline) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = p.Run(ctx)
	}()
	return sync.OnceFunc(func() {
		cancel()
		<-done
	})
}

func (f *fixture) result(ok bool) {
	r := probe.Result{CheckID: "web.home", Success: ok, Duration: 20 * time.Millisecond}
	if !ok {
		r.Err = "connection refused"
	}
	f.p.Observe(r)
}

func (f *fixture) storedIncidents() []status.Incident {
	f.t.Helper()
	inc, err := f.st.DB.Incidents(context.Background(), store.IncidentFilter{})
	if err != nil {
		f.t.Fatal(err)
	}
	return inc
}

func (f *fixture) deliveries() int {
	f.t.Helper()
	d, err := f.st.DB.Deliveries(context.Background(), "", 100)
	if err != nil {
		f.t.Fatal(err)
	}
	return len(d)
}

// While the store refuses writes, what probes observe still reaches the
// page; the events and their webhooks are saved once it recovers, and the
// store error is reported until then.
func TestStoreFailureKeepsThePageLiveAndLosesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := start(t)
		f.st.broken.Store(true)
		f.result(false)
		time.Sleep(200 * time.Millisecond) // past the publishing gap
		synctest.Wait()

		snap := f.p.Snapshot()
		if len(snap.Incidents) != 1 || snap.Components[0].Status != status.MajorOutage {
			t.Fatalf("the page does not show what the probes saw: components %+v, incidents %d", snap.Components, len(snap.Incidents))
		}
		if len(f.storedIncidents()) != 0 || f.deliveries() != 0 {
			t.Fatal("something was saved while the store refused writes")
		}
		if !errors.Is(f.p.StoreErr(), errDiskFull) {
			t.Fatalf("StoreErr = %v, want the store's error", f.p.StoreErr())
		}

		f.st.broken.Store(false)
		time.Sleep(2 * time.Second) // a retry
		synctest.Wait()
		if inc := f.storedIncidents(); len(inc) != 1 || inc[0].ID != snap.Incidents[0].ID {
			t.Fatalf("after the store recovered: stored incidents %+v, want the one the page showed", inc)
		}
		if f.deliveries() == 0 {
			t.Fatal("the incident's webhook was not queued once the store recovered")
		}
		if f.p.StoreErr() != nil {
			t.Fatalf("StoreErr = %v after a successful write", f.p.StoreErr())
		}
	})
}

// An API write the store refuses is not applied, ever: the client was
// told it failed and may retry.
func TestRefusedWriteIsNeverApplied(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := start(t)
		f.st.broken.Store(true)
		err := f.p.Change(context.Background(), func(e *status.Engine, now time.Time) ([]status.Event, error) {
			_, ev, err := e.SetComponentStatus(now, "support", status.MajorOutage, time.Time{})
			return ev, err
		})
		if !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("Change on a failing store = %v, want ErrUnavailable", err)
		}
		if st := f.p.Snapshot().Components[1].Status; st != status.Operational {
			t.Fatalf("a refused write shows on the page: support is %s", st)
		}
		f.st.broken.Store(false)
		f.result(true) // publishes a fresh snapshot of the engine
		time.Sleep(3 * time.Second)
		synctest.Wait()
		if st := f.p.Snapshot().Components[1].Status; st != status.Operational {
			t.Fatalf("the refused write reached the engine: support is %s", st)
		}
		comps, err := f.st.DB.Components(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range comps {
			if c.ID == "support" && c.Status != status.Operational {
				t.Fatalf("the refused write was saved later: %+v", c)
			}
		}
		if n := f.deliveries(); n != 0 {
			t.Fatalf("the refused write sent %d webhooks", n)
		}
		// And the same write succeeds once the store works.
		err = f.p.Change(context.Background(), func(e *status.Engine, now time.Time) ([]status.Event, error) {
			_, ev, err := e.SetComponentStatus(now, "support", status.MajorOutage, time.Time{})
			return ev, err
		})
		if err != nil {
			t.Fatal(err)
		}
		if st := f.p.Snapshot().Components[1].Status; st != status.MajorOutage {
			t.Fatalf("after a durable write the page reads %s", st)
		}
	})
}

// A slow store delays only the commit: results go on reaching the engine
// while a write hangs. The page waits a little for the commit, so that an
// incident it shows survives a kill -9, but not for long.
func TestSlowStoreDoesNotStallProbes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := start(t)
		f.result(true)
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		release := f.st.slow()
		f.result(false) // opens an incident: a commit that now hangs
		observed := make(chan struct{})
		go func() {
			defer close(observed)
			for range 100 {
				f.result(false)
			}
		}()
		select {
		case <-observed:
		case <-time.After(time.Second):
			t.Fatal("Observe blocked while the store hung")
		}
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		if n := len(f.p.Snapshot().Incidents); n != 0 {
			t.Fatalf("the page shows %d incidents before they are saved, with the store only slow", n)
		}
		time.Sleep(maxHold)
		synctest.Wait()
		snap := f.p.Snapshot()
		if snap.Components[0].Status != status.MajorOutage || len(snap.Incidents) != 1 {
			t.Fatalf("after %v the page still waits for a hung store: web is %s", maxHold, snap.Components[0].Status)
		}
		release()
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if inc := f.storedIncidents(); len(inc) != 1 || inc[0].ID != snap.Incidents[0].ID {
			t.Fatalf("after the store caught up: stored %+v, want the incident the page showed", inc)
		}
	})
}

// /status shows each check's last result, latency and error: they must
// follow every probe, not only those that change a state.
func TestEveryResultIsPublished(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := start(t)
		f.result(true)
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		first := f.p.Snapshot().Checks[0].LastResult
		time.Sleep(5 * time.Second)
		f.result(true)
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		if next := f.p.Snapshot().Checks[0].LastResult; !next.After(first) {
			t.Fatalf("last result did not move with a result that changed no state: %v then %v", first, next)
		}
	})
}

// A success the prober calls degraded (a certificate near its end) makes
// the check SLOW whatever its latency, and the component's incident says
// why.
func TestDegradedResultsMakeTheCheckSlow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := start(t)
		f.result(true)
		const why = "certificate for acme.example expires in 10 days"
		f.p.Observe(probe.Result{CheckID: "web.home", Success: true, Duration: 20 * time.Millisecond, Degraded: why})
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		snap := f.p.Snapshot()
		if c := snap.Checks[0]; c.State != status.CheckSlow || c.LastOutcome != status.Slow || c.LastError != "" {
			t.Fatalf("check after a degraded success: %+v", c)
		}
		if snap.Components[0].Status != status.DegradedPerformance {
			t.Fatalf("component %s, want DEGRADEDPERFORMANCE", snap.Components[0].Status)
		}
	})
}

// A probe that failed because of up itself says nothing of the target:
// the check keeps its state and no incident opens.
func TestLocalErrorsDoNotCountAgainstTheTarget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := start(t)
		f.result(true)
		for range 5 {
			f.p.Observe(probe.Result{CheckID: "web.home", Err: "up itself is out of file descriptors", Local: true})
		}
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		snap := f.p.Snapshot()
		if snap.Checks[0].State != status.CheckUp || len(snap.Incidents) != 0 {
			t.Fatalf("local errors moved the check: %+v, incidents %d", snap.Checks[0], len(snap.Incidents))
		}
		if n := f.p.LocalErrors(); n != 5 {
			t.Fatalf("LocalErrors = %d, want 5", n)
		}
	})
}

// Consumers get every event once, in the engine's order, in batches no
// more often than the publishing gap.
func TestConsumersGetEveryEventInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := start(t)
		before := f.rec.batches
		for i := range 50 {
			f.result(i%2 == 0) // flaps: every result changes the state
		}
		time.Sleep(time.Second)
		synctest.Wait()
		f.rec.mu.Lock()
		defer f.rec.mu.Unlock()
		var states []status.CheckState
		for _, ev := range f.rec.events {
			if ev.Kind == status.CheckChanged {
				states = append(states, ev.Check.State)
			}
		}
		if len(states) < 50 {
			t.Fatalf("consumers saw %d check changes, want at least 50", len(states))
		}
		for i := 1; i < len(states); i++ {
			if states[i] == states[i-1] {
				t.Fatalf("check changes out of order or repeated at %d: %v", i, states)
			}
		}
		if n := f.rec.batches - before; n > 3 {
			t.Fatalf("50 results published in %d batches; the gap should coalesce them", n)
		}
	})
}

// Stopping saves the response times of the minute still running.
func TestShutdownSavesTheRunningMinute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := start(t)
		f.result(true)
		time.Sleep(5 * time.Second) // well inside the first minute
		f.stop()
		m, err := f.st.DB.Metric(context.Background(), "web.home", time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Points) != 1 || m.Points[0].Value != 20 {
			t.Fatalf("after shutdown, response times %+v; want the running minute's 20 ms", m.Points)
		}
	})
}

// A result that moves no component publishes a snapshot that shares the
// previous one's component list instead of copying it again: readers
// keep snapshots as they are, so sharing is safe, and the copy was half
// of the garbage of a page of many components.
func TestResultsWithoutChangeShareTheComponentList(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := start(t)
		f.result(true)
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		first := f.p.Snapshot()
		time.Sleep(5 * time.Second)
		f.result(true)
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		next := f.p.Snapshot()
		if !next.Checks[0].LastResult.After(first.Checks[0].LastResult) {
			t.Fatal("the second result was not published")
		}
		if &next.Components[0] != &first.Components[0] {
			t.Error("the component list was copied again though no component changed")
		}
		f.result(false) // web.home fails at once: web changes
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		last := f.p.Snapshot()
		if last.Components[0].Status == next.Components[0].Status || &last.Components[0] == &next.Components[0] {
			t.Errorf("a changed component was not published afresh: %s, shared %v",
				last.Components[0].Status, &last.Components[0] == &next.Components[0])
		}
	})
}
