package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

const componentCols = `id, name, description, group_id, status, checks, override,
	override_until, created_at, updated_at, from_config`

// Components lists every component in the order they were first stored,
// which is the config's order for components that come from it.
func (d *DB) Components(ctx context.Context) ([]status.Component, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT `+componentCols+` FROM components ORDER BY rowid`)
	if err != nil {
		return nil, fmt.Errorf("components: %w", err)
	}
	defer rows.Close()
	var cs []status.Component
	for rows.Next() {
		c, err := scanComponent(rows)
		if err != nil {
			return nil, fmt.Errorf("components: %w", err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("components: %w", err)
	}
	return cs, nil
}

func scanComponent(s scanner) (status.Component, error) {
	var c status.Component
	err := s.Scan(&c.ID, &c.Name, &c.Description, &c.Group, &c.Status, listCol{&c.Checks},
		&c.Override, timeCol{&c.OverrideUntil}, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}, &c.FromConfig)
	return c, err
}

// PutComponent creates or replaces a component by id.
func (d *DB) PutComponent(ctx context.Context, c status.Component) error {
	err := d.write(ctx, func(tx *sql.Tx) error { return putComponent(ctx, tx, &c) })
	if err != nil {
		return fmt.Errorf("put component %q: %w", c.ID, err)
	}
	return nil
}

// putComponent upserts with ON CONFLICT DO UPDATE rather than INSERT OR
// REPLACE, which would delete the row first and give it a new rowid (and
// so a new place in the list).
func putComponent(ctx context.Context, ex execer, c *status.Component) error {
	if c.ID == "" {
		return errors.New("component without id")
	}
	checks, err := idList(c.Checks)
	if err != nil {
		return err
	}
	_, err = ex.ExecContext(ctx, `INSERT INTO components (`+componentCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
			group_id = excluded.group_id, status = excluded.status, checks = excluded.checks,
			override = excluded.override, override_until = excluded.override_until,
			created_at = excluded.created_at, updated_at = excluded.updated_at,
			from_config = excluded.from_config`,
		c.ID, c.Name, c.Description, c.Group, string(c.Status), checks, string(c.Override),
		msTime(c.OverrideUntil), msTime(c.CreatedAt), msTime(c.UpdatedAt), c.FromConfig)
	return err
}

// DeleteComponent deletes a component; store.ErrNotFound if there is none.
func (d *DB) DeleteComponent(ctx context.Context, id string) error {
	return d.deleteByID(ctx, "component", `DELETE FROM components WHERE id = ?`, id)
}

// deleteByID runs a one-row DELETE and turns "no row" into ErrNotFound.
func (d *DB) deleteByID(ctx context.Context, what, query, id string) error {
	res, err := d.w.ExecContext(ctx, query, id)
	if err != nil {
		return fmt.Errorf("delete %s %q: %w", what, id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete %s %q: %w", what, id, err)
	} else if n == 0 {
		return fmt.Errorf("%s %q: %w", what, id, store.ErrNotFound)
	}
	return nil
}

const groupCols = `id, name, description, status, components, from_config`

// Groups lists every group in the order they were first stored.
func (d *DB) Groups(ctx context.Context) ([]status.Group, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT `+groupCols+` FROM groups ORDER BY rowid`)
	if err != nil {
		return nil, fmt.Errorf("groups: %w", err)
	}
	defer rows.Close()
	var gs []status.Group
	for rows.Next() {
		var g status.Group
		if err := rows.Scan(&g.ID, &g.Name, &g.Description, &g.Status, listCol{&g.Components}, &g.FromConfig); err != nil {
			return nil, fmt.Errorf("groups: %w", err)
		}
		gs = append(gs, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("groups: %w", err)
	}
	return gs, nil
}

// PutGroup creates or replaces a group by id.
func (d *DB) PutGroup(ctx context.Context, g status.Group) error {
	if err := putGroup(ctx, d.w, &g); err != nil {
		return fmt.Errorf("put group %q: %w", g.ID, err)
	}
	return nil
}

func putGroup(ctx context.Context, ex execer, g *status.Group) error {
	if g.ID == "" {
		return errors.New("group without id")
	}
	members, err := idList(g.Components)
	if err != nil {
		return err
	}
	_, err = ex.ExecContext(ctx, `INSERT INTO groups (`+groupCols+`) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
			status = excluded.status, components = excluded.components,
			from_config = excluded.from_config`,
		g.ID, g.Name, g.Description, string(g.Status), members, g.FromConfig)
	return err
}

// DeleteGroup deletes a group, leaving its components in place;
// store.ErrNotFound if there is none.
func (d *DB) DeleteGroup(ctx context.Context, id string) error {
	return d.deleteByID(ctx, "group", `DELETE FROM groups WHERE id = ?`, id)
}
