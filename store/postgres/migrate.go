package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrationFiles holds the schema, one NNNN_name.sql per version. A file,
// once released, is never edited: a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one schema step; schema_migrations has a row for every
// step applied.
type migration struct {
	version int
	name    string
	sql     string
}

// embeddedMigrations reads the migrations compiled into the binary.
func embeddedMigrations() ([]migration, error) {
	return loadMigrations(migrationFiles, "migrations")
}

// loadMigrations reads NNNN_name.sql files from dir and insists that the
// versions run 1, 2, 3... without a gap, so a file lost in a merge shows
// up as an error instead of a schema missing a step.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) != 4 {
			return nil, fmt.Errorf("migrations: %s: want NNNN_name.sql", name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations: %s: want version %04d", m.name, i+1)
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("migrations: none in %s", dir)
	}
	return ms, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
)`

// migrate brings the schema up to the last migration, each step in its
// own transaction together with its schema_migrations row, so a failure
// mid-way leaves the database at a whole version. Instances that start
// together take turns: each step locks schema_migrations before reading
// the version, so the second waits and then finds the step done. It
// refuses a database newer than the binary: running old code on a newer
// schema could write rows the newer code misreads.
func migrate(ctx context.Context, pool *pgxpool.Pool, ms []migration) error {
	if err := createMigrationsTableOnce(ctx, pool); err != nil {
		return fmt.Errorf("schema_migrations: %w", err)
	}
	latest := ms[len(ms)-1].version
	for _, m := range ms {
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			// SHARE ROW EXCLUSIVE conflicts with itself and lets plain
			// reads through; held until this step commits.
			if _, err := tx.Exec(ctx, `LOCK TABLE schema_migrations IN SHARE ROW EXCLUSIVE MODE`); err != nil {
				return err
			}
			var v int
			if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
				return err
			}
			if v > latest {
				return fmt.Errorf("%w: schema version %d, this binary knows up to %d; run a newer up or restore a backup",
					ErrTooNew, v, latest)
			}
			if v >= m.version {
				return nil
			}
			// Exec without arguments uses the simple protocol, which
			// runs a file of several statements.
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`,
				m.version, m.name); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// createMigrationsTableOnce creates schema_migrations unless it exists.
// IF NOT EXISTS does not make two sessions creating it at once safe: the
// loser fails on the catalog (a duplicate key, type or table) once the
// winner commits. Running the statement again then finds the table.
func createMigrationsTableOnce(ctx context.Context, pool *pgxpool.Pool) error {
	var err error
	for range 3 {
		_, err = pool.Exec(ctx, createMigrationsTable)
		var pe *pgconn.PgError
		if err == nil || !errors.As(err, &pe) {
			return err
		}
		switch pe.Code {
		case "23505", "42710", "42P07": // unique_violation, duplicate_object, duplicate_table
			continue
		}
		return err
	}
	return err
}
