package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/up-status/up/store"
)

const userCols = `id, name, email, role, token_hash, created_at, updated_at, from_config`

// Users lists every user in the order they were first stored.
func (d *DB) Users(ctx context.Context) ([]store.User, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY rowid`)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	defer rows.Close()
	var us []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("users: %w", err)
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return us, nil
}

func scanUser(s scanner) (store.User, error) {
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
	_, err := d.w.ExecContext(ctx, `INSERT INTO users (`+userCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email,
			role = excluded.role, token_hash = excluded.token_hash, created_at = excluded.created_at,
			updated_at = excluded.updated_at, from_config = excluded.from_config`,
		u.ID, u.Name, u.Email, string(u.Role), nullBytes(u.TokenHash),
		msTime(u.CreatedAt), msTime(u.UpdatedAt), u.FromConfig)
	if err != nil {
		return fmt.Errorf("put user %q: %w", u.ID, err)
	}
	return nil
}

// UserByTokenHash finds the user whose token hashes to h. An index lookup
// on the hash leaks nothing useful through timing: the hash is of a random
// token and cannot be turned back into it.
func (d *DB) UserByTokenHash(ctx context.Context, h []byte) (store.User, error) {
	if len(h) == 0 {
		return store.User{}, fmt.Errorf("user by token: %w", store.ErrNotFound)
	}
	u, err := scanUser(d.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE token_hash = ?`, h))
	if errors.Is(err, sql.ErrNoRows) {
		return store.User{}, fmt.Errorf("user by token: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.User{}, fmt.Errorf("user by token: %w", err)
	}
	return u, nil
}

// DeleteUser deletes a user; store.ErrNotFound if there is none.
func (d *DB) DeleteUser(ctx context.Context, id string) error {
	return d.deleteByID(ctx, "user", `DELETE FROM users WHERE id = ?`, id)
}
