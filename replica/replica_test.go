package replica_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/internal/testenv"
	"github.com/up-status/up/replica"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store/postgres"
)

var pg testenv.Postgres

func TestMain(m *testing.M) {
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

var t0 = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

func spec() status.Spec {
	return status.Spec{
		OpenAt:       status.PartialOutage,
		ResolveAfter: time.Minute,
		Components: []status.ComponentSpec{{ID: "web", Name: "Website", Checks: []status.CheckSpec{
			{ID: "web.home", FailureThreshold: 1, SuccessThreshold: 1, Interval: 10 * time.Second},
		}}},
	}
}

// recorder is a consumer that keeps what it was published.
type recorder struct {
	mu     sync.Mutex
	events []status.Event
	snaps  int
}

func (r *recorder) Publish(events []status.Event, _ *status.Snapshot) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, events...)
	r.snaps++
}

func (r *recorder) kinds() map[status.EventKind]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[status.EventKind]int{}
	for _, ev := range r.events {
		out[ev.Kind]++
	}
	return out
}

func open(t *testing.T) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), pg.Server(t).CreateDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// leader is an engine writing through a leader's view, as the leader of
// a cluster does.
type leader struct {
	t    *testing.T
	e    *status.Engine
	db   *postgres.DB
	now  time.Time
	view *postgres.DB
}

func newLeader(t *testing.T, db *postgres.DB) *leader {
	e, err := status.New(t0, spec(), status.NewID)
	if err != nil {
		t.Fatal(err)
	}
	pass := func(context.Context, pgx.Tx) error { return nil }
	return &leader{t: t, e: e, db: db, now: t0, view: db.Leader(1, pass)}
}

// observe feeds a result and commits what it changed, then the check's
// state, as the leader's pipeline does.
func (l *leader) observe(o status.Outcome) {
	l.t.Helper()
	l.now = l.now.Add(10 * time.Second)
	ev := l.e.Observe(l.now, status.Observation{CheckID: "web.home", Outcome: o, Latency: time.Millisecond})
	var stored []status.Event
	for _, e := range ev {
		if e.Kind != status.CheckChanged {
			stored = append(stored, e)
		}
	}
	ctx := context.Background()
	if err := l.view.Apply(ctx, stored, nil); err != nil {
		l.t.Fatal(err)
	}
	if err := l.view.AppendChecks(ctx, l.e.Snapshot().Checks, false); err != nil {
		l.t.Fatal(err)
	}
}

func run(t *testing.T, r *replica.Replica) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = r.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

func TestReplicaFollowsTheLeadersCommits(t *testing.T) {
	db := open(t)
	l := newLeader(t, db)
	rec := &recorder{}
	// A long poll: only the notifications can make it quick.
	r := replica.New(replica.Options{Source: db, Spec: spec(), Consumers: []replica.Consumer{rec}, Poll: time.Minute})
	run(t, r)
	testenv.Eventually(t, 10*time.Second, "the replica's first read", func() bool { return !r.AsOf().IsZero() })

	l.observe(status.Fail)
	testenv.Eventually(t, 10*time.Second, "the incident on the replica", func() bool {
		s := r.Snapshot()
		return len(s.Incidents) == 1 && s.Incidents[0].Open() && s.Checks[0].State == status.CheckDown &&
			s.Components[0].Status != status.Operational
	})
	if got, want := r.Snapshot().Incidents[0].ID, l.e.Snapshot().Incidents[0].ID; got != want {
		t.Fatalf("replica's incident %s, leader's %s", got, want)
	}
	k := rec.kinds()
	if k[status.IncidentChanged] == 0 || k[status.CheckChanged] == 0 || k[status.ComponentChanged] == 0 {
		t.Fatalf("consumers got %v, want incident, component and check events", k)
	}
}

func TestReplicaStartingLateReplaysFromTheFullCheckList(t *testing.T) {
	db := open(t)
	l := newLeader(t, db)
	ctx := context.Background()
	// A leader that took over writes all checks; then the check fails.
	if err := l.view.AppendChecks(ctx, l.e.Snapshot().Checks, true); err != nil {
		t.Fatal(err)
	}
	l.observe(status.Fail)

	r := replica.New(replica.Options{Source: db, Spec: spec(), Poll: 50 * time.Millisecond})
	run(t, r)
	testenv.Eventually(t, 10*time.Second, "the replica's first read", func() bool { return !r.AsOf().IsZero() })
	s := r.Snapshot()
	// The store keeps no check states: only the feed can bring it back.
	if s.Checks[0].State != status.CheckDown || len(s.Incidents) != 1 {
		t.Fatalf("late replica shows check %s and %d incidents, want DOWN and 1", s.Checks[0].State, len(s.Incidents))
	}
	// Entries it never saw are pruned while it reads: it loads again and
	// agrees with the leader after the recovery.
	l.observe(status.OK)
	if err := l.view.AppendChecks(ctx, l.e.Snapshot().Checks, true); err != nil {
		t.Fatal(err)
	}
	if err := l.view.PruneFeed(ctx, 0); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "the recovery on the replica", func() bool {
		return r.Snapshot().Checks[0].State == status.CheckUp
	})
}

func TestReplicaPassesOnALeadersResignation(t *testing.T) {
	db := open(t)
	resigned := make(chan struct{}, 1)
	r := replica.New(replica.Options{Source: db, Spec: spec(), Resigned: func() {
		select {
		case resigned <- struct{}{}:
		default:
		}
	}})
	run(t, r)
	testenv.Eventually(t, 10*time.Second, "the replica's first read", func() bool { return !r.AsOf().IsZero() })
	// The listener may start after the first read: notify until heard.
	ctx := context.Background()
	testenv.Eventually(t, 10*time.Second, "the resignation passed on", func() bool {
		if _, err := db.Pool().Exec(ctx, `SELECT pg_notify($1, 'engine')`, replica.LeaderChannel); err != nil {
			t.Fatal(err)
		}
		select {
		case <-resigned:
			return true
		case <-time.After(100 * time.Millisecond):
			return false
		}
	})
}
