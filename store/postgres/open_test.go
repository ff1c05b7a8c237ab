package postgres

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/status"
)

// versions lists schema_migrations, oldest first.
func versions(t *testing.T, url string) []int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestOpenCreatesAndMigrates(t *testing.T) {
	ctx := context.Background()
	url := pg.Server(t).CreateDatabase(t)
	db, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutComponent(ctx, status.Component{ID: "c", Name: "C"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	ms, err := embeddedMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if vs := versions(t, url); len(vs) != len(ms) || vs[len(vs)-1] != ms[len(ms)-1].version {
		t.Fatalf("schema_migrations %v, want 1..%d", vs, ms[len(ms)-1].version)
	}
	// Reopening migrates nothing and keeps the data.
	db, err = Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if cs, err := db.Components(ctx); err != nil || len(cs) != 1 {
		t.Fatalf("after reopen: %+v, %v", cs, err)
	}
	if vs := versions(t, url); len(vs) != len(ms) {
		t.Fatalf("schema_migrations after reopen: %v", vs)
	}
}

func TestMigrationUpgrade(t *testing.T) {
	ctx := context.Background()
	url := pg.Server(t).CreateDatabase(t)
	fsys := fstest.MapFS{
		"m/0001_init.sql":  {Data: []byte(`CREATE TABLE t (a integer);`)},
		"m/0002_b.sql":     {Data: []byte(`ALTER TABLE t ADD COLUMN b text; INSERT INTO t VALUES (1, 'x');`)},
		"m/README.txt":     {Data: []byte(`not a migration`)},
		"m/0003_bad.sql":   {Data: []byte(`CREATE TABLE u (x int); INSERT INTO t VALUES (2, 'y'); THIS IS NOT SQL;`)},
		"m/0004_after.sql": {Data: []byte(`CREATE TABLE w (x int);`)},
	}
	load := func(upTo int) []migration {
		t.Helper()
		ms, err := loadMigrations(fsys, "m")
		if err != nil {
			t.Fatal(err)
		}
		return ms[:upTo]
	}
	withMigrations := func(ms []migration) Option { return func(o *options) { o.migrations = ms } }
	for _, upTo := range []int{1, 2} {
		db, err := Open(ctx, url, withMigrations(load(upTo)))
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	if vs := versions(t, url); len(vs) != 2 {
		t.Fatalf("schema_migrations %v after two steps", vs)
	}

	// A failing step leaves the database at the last whole version: u
	// from the bad file must not exist, nor its row in t.
	_, err := Open(ctx, url, withMigrations(load(4)))
	if err == nil || !strings.Contains(err.Error(), "0003_bad.sql") || !strings.Contains(err.Error(), "/test_") {
		t.Fatalf("Open = %v, want an error naming the migration and the database", err)
	}
	if vs := versions(t, url); len(vs) != 2 {
		t.Fatalf("schema_migrations %v after a failed step, want [1 2]", vs)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var rows int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM t`).Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("the failed step left %d rows in t (%v), want 1", rows, err)
	}
	var u *string
	if err := conn.QueryRow(ctx, `SELECT to_regclass('u')::text`).Scan(&u); err != nil || u != nil {
		t.Fatalf("the failed step left table u (%v)", err)
	}

	gap := fstest.MapFS{"m/0001_a.sql": fsys["m/0001_init.sql"], "m/0003_c.sql": fsys["m/0004_after.sql"]}
	if _, err := loadMigrations(gap, "m"); err == nil {
		t.Error("gap accepted")
	}
	if _, err := loadMigrations(fstest.MapFS{"m/1_x.sql": {}}, "m"); err == nil {
		t.Error("bad name accepted")
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	url := pg.Server(t).CreateDatabase(t)
	db, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES (999, '0999_future.sql')`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, url); !errors.Is(err, ErrTooNew) {
		t.Fatalf("Open = %v, want ErrTooNew", err)
	}
}

// TestConcurrentOpenMigratesOnce: instances starting together on a new
// database all come up, and every step ran once. The race over creating
// schema_migrations is narrow, so it is run on several databases.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	ctx := context.Background()
	ms, err := embeddedMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		url := pg.Server(t).CreateDatabase(t)
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				db, err := Open(ctx, url)
				if err == nil {
					err = db.Close()
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if vs := versions(t, url); len(vs) != len(ms) {
			t.Fatalf("schema_migrations %v, want each of %d steps once", vs, len(ms))
		}
	}
}

// TestOpenErrorsNameTheDatabase: a database that is not there, a server
// that is not there and a URL that does not parse all give an error that
// says which database, and never the password.
func TestOpenErrorsNameTheDatabase(t *testing.T) {
	srv := pg.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, tc := range []struct {
		url, want string
	}{
		{"postgres://postgres:s3cret@/nosuchdb?host=" + srv.SocketDir(), "nosuchdb"},
		{"postgres://postgres:s3cret@/up?host=" + t.TempDir() + "&connect_timeout=5", "up"},
		{"postgres://postgres:s3cret@localhost:notaport/up", "database URL"},
	} {
		_, err := Open(ctx, tc.url)
		if err == nil {
			t.Fatalf("Open(%s) succeeded", tc.url)
		}
		if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open: %v; want it to name %q and hide the password", err, tc.want)
		}
		t.Logf("Open: %v", err)
	}
}

// TestPoolSize: the pool stays within the cluster budget whatever is
// asked for.
func TestPoolSize(t *testing.T) {
	for _, tc := range []struct {
		opts []Option
		want int32
	}{{nil, MaxConns}, {[]Option{WithMaxConns(2)}, 2}, {[]Option{WithMaxConns(50)}, MaxConns}} {
		db := openTest(t, tc.opts...)
		if got := db.pool.Config().MaxConns; got != tc.want {
			t.Errorf("MaxConns %d, want %d", got, tc.want)
		}
	}
}

// Every connection cuts a session left idle inside a transaction, so a
// paused leader cannot hold the lease row's lock for long, and carries
// the instance's name for pg_stat_activity.
func TestSessionSettings(t *testing.T) {
	db := openTest(t, WithApplicationName("up/node-1"))
	ctx := context.Background()
	var idle, app string
	if err := db.pool.QueryRow(ctx, `SELECT current_setting('idle_in_transaction_session_timeout'), current_setting('application_name')`).Scan(&idle, &app); err != nil {
		t.Fatal(err)
	}
	if idle != "10s" || app != "up/node-1" {
		t.Fatalf("idle_in_transaction_session_timeout %q, application_name %q; want 10s and up/node-1", idle, app)
	}
}
