// Package postgres is the store.Store kept in a PostgreSQL database, for
// instances that share one state. It has the semantics of the SQLite
// store (store/sqlite) and passes the same contract suite
// (store/storetest); its schema is migrated from SQL files embedded in
// the binary.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/up-status/up/store"
)

// ErrTooNew means the database was migrated by a newer up than this one,
// whose schema this binary does not know.
var ErrTooNew = errors.New("database schema is newer than this binary")

// MaxConns is the default and the ceiling of the pool size: every
// instance of a cluster holds a pool, and the server's connections are
// shared by all of them.
const MaxConns = 5

// PageStatusKey is the meta key under which Apply keeps the page status
// of the last PageChanged event (the same key as the SQLite store's).
const PageStatusKey = "page_status"

// DB is a store.Store in a PostgreSQL database. It is safe for concurrent
// use.
type DB struct {
	pool *pgxpool.Pool
	// name is the database as errors show it: user, host, port and
	// database, never the password.
	name string
	now  func() time.Time
	// fence, on a leader's view (Leader), starts every write transaction
	// and fails it once the lease is lost; epoch is the lease's epoch the
	// view writes the feed under. Both are zero on the DB Open returns.
	fence func(ctx context.Context, tx pgx.Tx) error
	epoch int64
	// view is set on the copies Leader makes: they share the pool, which
	// only the DB that Open returned closes.
	view bool

	closeOnce sync.Once
}

var _ store.Store = (*DB)(nil)

// Option changes how Open opens the database.
type Option func(*options)

type options struct {
	appName    string
	maxConns   int32
	now        func() time.Time
	migrations []migration
}

// WithMaxConns sets the size of the connection pool, between 1 and
// MaxConns (default MaxConns).
func WithMaxConns(n int) Option {
	return func(o *options) { o.maxConns = int32(min(max(n, 1), MaxConns)) }
}

// WithApplicationName names the connections in pg_stat_activity (unless
// the URL sets application_name), so that an operator sees which
// instance holds which.
func WithApplicationName(name string) Option {
	return func(o *options) { o.appName = name }
}

// IdleInTransactionTimeout ends a session that stays inside a
// transaction without a statement for this long. A leader paused inside
// a fenced transaction (a stopped process, a long GC) holds the lease
// row's share lock, which keeps a follower from taking over; the server
// cuts that session well before the lease's 15 s could pass twice.
const IdleInTransactionTimeout = 10 * time.Second

// WithClock sets the clock that stamps deliveries enqueued without a
// CreatedAt (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// Open connects to the database at url (postgres://user:password@host:
// port/database?..., or a key=value connection string) and migrates its
// schema to this binary's version. The pool holds at most MaxConns
// connections whatever the URL's pool_max_conns says. Errors name the
// database without its password. A database whose schema is newer than
// this binary's is refused with ErrTooNew.
func Open(ctx context.Context, url string, opts ...Option) (*DB, error) {
	o := options{maxConns: MaxConns, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.migrations == nil {
		ms, err := embeddedMigrations()
		if err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		o.migrations = ms
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse errors already hide the password; the URL itself
		// is not repeated in case it could not be parsed far enough to
		// find it.
		return nil, fmt.Errorf("open store: database URL: %w", err)
	}
	cfg.MaxConns = o.maxConns
	cfg.MinConns = 0
	params := cfg.ConnConfig.RuntimeParams
	if _, ok := params["idle_in_transaction_session_timeout"]; !ok {
		params["idle_in_transaction_session_timeout"] = strconv.FormatInt(IdleInTransactionTimeout.Milliseconds(), 10)
	}
	if _, ok := params["application_name"]; !ok && o.appName != "" {
		params["application_name"] = o.appName
	}
	d := &DB{name: describe(cfg.ConnConfig), now: o.now}
	d.pool, err = pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", d.name, err)
	}
	if err := d.pool.Ping(ctx); err != nil {
		d.pool.Close()
		return nil, fmt.Errorf("open store %s: %w", d.name, err)
	}
	if err := migrate(ctx, d.pool, o.migrations); err != nil {
		d.pool.Close()
		return nil, fmt.Errorf("open store %s: %w", d.name, err)
	}
	return d, nil
}

// describe names a database for errors and logs: postgres://user@host:port/db,
// without the password.
func describe(c *pgx.ConnConfig) string {
	u := url.URL{Scheme: "postgres", User: url.User(c.User), Path: "/" + c.Database}
	if len(c.Host) > 0 && c.Host[0] == '/' { // a Unix socket directory
		u.RawQuery = "host=" + c.Host
	} else {
		u.Host = c.Host + ":" + strconv.Itoa(int(c.Port))
	}
	s, _ := url.PathUnescape(u.String())
	return s
}

// Name is the database as errors show it, without the password.
func (d *DB) Name() string { return d.name }

// Close closes the pool, waiting for connections in use to be returned.
// It is safe to call more than once.
func (d *DB) Close() error {
	if d.view {
		return nil
	}
	d.closeOnce.Do(d.pool.Close)
	return nil
}

// querier is a pool or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// writeAttempts bounds how often write runs fn: a transaction that lost a
// deadlock or a serialization conflict to another one was rolled back
// whole and can be run again.
const writeAttempts = 5

// write runs fn in one read-committed transaction, again when PostgreSQL
// aborted it for a deadlock or a serialization failure: two engine steps
// touching the same rows in different orders must both land, as they do
// on SQLite's single writer.
func (d *DB) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	var err error
	if d.fence != nil {
		inner := fn
		fn = func(tx pgx.Tx) error {
			if err := d.fence(ctx, tx); err != nil {
				return err
			}
			return inner(tx)
		}
	}
	for attempt := range writeAttempts {
		err = pgx.BeginFunc(ctx, d.pool, fn)
		if !retryable(err) || ctx.Err() != nil {
			return err
		}
		// Back off a little so the winner can commit.
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 5 * time.Millisecond):
		}
	}
	return err
}

// retryable reports whether err is a deadlock or serialization failure.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// read runs fn in one read-only repeatable-read transaction, so that an
// object and its updates come from the same snapshot.
func (d *DB) read(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, d.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

// deleteByID runs a one-row DELETE and turns "no row" into ErrNotFound.
func (d *DB) deleteByID(ctx context.Context, what, query, id string) error {
	tag, err := d.pool.Exec(ctx, query, id)
	if err != nil {
		return fmt.Errorf("delete %s %q: %w", what, id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s %q: %w", what, id, store.ErrNotFound)
	}
	return nil
}

// limit turns "0 = no limit" into LIMIT NULL.
func limit(n int) any {
	if n <= 0 {
		return nil
	}
	return int64(n)
}
