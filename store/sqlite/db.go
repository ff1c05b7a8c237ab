// Package sqlite is the embedded implementation of store.Store: one SQLite
// file in WAL mode, written through a single connection and read through a
// small pool, with its schema migrated from SQL files embedded in the
// binary.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	sqlitedriver "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/up-status/up/store"
)

// Faults that Open reports, wrapped with the path and the cause. They let
// the daemon say what to fix instead of starting on an empty state.
var (
	// ErrLocked means another process (or another DB in this one) has the
	// database open.
	ErrLocked = errors.New("database is in use by another process")
	// ErrReadOnly means the file or its directory cannot be written.
	ErrReadOnly = errors.New("database is not writable")
	// ErrCorrupt means the file is not an SQLite database or fails its
	// integrity check.
	ErrCorrupt = errors.New("database is corrupt")
	// ErrTooNew means the database was migrated by a newer up than this
	// one, whose schema this binary does not know.
	ErrTooNew = errors.New("database schema is newer than this binary")
)

// DB is a store.Store kept in one SQLite file. It is safe for concurrent
// use.
type DB struct {
	path string
	// w has exactly one connection. Every write goes through it, so
	// writers queue in database/sql (honouring their contexts) instead of
	// colliding inside SQLite and sleeping in its busy handler. One pool
	// with _txlock=immediate would serialize writes too, but it would
	// make every read transaction take the write lock as well.
	w *sql.DB
	// r is a pool of query_only connections: under WAL, readers see the
	// last commit and never wait for the writer.
	r    *sql.DB
	lock *os.File
	now  func() time.Time
	// ready is set once Open succeeded; Close only tidies up a database
	// it was allowed to use.
	ready bool

	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*DB)(nil)

// Option changes how Open opens the database.
type Option func(*options)

type options struct {
	busyTimeout time.Duration
	fullSync    bool
	readConns   int
	now         func() time.Time
	migrations  []migration
}

// WithBusyTimeout sets how long a statement waits for a lock held by
// another connection before failing (default 5s). Our own writes never
// wait on each other in SQLite; this covers checkpoints and tools such as
// the sqlite3 shell holding the file.
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) { o.busyTimeout = d }
}

// WithFullSync makes every commit fsync the write-ahead log (PRAGMA
// synchronous=FULL), so that commits also survive power loss and kernel
// crashes, at the cost of one fsync per write transaction. Without it a
// commit survives any crash of the process (see Open).
func WithFullSync() Option {
	return func(o *options) { o.fullSync = true }
}

// WithReadConns sets the size of the read pool (default: GOMAXPROCS, at
// least 2).
func WithReadConns(n int) Option {
	return func(o *options) { o.readConns = n }
}

// WithClock sets the clock that stamps deliveries enqueued without a
// CreatedAt (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// Open opens or creates the database at path, creating its directory if
// needed, and migrates its schema to this binary's version.
//
// It refuses, with an error naming the path, a database that another
// process has open (ErrLocked), that cannot be written (ErrReadOnly), that
// is not a database or fails PRAGMA quick_check (ErrCorrupt), or whose
// schema is newer than this binary's (ErrTooNew). A fault never leads to a
// fresh empty database in its place.
//
// Durability: the journal is WAL with synchronous=NORMAL. A commit is
// appended to the -wal file with write(2) before it returns, so it lives in
// the kernel's page cache and survives kill -9, a panic or the OOM killer;
// what NORMAL skips is the fsync at each commit, so only power loss or a
// kernel crash can take back the last commits (never corrupting the file:
// WAL recovery stops at the last complete commit). WithFullSync closes that
// gap too.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	o := options{
		busyTimeout: 5 * time.Second,
		readConns:   max(2, runtime.GOMAXPROCS(0)),
		now:         time.Now,
	}
	for _, opt := range opts {
		opt(&o)
	}
	o.readConns = max(1, o.readConns) // 0 would mean no limit to database/sql
	if path == "" {
		return nil, errors.New("open store: empty path")
	}
	if o.migrations == nil {
		ms, err := embeddedMigrations()
		if err != nil {
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
		o.migrations = ms
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	d, err := open(ctx, abs, o)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	return d, nil
}

func open(ctx context.Context, path string, o options) (_ *DB, err error) {
	if err := prepareFile(path); err != nil {
		return nil, err
	}
	// Lock the real file, not a symlink's name: two paths to one database
	// must not both get in.
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	lock, err := lockFile(path + ".lock")
	if err != nil {
		return nil, err
	}
	d := &DB{path: path, lock: lock, now: o.now}
	defer func() {
		if err != nil {
			_ = d.Close()
		}
	}()
	if err := checkWritable(path); err != nil {
		return nil, err
	}

	syncMode := "NORMAL"
	if o.fullSync {
		syncMode = "FULL"
	}
	busy := strconv.FormatInt(o.busyTimeout.Milliseconds(), 10)
	d.w, err = sql.Open("sqlite", dsn(path, url.Values{
		"mode": {"rwc"},
		"_pragma": {
			"busy_timeout(" + busy + ")",
			"foreign_keys(1)",
			"journal_mode(WAL)",
			"synchronous(" + syncMode + ")",
			// Keep the -wal file from staying huge after one big
			// transaction (e.g. a large metric import).
			"journal_size_limit(67108864)",
		},
		// Take the write lock at BEGIN: a transaction that read first and
		// then failed to upgrade would fail with SQLITE_BUSY at once,
		// whatever the busy timeout.
		"_txlock": {"immediate"},
	}))
	if err != nil {
		return nil, err
	}
	d.w.SetMaxOpenConns(1)
	d.w.SetMaxIdleConns(1)
	d.w.SetConnMaxLifetime(0)
	d.w.SetConnMaxIdleTime(0)

	if err := quickCheck(ctx, d.w); err != nil {
		return nil, classify(err)
	}
	if err := migrate(ctx, d.w, o.migrations); err != nil {
		return nil, classify(err)
	}

	d.r, err = sql.Open("sqlite", dsn(path, url.Values{
		"mode": {"rw"},
		"_pragma": {
			"busy_timeout(" + busy + ")",
			"foreign_keys(1)",
			// A read connection that tried to write would take the write
			// lock beside the writer connection; make that an error.
			"query_only(1)",
		},
	}))
	if err != nil {
		return nil, err
	}
	d.r.SetMaxOpenConns(o.readConns)
	d.r.SetMaxIdleConns(o.readConns)
	if err := d.r.PingContext(ctx); err != nil {
		return nil, classify(err)
	}
	d.ready = true
	return d, nil
}

// dsn builds a file: URI, which keeps paths with '?' or '#' intact and lets
// SQLite see mode=.
func dsn(path string, q url.Values) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	return u.String()
}

