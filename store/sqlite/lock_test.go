package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// TestConcurrentUse writes from several goroutines while others read:
// writers queue on the one write connection, so none of them may see
// SQLITE_BUSY, and readers see whole steps only (an incident never
// without its updates).
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, WithReadConns(3))
	const writers, steps = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*steps+16)
	for w := range writers {
		wg.Go(func() {
			for i := range steps {
				id := fmt.Sprintf("w%d-%d", w, i)
				err := db.Apply(ctx, []status.Event{incidentEvent(incident(id, ms(int64(i)), 3))},
					[]store.Delivery{delivery(id, fmt.Sprintf("s%d", w))})
				if err == nil {
					err = db.AddUptime(ctx, []store.UptimeSample{{CheckID: "c", Hour: ms(0), Up: time.Second}})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for n := 0; n < 10_000; n++ {
				select {
				case <-stop:
					return
				default:
				}
				incs, err := db.Incidents(ctx, store.IncidentFilter{Limit: 20})
				if err != nil {
					errs <- err
					return
				}
				for _, i := range incs {
					if len(i.Updates) != 3 {
						errs <- fmt.Errorf("read %s with %d updates", i.ID, len(i.Updates))
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got, _ := db.PendingSubscribers(ctx); len(got) != writers || got["s0"] != steps {
		t.Fatalf("pending: %v", got)
	}
	if h, _ := db.Uptime(ctx, "c", time.Time{}, time.Time{}); len(h) != 1 || h[0].Up != writers*steps*time.Second {
		t.Fatalf("uptime: %+v", h)
	}
}

// TestOpenWhileAnotherWrites: a process that bypasses the lock file (here
// a raw connection, as the sqlite3 shell would) and holds the write lock
// makes Open fail with ErrLocked after the busy timeout, not hang.
func TestOpenWhileAnotherWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "up.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	conn, err := raw.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK")
	start := time.Now()
	wantOpenError(t, path, ErrLocked, WithBusyTimeout(200*time.Millisecond))
	if waited := time.Since(start); waited > 10*time.Second {
		t.Fatalf("Open waited %v", waited)
	}
}
