package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/up-status/up/store"
)

// Meta reads a named value; store.ErrNotFound if it was never set.
func (d *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := d.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("meta %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("meta %q: %w", key, err)
	}
	return v, nil
}

// SetMeta writes a named value, replacing any earlier one.
func (d *DB) SetMeta(ctx context.Context, key, value string) error {
	if err := setMeta(ctx, d.w, key, value); err != nil {
		return fmt.Errorf("set meta %q: %w", key, err)
	}
	return nil
}

func setMeta(ctx context.Context, ex execer, key, value string) error {
	_, err := ex.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
