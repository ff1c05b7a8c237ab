package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/up-status/up/status"
)

// wantOpenError opens path and expects a failure that names the path and,
// when sentinel is set, wraps it.
func wantOpenError(t *testing.T, path string, sentinel error, opts ...Option) error {
	t.Helper()
	db, err := Open(context.Background(), path, opts...)
	if err == nil {
		db.Close()
		t.Fatalf("Open(%s) succeeded", path)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error does not name the path %s: %v", path, err)
	}
	if sentinel != nil && !errors.Is(err, sentinel) {
		t.Errorf("error is not %v: %v", sentinel, err)
	}
	t.Logf("Open: %v", err)
	return err
}

func userVersion(t *testing.T, path string) int {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var v int
	if err := raw.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenCreatesAndMigrates(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "nested", "data", "up.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutComponent(ctx, status.Component{ID: "c", Name: "C"}); err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := db.r.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode %q, %v", mode, err)
	}
	var fk int
	if err := db.w.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys %d, %v", fk, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("database file mode %v, %v; want 0600 (it holds secrets)", fi.Mode(), err)
	}
	ms, err := embeddedMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if v := userVersion(t, path); v != ms[len(ms)-1].version {
		t.Errorf("user_version %d, want %d", v, ms[len(ms)-1].version)
	}

	// Reopening migrates nothing and keeps the data.
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if cs, err := db.Components(ctx); err != nil || len(cs) != 1 {
		t.Fatalf("after reopen: %+v, %v", cs, err)
	}
}

func TestMigrationUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "up.db")
	v1 := fstest.MapFS{"m/0001_init.sql": {Data: []byte(`CREATE TABLE t (a INTEGER);`)}}
	v2 := fstest.MapFS{
		"m/0001_init.sql":  v1["m/0001_init.sql"],
		"m/0002_b.sql":     {Data: []byte(`ALTER TABLE t ADD COLUMN b TEXT; INSERT INTO t VALUES (1, 'x');`)},
		"m/README.txt":     {Data: []byte(`not a migration`)},
		"m/0003_bad.sql":   {Data: []byte(`CREATE TABLE u (x); INSERT INTO t VALUES (2, 'y'); THIS IS NOT SQL;`)},
		"m/0004_after.sql": {Data: []byte(`CREATE TABLE w (x);`)},
	}
	load := func(fsys fstest.MapFS, drop ...string) []migration {
		t.Helper()
		fsys = maps(fsys)
		for _, d := range drop {
			delete(fsys, d)
		}
		ms, err := loadMigrations(fsys, "m")
		if err != nil {
			t.Fatal(err)
		}
		return ms
	}
	withMigrations := func(ms []migration) Option { return func(o *options) { o.migrations = ms } }

	db, err := Open(ctx, path, withMigrations(load(v1)))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if v := userVersion(t, path); v != 1 {
		t.Fatalf("user_version %d after v1", v)
	}
	db, err = Open(ctx, path, withMigrations(load(v2, "m/0003_bad.sql", "m/0004_after.sql")))
	if err != nil {
		t.Fatal(err)
	}
	var b string
	if err := db.r.QueryRow(`SELECT b FROM t`).Scan(&b); err != nil || b != "x" {
		t.Fatalf("after v2: %q, %v", b, err)
	}
	db.Close()

	// A failing step leaves the database at the last whole version: u
	// from the bad file must not exist.
	err = wantOpenError(t, path, nil, withMigrations(load(v2)))
	if !strings.Contains(err.Error(), "0003_bad.sql") {
		t.Errorf("error does not name the migration: %v", err)
	}
	if v := userVersion(t, path); v != 2 {
		t.Fatalf("user_version %d after a failed step, want 2", v)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var rows int
	if err := raw.QueryRow(`SELECT count(*) FROM t`).Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("the failed step left %d rows in t (%v), want 1", rows, err)
	}
	if err := raw.QueryRow(`SELECT count(*) FROM u`).Scan(&rows); err == nil {
		t.Fatal("the failed step left table u")
	}

	// Gaps and bad names are refused.
	gap := maps(v2)
	delete(gap, "m/0002_b.sql")
	if _, err := loadMigrations(gap, "m"); err == nil {
		t.Error("gap accepted")
	}
	if _, err := loadMigrations(fstest.MapFS{"m/1_x.sql": {}}, "m"); err == nil {
		t.Error("bad name accepted")
	}
}

// maps copies a MapFS so that a test can delete from it.
func maps(m fstest.MapFS) fstest.MapFS {
	c := fstest.MapFS{}
	for k, v := range m {
		c[k] = v
	}
	return c
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "up.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	wantOpenError(t, path, ErrTooNew)
	if v := userVersion(t, path); v != 999 {
		t.Fatalf("user_version changed to %d", v)
	}
}

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "up.db")
	first, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	wantOpenError(t, path, ErrLocked)
	// A symlink to the same file is the same database.
	link := filepath.Join(t.TempDir(), "link.db")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), link); !errors.Is(err, ErrLocked) {
		t.Errorf("open through a symlink: %v, want ErrLocked", err)
	}
	// The lock goes with Close.
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("after the first closed: %v", err)
	}
	second.Close()
}

func TestOpenCorrupt(t *testing.T) {
	t.Run("not a database", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "up.db")
		garbage := []byte(strings.Repeat("this is not an SQLite file\n", 400))
		if err := os.WriteFile(path, garbage, 0o600); err != nil {
			t.Fatal(err)
		}
		wantOpenError(t, path, ErrCorrupt)
		if b, _ := os.ReadFile(path); string(b) != string(garbage) {
			t.Fatal("Open changed the corrupt file")
		}
	})
	t.Run("malformed", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "up.db")
		db, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 200 {
			inc := incident("i"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('0'+i/26)), ms(int64(i)), 3)
			if err := db.Apply(context.Background(), []status.Event{incidentEvent(inc)}, nil); err != nil {
				t.Fatal(err)
			}
		}
		db.Close()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// Keep the 100-byte header (so it still looks like SQLite) and
		// smash everything from the third page on.
		pageSize := int(b[16])<<8 | int(b[17])
		if len(b) < 4*pageSize {
			t.Fatalf("database too small to damage: %d bytes", len(b))
		}
		for i := 2 * pageSize; i < len(b); i++ {
			b[i] = byte(i * 7)
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		wantOpenError(t, path, ErrCorrupt)
	})
}

func TestOpenReadOnly(t *testing.T) {
	t.Run("file", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "up.db")
		db, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		makeReadOnly(t, path, 0o444)
		wantOpenError(t, path, ErrReadOnly)
	})
	t.Run("directory", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "up.db")
		db, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		makeReadOnly(t, dir, 0o555)
		wantOpenError(t, path, ErrReadOnly)
	})
	t.Run("new file in directory", func(t *testing.T) {
		dir := t.TempDir()
		makeReadOnly(t, dir, 0o555)
		wantOpenError(t, filepath.Join(dir, "up.db"), ErrReadOnly)
	})
}

func TestOpenBadPath(t *testing.T) {
	t.Run("directory", func(t *testing.T) {
		wantOpenError(t, t.TempDir(), nil)
	})
	t.Run("under a regular file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		wantOpenError(t, filepath.Join(file, "up.db"), nil)
	})
}
