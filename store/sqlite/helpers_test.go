package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// openTest opens a fresh database in a temporary directory and closes it
// when the test ends.
func openTest(t testing.TB, opts ...Option) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "up.db"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

// ms is a fixed instant plus n milliseconds, in UTC as the store returns
// times.
func ms(n int64) time.Time {
	return time.Date(2026, 11, 26, 21, 14, 42, 123_000_000, time.UTC).Add(time.Duration(n) * time.Millisecond)
}

// incident builds an incident with n updates, newest first.
func incident(id string, created time.Time, n int) status.Incident {
	inc := status.Incident{
		ID:         id,
		Name:       "Website is down",
		Status:     status.Investigating,
		Impact:     status.MajorOutage,
		Components: []string{"website", "api"},
		Auto:       true,
		CreatedAt:  created,
		UpdatedAt:  created.Add(time.Duration(n) * time.Second),
	}
	for i := n - 1; i >= 0; i-- {
		inc.Updates = append(inc.Updates, status.IncidentUpdate{
			ID:         id + "-u" + string(rune('a'+i)),
			IncidentID: id,
			Body:       "update body",
			Status:     status.Investigating,
			CreatedAt:  created.Add(time.Duration(i) * time.Second),
			UpdatedAt:  created.Add(time.Duration(i) * time.Second),
		})
	}
	return inc
}

func incidentEvent(inc status.Incident) status.Event {
	return status.Event{Kind: status.IncidentChanged, At: inc.UpdatedAt, Incident: &inc,
		Page: status.Page{Status: status.PageHasIssues}}
}

func delivery(id, subscriber string) store.Delivery {
	return store.Delivery{ID: id, Subscriber: subscriber, Event: "incident", Payload: []byte(`{"id":"` + id + `"}`)}
}
