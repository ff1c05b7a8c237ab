package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/internal/testenv"
)

// The throwaway PostgreSQL the cluster shares: the tests' server
// (initdb into a temporary directory, run as the postgres user when this
// runs as root, fsync off, a Unix socket only), with pg_stat_statements
// loaded when the contrib module is installed.

// dbName is the database the instances share.
const dbName = "bench"

// database is the running server and the bench's database on it.
type database struct {
	srv        *testenv.PostgresServer
	url        string
	version    string
	statements bool   // pg_stat_statements is loaded and created
	whyNot     string // why it is not, when it is not
}

// startDatabase starts the server and creates the database. The server
// dies with this process even if it is killed (the starter sets a parent
// death signal); only a kill leaves its directory behind.
func startDatabase(ctx context.Context) (*database, error) {
	srv, err := testenv.StartPostgres()
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, testenv.PostgresInstall)
	}
	d := &database{srv: srv, url: srv.URL(dbName)}
	if err := d.exec(ctx, "postgres", "CREATE DATABASE "+dbName); err != nil {
		_ = srv.Stop()
		return nil, err
	}
	// The module is in contrib, beside the server on Debian; a server
	// asked to preload a module it lacks would not start again.
	bin, _ := testenv.PostgresBinDir()
	if _, err := os.Stat(filepath.Join(filepath.Dir(bin), "lib", "pg_stat_statements.so")); err != nil {
		d.whyNot = "pg_stat_statements.so not found beside " + bin
	} else if err := d.loadStatements(ctx); err != nil {
		_ = srv.Stop()
		return nil, err
	}
	_ = d.query(ctx, "SHOW server_version", &d.version)
	return d, nil
}

// loadStatements loads pg_stat_statements: shared_preload_libraries is
// read at start only, so it sets it and restarts the server.
func (d *database) loadStatements(ctx context.Context) error {
	err := d.exec(ctx, "postgres", "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
	if err == nil {
		err = d.srv.Restart()
	}
	if err == nil {
		err = d.exec(ctx, dbName, "CREATE EXTENSION pg_stat_statements")
	}
	d.statements = err == nil
	return err
}

func (d *database) exec(ctx context.Context, db, sql string) error {
	conn, err := pgx.Connect(ctx, d.srv.URL(db))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

func (d *database) query(ctx context.Context, sql string, dest ...any) error {
	conn, err := pgx.Connect(ctx, d.url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.QueryRow(ctx, sql).Scan(dest...)
}

// stop shuts the server down and removes its directory.
func (d *database) stop() {
	if err := d.srv.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
}

// dbCounters are the database's cumulative counters in pg_stat_database.
type dbCounters struct {
	commits, rollbacks            int64
	inserted, updated, deleted    int64
	statementCalls, statementRows int64 // pg_stat_statements, since its last reset
	topStatements                 []statement
	at                            time.Time
}

// statement is one normalized statement of pg_stat_statements.
type statement struct {
	query string
	calls int64
}

// resetStatements zeroes pg_stat_statements, so that what it holds at
// the end of a window is that window's.
func (d *database) resetStatements(ctx context.Context) error {
	if !d.statements {
		return nil
	}
	var ignore any
	return d.query(ctx, "SELECT pg_stat_statements_reset()", &ignore)
}

// counters reads the counters. pg_stat_database lags by up to the stats
// flush interval (a second), which a window of minutes absorbs.
func (d *database) counters(ctx context.Context) (dbCounters, error) {
	c := dbCounters{at: time.Now()}
	err := d.query(ctx, `SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted
		FROM pg_stat_database WHERE datname = current_database()`,
		&c.commits, &c.rollbacks, &c.inserted, &c.updated, &c.deleted)
	if err != nil || !d.statements {
		return c, err
	}
	conn, err := pgx.Connect(ctx, d.url)
	if err != nil {
		return c, err
	}
	defer conn.Close(ctx)
	// The bench's own statements read pg_stat_*: left out.
	rows, err := conn.Query(ctx, `SELECT query, calls, rows FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND query NOT LIKE '%pg_stat%' ORDER BY calls DESC`)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var s statement
		var n int64
		if err := rows.Scan(&s.query, &s.calls, &n); err != nil {
			return c, err
		}
		c.statementCalls += s.calls
		c.statementRows += n
		if len(c.topStatements) < 6 {
			c.topStatements = append(c.topStatements, s)
		}
	}
	return c, rows.Err()
}

// cpu is the user+system time of the postmaster and all its processes
// (backends, checkpointer, WAL writer, autovacuum): its own and its
// reaped children's, plus those alive now. A backend that ends inside a
// window is counted through the postmaster's children's time.
func (d *database) cpu() (time.Duration, error) {
	b, err := os.ReadFile(filepath.Join(d.srv.SocketDir(), "data", "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	pm, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		return 0, fmt.Errorf("postmaster.pid: %w", err)
	}
	st, err := readStat(pm)
	if err != nil {
		return 0, err
	}
	total := st.utime + st.stime + st.cutime + st.cstime
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		pid, _ := strconv.Atoi(filepath.Base(p))
		if s, err := readStat(pid); err == nil && s.ppid == pm {
			total += s.utime + s.stime
		}
	}
	return ticks(total), nil
}
