package notify

import (
	"path/filepath"
	"testing"

	"github.com/up-status/up/store/sqlite"
)

// newTestStore opens a fresh SQLite store: the tests run the outbox they
// will run in production, not a stand-in.
func newTestStore(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "up.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return db
}
