package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/store"
)

const userCols = `id, name, email, role, token_hash, created_at, updated_at, from_config`

// Users lists every user in the order they were first stored.
func (d *DB) Users(ctx context.Context) ([]store.User, error) {
	rows, err := d.pool.Query(ctx, `SELECT `+userCols+` FROM users ORDER BY ord`)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	us, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.User, error) { return scanUser(r) })
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	if len(us) == 0 {
		return nil, nil
	}
	return us, nil
}

func scanUser(s pgx.Row) (store.User, error) {
	var u store.User
	err := s.Scan(&u.ID, &u.Name, &u.Email, &u.Role, &u.TokenHash,
		timeCol{&u.CreatedAt}, timeCol{&u.UpdatedAt}, &u.FromConfig)
	if len(u.TokenHash) == 0 {
		u.TokenHash = nil
	}
	return u, err
}

// PutUser creates or replaces a user by id. Two users with the same token
// hash are refused by a UNIQUE index.
func (d *DB) PutUser(ctx context.Context, u store.User) error {
	if u.ID == "" {
		return errors.New("put user: user without id")
	}
	_, err := d.pool.Exec(ctx, `INSERT INTO users (`+userCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email,
			role = excluded.role, token_hash = excluded.token_hash, created_at = excluded.created_at,
			updated_at = excluded.updated_at, from_config = excluded.from_config`,
		u.ID, u.Name, u.Email, string(u.Role), nullBytes(u.TokenHash),
		ts(u.CreatedAt), ts(u.UpdatedAt), u.FromConfig)
	if err != nil {
		return fmt.Errorf("put user %q: %w", u.ID, err)
	}
	return nil
}

// UserByTokenHash finds the user whose token hashes to h.
func (d *DB) UserByTokenHash(ctx context.Context, h []byte) (store.User, error) {
	if len(h) == 0 {
		return store.User{}, fmt.Errorf("user by token: %w", store.ErrNotFound)
	}
	u, err := scanUser(d.pool.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE token_hash = $1`, h))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.User{}, fmt.Errorf("user by token: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.User{}, fmt.Errorf("user by token: %w", err)
	}
	return u, nil
}

// DeleteUser deletes a user; store.ErrNotFound if there is none.
func (d *DB) DeleteUser(ctx context.Context, id string) error {
	return d.deleteByID(ctx, "user", `DELETE FROM users WHERE id = $1`, id)
}
