package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

const maintenanceCols = `id, name, description, status, impact, components, start_at,
	duration_ns, backfilled, cancelled, from_config, created_at, updated_at, resolved_at`

const maintenanceUpdateCols = `maintenance_id, id, body, status, created_at, updated_at`

// Maintenances lists maintenance windows, latest start first, each with its
// updates newest first.
func (d *DB) Maintenances(ctx context.Context, f store.MaintenanceFilter) ([]status.Maintenance, error) {
	q := `SELECT ` + maintenanceCols + ` FROM maintenance`
	var args []any
	if f.NotCompleted {
		q += ` WHERE status <> ?`
		args = append(args, string(status.Completed))
	}
	q += ` ORDER BY start_at DESC, id DESC LIMIT ?`
	args = append(args, limit(f.Limit))
	var out []status.Maintenance
	err := d.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryMaintenances(ctx, tx, q, args...)
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
	err := d.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryMaintenances(ctx, tx, `SELECT `+maintenanceCols+` FROM maintenance WHERE id = ?`, id)
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
func queryMaintenances(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]status.Maintenance, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []status.Maintenance
	index := map[string]int{}
	var ids []string
	for rows.Next() {
		var m status.Maintenance
		var durNS int64
		if err := rows.Scan(&m.ID, &m.Name, &m.Description, &m.Status, &m.Impact,
			listCol{&m.Components}, timeCol{&m.Start}, &durNS, &m.Backfilled, &m.Cancelled, &m.FromConfig,
			timeCol{&m.CreatedAt}, timeCol{&m.UpdatedAt}, timeCol{&m.ResolvedAt}); err != nil {
			return nil, err
		}
		m.Duration = time.Duration(durNS)
		index[m.ID] = len(out)
		ids = append(ids, m.ID)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	idJSON, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	urows, err := tx.QueryContext(ctx, `SELECT `+maintenanceUpdateCols+` FROM maintenance_updates
		WHERE maintenance_id IN (SELECT value FROM json_each(?))
		ORDER BY maintenance_id, created_at DESC, ord DESC`, string(idJSON))
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
func putMaintenance(ctx context.Context, tx *sql.Tx, m *status.Maintenance) error {
	if m.ID == "" {
		return errors.New("maintenance without id")
	}
	comps, err := idList(m.Components)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO maintenance (`+maintenanceCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
			status = excluded.status, impact = excluded.impact, components = excluded.components,
			start_at = excluded.start_at, duration_ns = excluded.duration_ns,
			backfilled = excluded.backfilled, cancelled = excluded.cancelled,
			from_config = excluded.from_config, created_at = excluded.created_at,
			updated_at = excluded.updated_at, resolved_at = excluded.resolved_at`,
		m.ID, m.Name, m.Description, string(m.Status), string(m.Impact), comps, msTime(m.Start),
		int64(m.Duration), m.Backfilled, m.Cancelled, m.FromConfig, msTime(m.CreatedAt), msTime(m.UpdatedAt), msTime(m.ResolvedAt))
	if err != nil {
		return err
	}
	if len(m.Updates) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO maintenance_updates (`+maintenanceUpdateCols+`, ord)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (maintenance_id, id) DO UPDATE SET body = excluded.body, status = excluded.status,
			created_at = excluded.created_at, updated_at = excluded.updated_at, ord = excluded.ord`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for n, u := range m.Updates {
		if u.ID == "" {
			return fmt.Errorf("maintenance %q: update %d without id", m.ID, n)
		}
		ord := len(m.Updates) - 1 - n
		if _, err := stmt.ExecContext(ctx, m.ID, u.ID, u.Body, string(u.Status),
			msTime(u.CreatedAt), msTime(u.UpdatedAt), ord); err != nil {
			return fmt.Errorf("update %q: %w", u.ID, err)
		}
	}
	return nil
}

// DeleteMaintenance deletes a window and its updates; store.ErrNotFound if
// there is none.
func (d *DB) DeleteMaintenance(ctx context.Context, id string) error {
	return d.deleteByID(ctx, "maintenance", `DELETE FROM maintenance WHERE id = ?`, id)
}
