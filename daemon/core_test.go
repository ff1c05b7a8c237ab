package daemon

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/up-status/up/metrics"
	"github.com/up-status/up/notify"
	"github.com/up-status/up/probe"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
	"github.com/up-status/up/store/sqlite"
)

// fullDisk is the real store whose writes of events fail while full is
// set, as they would on a full disk: no real file system here can be
// filled on demand without harming the machine.
type fullDisk struct {
	*sqlite.DB
	full atomic.Bool
}

func (f *fullDisk) Apply(ctx context.Context, events []status.Event, deliveries []store.Delivery) error {
	if f.full.Load() {
		return errors.New("disk full")
	}
	return f.DB.Apply(ctx, events, deliveries)
}

func TestEventsTheStoreRefusesAreSavedLater(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "up.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := &fullDisk{DB: db}
	cfg := parse(t, `
defaults: {failure_threshold: 1, success_threshold: 1}
subscribers: [{id: ops, url: "http://127.0.0.1:9/hook"}]
components:
  - id: web
    name: Web
    checks: [{name: home, http: {url: "http://127.0.0.1:9/"}}]
`)
	if err := syncSubscribers(ctx, st, cfg, time.Now()); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	c := &core{
		log:     discard(),
		store:   st,
		metrics: metrics.New(metrics.Options{}),
		planner: notify.Planner{PageID: "p", PageURL: "http://127.0.0.1:5010"},
		now:     func() time.Time { return clock },
	}
	if err := c.restore(ctx, specOf(cfg)); err != nil {
		t.Fatal(err)
	}

	st.full.Store(true)
	check := cfg.Checks()[0]
	c.observe(check, probe.Result{Success: false, Err: "connection refused"})
	if inc, _ := db.Incidents(ctx, store.IncidentFilter{}); len(inc) != 0 {
		t.Fatalf("incidents saved while the disk was full: %+v", inc)
	}
	if n := len(c.Snapshot().Incidents); n != 0 {
		t.Fatalf("the page shows %d incidents that are not saved", n)
	}

	st.full.Store(false)
	clock = clock.Add(time.Second)
	c.tick(ctx)
	inc, err := db.Incidents(ctx, store.IncidentFilter{})
	if err != nil || len(inc) != 1 || inc[0].Status != status.Investigating {
		t.Fatalf("after the disk recovered, incidents = %+v, %v; want one INVESTIGATING", inc, err)
	}
	pending, _ := db.PendingSubscribers(ctx)
	if pending["ops"] == 0 {
		t.Fatal("the webhooks of the refused events were lost")
	}
}
