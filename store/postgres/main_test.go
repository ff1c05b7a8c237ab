package postgres

import (
	"context"
	"os"
	"testing"

	"github.com/up-status/up/internal/testenv"
	"github.com/up-status/up/store/storetest"
)

// pg is the server this test binary starts on first use and stops when
// the tests are done.
var pg testenv.Postgres

func TestMain(m *testing.M) {
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

// openTest opens the store on a new database of its own, copied from a
// template migrated once, and closes it when the test ends.
func openTest(t testing.TB, opts ...Option) *DB {
	t.Helper()
	srv := pg.Server(t)
	tmpl := srv.Template(t, "store_template", func(url string) error {
		db, err := Open(context.Background(), url)
		if err != nil {
			return err
		}
		return db.Close()
	})
	db, err := Open(context.Background(), srv.CreateDatabaseFrom(t, tmpl), opts...)
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

// The builders of the contract suite.
var (
	ms            = storetest.At
	incident      = storetest.Incident
	incidentEvent = storetest.IncidentEvent
	delivery      = storetest.Delivery
)
