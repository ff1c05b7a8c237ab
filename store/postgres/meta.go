package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/store"
)

// Meta reads a named value; store.ErrNotFound if it was never set.
func (d *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := d.pool.QueryRow(ctx, `SELECT value FROM meta WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("meta %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("meta %q: %w", key, err)
	}
	return v, nil
}

// SetMeta writes a named value, replacing any earlier one.
func (d *DB) SetMeta(ctx context.Context, key, value string) error {
	if err := setMeta(ctx, d.pool, key, value); err != nil {
		return fmt.Errorf("set meta %q: %w", key, err)
	}
	return nil
}

func setMeta(ctx context.Context, q querier, key, value string) error {
	_, err := q.Exec(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
