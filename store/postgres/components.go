package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/status"
)

const componentCols = `id, name, description, group_id, status, checks, override,
	override_until, created_at, updated_at, from_config`

// Components lists every component in the order they were first stored,
// which is the config's order for components that come from it.
func (d *DB) Components(ctx context.Context) ([]status.Component, error) {
	rows, err := d.pool.Query(ctx, `SELECT `+componentCols+` FROM components ORDER BY ord`)
	if err != nil {
		return nil, fmt.Errorf("components: %w", err)
	}
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (status.Component, error) {
		var c status.Component
		err := r.Scan(&c.ID, &c.Name, &c.Description, &c.Group, &c.Status, &c.Checks,
			&c.Override, timeCol{&c.OverrideUntil}, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}, &c.FromConfig)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("components: %w", err)
	}
	if len(cs) == 0 {
		return nil, nil
	}
	return cs, nil
}

// PutComponent creates or replaces a component by id.
func (d *DB) PutComponent(ctx context.Context, c status.Component) error {
	if err := putComponent(ctx, d.pool, &c); err != nil {
		return fmt.Errorf("put component %q: %w", c.ID, err)
	}
	return nil
}

// putComponent upserts in place, which keeps the row's ord and so its
// place in the list.
func putComponent(ctx context.Context, q querier, c *status.Component) error {
	if c.ID == "" {
		return errors.New("component without id")
	}
	_, err := q.Exec(ctx, `INSERT INTO components (`+componentCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
			group_id = excluded.group_id, status = excluded.status, checks = excluded.checks,
			override = excluded.override, override_until = excluded.override_until,
			created_at = excluded.created_at, updated_at = excluded.updated_at,
			from_config = excluded.from_config`,
		c.ID, c.Name, c.Description, c.Group, string(c.Status), idList(c.Checks), string(c.Override),
		ts(c.OverrideUntil), ts(c.CreatedAt), ts(c.UpdatedAt), c.FromConfig)
	return err
}

// DeleteComponent deletes a component; store.ErrNotFound if there is none.
func (d *DB) DeleteComponent(ctx context.Context, id string) error {
	return d.deleteByID(ctx, "component", `DELETE FROM components WHERE id = $1`, id)
}

const groupCols = `id, name, description, status, components, from_config`

// Groups lists every group in the order they were first stored.
func (d *DB) Groups(ctx context.Context) ([]status.Group, error) {
	rows, err := d.pool.Query(ctx, `SELECT `+groupCols+` FROM groups ORDER BY ord`)
	if err != nil {
		return nil, fmt.Errorf("groups: %w", err)
	}
	gs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (status.Group, error) {
		var g status.Group
		err := r.Scan(&g.ID, &g.Name, &g.Description, &g.Status, &g.Components, &g.FromConfig)
		return g, err
	})
	if err != nil {
		return nil, fmt.Errorf("groups: %w", err)
	}
	if len(gs) == 0 {
		return nil, nil
	}
	return gs, nil
}

// PutGroup creates or replaces a group by id.
func (d *DB) PutGroup(ctx context.Context, g status.Group) error {
	if err := putGroup(ctx, d.pool, &g); err != nil {
		return fmt.Errorf("put group %q: %w", g.ID, err)
	}
	return nil
}

func putGroup(ctx context.Context, q querier, g *status.Group) error {
	if g.ID == "" {
		return errors.New("group without id")
	}
	_, err := q.Exec(ctx, `INSERT INTO groups (`+groupCols+`) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
			status = excluded.status, components = excluded.components,
			from_config = excluded.from_config`,
		g.ID, g.Name, g.Description, string(g.Status), idList(g.Components), g.FromConfig)
	return err
}

// DeleteGroup deletes a group, leaving its components in place;
// store.ErrNotFound if there is none.
func (d *DB) DeleteGroup(ctx context.Context, id string) error {
	return d.deleteByID(ctx, "group", `DELETE FROM groups WHERE id = $1`, id)
}
