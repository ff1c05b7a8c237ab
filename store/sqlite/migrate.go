package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// migrationFiles holds the schema, one NNNN_name.sql per version. A file,
// once released, is never edited: a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one schema step; the database's PRAGMA user_version is the
// version of the last step applied.
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
// versions run 1, 2, 3... without a gap, so a file lost in a merge shows up
// as an error instead of a schema missing a step.
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
	// fs.ReadDir sorts by name, and the fixed-width prefix makes that the
	// version order.
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

// migrate brings the schema up to the last migration, each step in its own
// transaction together with its user_version bump, so a crash mid-way
// leaves the database at a whole version. It refuses a database newer than
// the binary: running old code on a newer schema could write rows the
// newer code misreads.
func migrate(ctx context.Context, db *sql.DB, ms []migration) error {
	latest := ms[len(ms)-1].version
	for _, m := range ms {
		err := func() error {
			// The writer begins IMMEDIATE, so the version read below
			// cannot change before this transaction commits.
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer func() { _ = tx.Rollback() }()
			var v int
			if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
				return err
			}
			if v > latest {
				return fmt.Errorf("%w: schema version %d, this binary knows up to %d; run a newer up or restore a backup",
					ErrTooNew, v, latest)
			}
			if v >= m.version {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			// PRAGMA takes no bound parameters; the version is an int.
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			return tx.Commit()
		}()
		if err != nil {
			return err
		}
	}
	return nil
}
