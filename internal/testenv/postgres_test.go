package testenv

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestPostgresServer starts a server, uses two databases of it and stops
// it: the directory must be gone and the socket refuse connections.
func TestPostgresServer(t *testing.T) {
	var pg Postgres
	start := time.Now()
	srv := pg.Server(t)
	t.Logf("initdb and start took %v", time.Since(start))
	ctx := context.Background()
	var urls []string
	for range 2 {
		start := time.Now()
		urls = append(urls, srv.CreateDatabase(t))
		t.Logf("CREATE DATABASE took %v", time.Since(start))
	}
	for i, u := range urls {
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, "CREATE TABLE t (n int)"); err != nil {
			t.Fatalf("database %d: %v", i, err)
		}
		var fsync, listen string
		if err := conn.QueryRow(ctx, "SELECT current_setting('fsync'), current_setting('listen_addresses')").Scan(&fsync, &listen); err != nil {
			t.Fatal(err)
		}
		if fsync != "off" || listen != "" {
			t.Errorf("fsync=%q listen_addresses=%q, want off and none", fsync, listen)
		}
		conn.Close(ctx)
	}
	pg.Stop()
	if _, err := os.Stat(srv.SocketDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("server directory left behind: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if conn, err := pgx.Connect(ctx, urls[0]); err == nil {
		conn.Close(ctx)
		t.Fatal("server still accepts connections after Stop")
	}
}

// TestPostgresRestart restarts a server under an open session: the
// session is cut, the data stays, and new sessions connect on the same
// URL.
func TestPostgresRestart(t *testing.T) {
	var pg Postgres
	t.Cleanup(pg.Stop)
	srv := pg.Server(t)
	url := srv.CreateDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE TABLE t (n int); INSERT INTO t VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	t.Logf("restart took %v", time.Since(start))
	if _, err := conn.Exec(ctx, "SELECT 1"); err == nil {
		t.Fatal("a session from before the restart still works")
	}
	again, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connecting after the restart: %v", err)
	}
	defer again.Close(ctx)
	var n int
	if err := again.QueryRow(ctx, "SELECT n FROM t").Scan(&n); err != nil || n != 42 {
		t.Fatalf("after the restart: %d, %v; want the row written before", n, err)
	}
	// The server still makes databases: its admin session came back too.
	srv.CreateDatabase(t)
}
