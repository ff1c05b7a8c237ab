package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Pool is the store's connection pool, for the tables of package cluster,
// which live in the same database (migration 0002): sharing the pool keeps
// an instance within MaxConns connections.
func (d *DB) Pool() *pgxpool.Pool { return d.pool }

// errProbe rolls back Writable's transaction.
var errProbe = errors.New("rollback")

// Writable reports whether the database takes writes now: it runs a write
// that changes nothing in a transaction it rolls back. A server that is
// down or unreachable fails it, and so does one that answers but only
// reads: a standby promoted in the wrong direction after a failover, a
// database set to default_transaction_read_only. A read (SELECT 1) would
// pass in both of those cases.
func (d *DB) Writable(ctx context.Context) error {
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		// The read-only check is made when the statement starts, whether
		// or not a row matches.
		if _, err := tx.Exec(ctx, `UPDATE meta SET value = value WHERE false`); err != nil {
			return err
		}
		return errProbe
	})
	if errors.Is(err, errProbe) {
		return nil
	}
	return err
}