// prepareFile creates the directory and, with mode 0600 because it holds
// webhook secrets, the database file. Creating it here instead of letting
// SQLite do so also gives a plain error for a path that is a directory or
// lies under a regular file.
func prepareFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return classifyOS(fmt.Errorf("create directory: %w", err))
	}
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return errors.New("path is a directory, not a database file")
	case err == nil && !fi.Mode().IsRegular():
		return fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	case errors.Is(err, fs.ErrNotExist):
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return classifyOS(fmt.Errorf("create file: %w", err))
		}
		if f != nil {
			return f.Close()
		}
		return nil
	case err != nil:
		return classifyOS(err)
	}
	return nil
}

// checkWritable makes a read-only file or directory an error at Open. SQLite
// itself would quietly open a write-protected file read-only and fail only
// at the first write, and needs the directory for its -wal and -shm files.
func checkWritable(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return classifyOS(err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	probe, err := os.CreateTemp(filepath.Dir(path), ".up-write-check-*")
	if err != nil {
		return classifyOS(fmt.Errorf("directory: %w", err))
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// quickCheck runs PRAGMA quick_check: it reads every page (O(size), a
// fraction of a second for a status store) and catches a damaged file at
// start instead of at the first query that touches the bad page.
func quickCheck(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, "PRAGMA quick_check(10)")
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: quick_check: %s", ErrCorrupt, strings.Join(problems, "; "))
	}
	return nil
}

// classify tags an SQLite error with the Open fault it stands for.
func classify(err error) error {
	var se *sqlitedriver.Error
	if !errors.As(err, &se) {
		return classifyOS(err)
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM:
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("%w: %w", ErrLocked, err)
	}
	return err
}

// classifyOS tags permission and read-only-filesystem errors.
func classifyOS(err error) error {
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	}
	return err
}

// Path is the absolute path of the database file.
func (d *DB) Path() string { return d.path }

// Close closes the connections, the writer last so that it checkpoints the
// WAL into the main file, then releases the lock. It is safe to call more
// than once.
func (d *DB) Close() error {
	d.closeOnce.Do(func() {
		var errs []error
		if d.r != nil {
			errs = append(errs, d.r.Close())
		}
		if d.w != nil {
			if d.ready {
				// Lets SQLite refresh the statistics its planner uses;
				// cheap when nothing changed. Never on a database Open
				// refused (corrupt, newer): that one stays untouched.
				_, _ = d.w.Exec("PRAGMA optimize")
			}
			errs = append(errs, d.w.Close())
		}
		if d.lock != nil {
			errs = append(errs, d.lock.Close())
		}
		if err := errors.Join(errs...); err != nil {
			d.closeErr = fmt.Errorf("close store %s: %w", d.path, err)
		}
	})
	return d.closeErr
}

// write runs fn in one transaction on the writer connection.
func (d *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// read runs fn in one read transaction, so that an object and its updates
// come from the same snapshot.
func (d *DB) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.r.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	return fn(tx)
}
