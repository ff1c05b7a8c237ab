package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Writable passes on a database that takes writes and fails, naming the
// reason, on one that only reads, where SELECT 1 would still pass.
func TestWritableFailsOnAReadOnlyDatabase(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.Writable(ctx); err != nil {
		t.Fatalf("Writable on a fresh database: %v", err)
	}
	name := db.Pool().Config().ConnConfig.Database
	conn, err := pgx.Connect(ctx, pg.Server(t).URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `ALTER DATABASE `+pgx.Identifier{name}.Sanitize()+` SET default_transaction_read_only = on`); err != nil {
		t.Fatal(err)
	}
	// The setting applies to new sessions: drop the pool's.
	db.Pool().Reset()
	if _, err := db.Pool().Exec(ctx, `SELECT 1`); err != nil {
		t.Fatalf("a read on the read-only database: %v", err)
	}
	if err := db.Writable(ctx); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("Writable on a read-only database = %v, want a read-only error", err)
	}
}
