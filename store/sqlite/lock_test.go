package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// TestOpenWhileAnotherWrites: a process that bypasses the lock file (here
// a raw connection, as the sqlite3 shell would) and holds the write lock
// makes Open fail with ErrLocked after the busy timeout, not hang.
func TestOpenWhileAnotherWrites(t *testing.T) {
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
	defer raw.Close()
	conn, err := raw.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK")
	start := time.Now()
	wantOpenError(t, path, ErrLocked, WithBusyTimeout(200*time.Millisecond))
	if waited := time.Since(start); waited > 10*time.Second {
		t.Fatalf("Open waited %v", waited)
	}
}
