package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/up-status/up/store/storetest"
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

// The builders of the contract suite, under the names this package's own
// tests use.
var (
	ms            = storetest.At
	incident      = storetest.Incident
	incidentEvent = storetest.IncidentEvent
	delivery      = storetest.Delivery
)
