package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

const maintenanceCols = `id, name, description, status, impact, components, start_at,
	duration_ns, backfilled, cancelled, from_config, created_at, updated_at, resolved_at`

const maintenanceUpdateCols = `maintenance_id, id, body, status, created_at, updated_at`

// Maintenances lists maintenance windows, latest start first (unset
// last), each with its updates newest first.
func (d *DB) Maintenances(ctx context.Context, f store.MaintenanceFilter) ([]status.Maintenance, error) {
	q := `SELECT ` + maintenanceCols + ` FROM maintenance
		WHERE NOT $1 OR status <> $2
		ORDER BY start_at DESC NULLS LAST, id DESC LIMIT $3`
	var out []status.Maintenance
	err := d.read(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = queryMaintenances(ctx, tx, q, f.NotCompleted, string(status.Completed), limit(f.Limit))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("maintenances: %w", err)
	}
	return out, nil
}

// Maintenance returns one window with its updates; store.ErrNotFound if
// there is none.
func (d *DB) Maintenance(ctx context.Context, id string) (status.Maintenance, error) {
	var out []status.Maintenance
	err := d.read(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = queryMaintenances(ctx, tx, `SELECT `+maintenanceCols+` FROM maintenance WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return status.Maintenance{}, fmt.Errorf("maintenance %q: %w", id, err)
	}
	if len(out) == 0 {
		return status.Maintenance{}, fmt.Errorf("maintenance %q: %w", id, store.ErrNotFound)
	}
	return out[0], nil
}

// queryMaintenances runs q and then loads the updates of every window it
// found with one more query.
func queryMaintenances(ctx context.Context, tx pgx.Tx, q string, args ...any) ([]status.Maintenance, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (status.Maintenance, error) {
		var m status.Maintenance
		var durNS int64
		err := r.Scan(&m.ID, &m.Name, &m.Description, &m.Status, &m.Impact, &m.Components,
			timeCol{&m.Start}, &durNS, &m.Backfilled, &m.Cancelled, &m.FromConfig,
			timeCol{&m.CreatedAt}, timeCol{&m.UpdatedAt}, timeCol{&m.ResolvedAt})
		m.Duration = time.Duration(durNS)
		return m, err
	})
	if err != nil || len(out) == 0 {
		return nil, err
	}
	index := map[string]int{}
	ids := make([]string, len(out))
	for n, m := range out {
		index[m.ID] = n
		ids[n] = m.ID
	}
	urows, err := tx.Query(ctx, `SELECT `+maintenanceUpdateCols+` FROM maintenance_updates
		WHERE maintenance_id = ANY ($1)
		ORDER BY maintenance_id, created_at DESC NULLS LAST, ord DESC`, ids)
	if err != nil {
		return nil, err
	}
	defer urows.Close()
	for urows.Next() {
		var u status.MaintenanceUpdate
		if err := urows.Scan(&u.MaintenanceID, &u.ID, &u.Body, &u.Status,
			timeCol{&u.CreatedAt}, timeCol{&u.UpdatedAt}); err != nil {
			return nil, err
		}
		m := &out[index[u.MaintenanceID]]
		m.Updates = append(m.Updates, u)
	}
	return out, urows.Err()
}

// putMaintenance upserts a window and each of its updates by id, keeping
// stored updates that m no longer carries (see putIncident).
func putMaintenance(ctx context.Context, tx pgx.Tx, m *status.Maintenance) error {
	if m.ID == "" {
		return errors.New("maintenance without id")
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO maintenance (`+maintenanceCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
			status = excluded.status, impact = excluded.impact, components = excluded.components,
			start_at = excluded.start_at, duration_ns = excluded.duration_ns,
			backfilled = excluded.backfilled, cancelled = excluded.cancelled,
			from_config = excluded.from_config, created_at = excluded.created_at,
			updated_at = excluded.updated_at, resolved_at = excluded.resolved_at`,
		m.ID, m.Name, m.Description, string(m.Status), string(m.Impact), idList(m.Components), ts(m.Start),
		int64(m.Duration), m.Backfilled, m.Cancelled, m.FromConfig, ts(m.CreatedAt), ts(m.UpdatedAt), ts(m.ResolvedAt))
	for n, u := range m.Updates {
		if u.ID == "" {
			return fmt.Errorf("maintenance %q: update %d without id", m.ID, n)
		}
		ord := len(m.Updates) - 1 - n
		b.Queue(`INSERT INTO maintenance_updates (`+maintenanceUpdateCols+`, ord)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (maintenance_id, id) DO UPDATE SET body = excluded.body, status = excluded.status,
				created_at = excluded.created_at, updated_at = excluded.updated_at, ord = excluded.ord`,
			m.ID, u.ID, u.Body, string(u.Status), ts(u.CreatedAt), ts(u.UpdatedAt), ord)
	}
	return sendBatch(ctx, tx, b, func(n int) string { return fmt.Sprintf("update %q", m.Updates[n-1].ID) })
}

// DeleteMaintenance deletes a window and its updates; store.ErrNotFound if
// there is none.
func (d *DB) DeleteMaintenance(ctx context.Context, id string) error {
	return d.deleteByID(ctx, "maintenance", `DELETE FROM maintenance WHERE id = $1`, id)
}
