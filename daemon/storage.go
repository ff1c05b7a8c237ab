package daemon

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/up-status/up/config"
	"github.com/up-status/up/store"
	"github.com/up-status/up/store/postgres"
	"github.com/up-status/up/store/sqlite"
)

// defaultDatabaseCheck is how often an instance on PostgreSQL checks that
// the database takes writes, for /readyz and uptime_database_up.
const defaultDatabaseCheck = 5 * time.Second

// openStore opens the store the config chooses, and names it for logs and
// errors: the SQLite file, or the database without its password.
// instance is this instance's name in a cluster ("" outside one).
func openStore(ctx context.Context, cfg *config.Config, instance string) (store.Store, *postgres.DB, string, error) {
	if url := string(cfg.Storage.Postgres); url != "" {
		opts := []postgres.Option{postgres.WithApplicationName("up")}
		if cfg.Cluster != nil {
			// The read side holds one more connection, outside the pool,
			// to LISTEN: the budget stays at MaxConns per instance.
			opts = []postgres.Option{postgres.WithMaxConns(postgres.MaxConns - 1), postgres.WithApplicationName("up/" + instance)}
		}
		db, err := postgres.Open(ctx, url, opts...)
		if err != nil {
			// pgx's errors leave the password out; the config's redaction
			// covers any other part that came from the environment.
			return nil, nil, "", fmt.Errorf("storage.postgres: %s", cfg.Redact(err.Error()))
		}
		return db, db, db.Name(), nil
	}
	db, err := sqlite.Open(ctx, cfg.Storage.Path)
	if err != nil {
		return nil, nil, "", fmt.Errorf("storage.path: %w", err)
	}
	return db, nil, cfg.Storage.Path, nil
}

// databaseHealth is the outcome of the last write check of a PostgreSQL
// store. The pipeline's own write errors say the same only when it has
// something to write; this says it within one check of a failover to a
// read-only server or a lost network, while nothing changes.
type databaseHealth struct {
	err atomic.Pointer[error]
}

func (h *databaseHealth) set(err error) { h.err.Store(&err) }

// Err is the last check's error, nil while the database takes writes.
func (h *databaseHealth) Err() error {
	if p := h.err.Load(); p != nil {
		return *p
	}
	return nil
}

// watchDatabase checks db every interval until ctx ends.
func (d *Daemon) watchDatabase(ctx context.Context, db *postgres.DB, every time.Duration) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
		cctx, cancel := context.WithTimeout(ctx, min(every, 3*time.Second))
		err := db.Writable(cctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		was := d.dbHealth.Err()
		d.dbHealth.set(err)
		switch {
		case err != nil && was == nil:
			d.log.Error("the database does not take writes", "store", d.storeName, "err", d.shown.Load().Redact(err.Error()))
		case err == nil && was != nil:
			d.log.Info("the database takes writes again", "store", d.storeName)
		}
	}
}
