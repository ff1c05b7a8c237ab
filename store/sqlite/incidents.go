package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

const incidentCols = `id, name, status, impact, components, auto, by_hand, backfilled,
	created_at, updated_at, resolved_at`

const incidentUpdateCols = `incident_id, id, body, status, created_at, updated_at`

// Incidents lists incidents newest first (by CreatedAt), each with its
// updates newest first.
func (d *DB) Incidents(ctx context.Context, f store.IncidentFilter) ([]status.Incident, error) {
	var where []string
	var args []any
	if f.OpenOnly {
		where = append(where, `status <> ?`)
		args = append(args, string(status.Resolved))
	}
	if f.Component != "" {
		where = append(where, `EXISTS (SELECT 1 FROM json_each(incidents.components) WHERE value = ?)`)
		args = append(args, f.Component)
	}
	if !f.Since.IsZero() {
		where = append(where, `(resolved_at IS NULL OR resolved_at >= ?)`)
		args = append(args, f.Since.UnixMilli())
	}
	if f.Before.ID != "" {
		ms := f.Before.CreatedAt.UnixMilli()
		where = append(where, `(created_at < ? OR (created_at = ? AND id < ?))`)
		args = append(args, ms, ms, f.Before.ID)
	}
	q := `SELECT ` + incidentCols + ` FROM incidents`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	args = append(args, limit(f.Limit))

	var out []status.Incident
	err := d.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryIncidents(ctx, tx, q, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	return out, nil
}

// Incident returns one incident with its updates; store.ErrNotFound if
// there is none.
func (d *DB) Incident(ctx context.Context, id string) (status.Incident, error) {
	var out []status.Incident
	err := d.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryIncidents(ctx, tx, `SELECT `+incidentCols+` FROM incidents WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return status.Incident{}, fmt.Errorf("incident %q: %w", id, err)
	}
	if len(out) == 0 {
		return status.Incident{}, fmt.Errorf("incident %q: %w", id, store.ErrNotFound)
	}
	return out[0], nil
}

// queryIncidents runs q and then loads the updates of every incident it
// found with one more query, not one per incident.
func queryIncidents(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]status.Incident, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []status.Incident
	index := map[string]int{}
	var ids []string
	for rows.Next() {
		var i status.Incident
		if err := rows.Scan(&i.ID, &i.Name, &i.Status, &i.Impact, listCol{&i.Components},
			&i.Auto, &i.ByHand, &i.Backfilled, timeCol{&i.CreatedAt}, timeCol{&i.UpdatedAt}, timeCol{&i.ResolvedAt}); err != nil {
			return nil, err
		}
		index[i.ID] = len(out)
		ids = append(ids, i.ID)
		out = append(out, i)
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
	urows, err := tx.QueryContext(ctx, `SELECT `+incidentUpdateCols+` FROM incident_updates
		WHERE incident_id IN (SELECT value FROM json_each(?))
		ORDER BY incident_id, created_at DESC, ord DESC`, string(idJSON))
	if err != nil {
		return nil, err
	}
	defer urows.Close()
	for urows.Next() {
		var u status.IncidentUpdate
		if err := urows.Scan(&u.IncidentID, &u.ID, &u.Body, &u.Status,
			timeCol{&u.CreatedAt}, timeCol{&u.UpdatedAt}); err != nil {
			return nil, err
		}
		i := &out[index[u.IncidentID]]
		i.Updates = append(i.Updates, u)
	}
	return out, urows.Err()
}

// putIncident upserts an incident and each of its updates by id. Updates
// stored earlier but missing from i are kept: an event that carried fewer
// updates must not erase history.
func putIncident(ctx context.Context, tx *sql.Tx, i *status.Incident) error {
	if i.ID == "" {
		return errors.New("incident without id")
	}
	comps, err := idList(i.Components)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO incidents (`+incidentCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, status = excluded.status,
			impact = excluded.impact, components = excluded.components, auto = excluded.auto,
			by_hand = excluded.by_hand, backfilled = excluded.backfilled, created_at = excluded.created_at,
			updated_at = excluded.updated_at, resolved_at = excluded.resolved_at`,
		i.ID, i.Name, string(i.Status), string(i.Impact), comps, i.Auto, i.ByHand, i.Backfilled,
		msTime(i.CreatedAt), msTime(i.UpdatedAt), msTime(i.ResolvedAt))
	if err != nil {
		return err
	}
	if len(i.Updates) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO incident_updates (`+incidentUpdateCols+`, ord)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (incident_id, id) DO UPDATE SET body = excluded.body, status = excluded.status,
			created_at = excluded.created_at, updated_at = excluded.updated_at, ord = excluded.ord`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for n, u := range i.Updates {
		if u.ID == "" {
			return fmt.Errorf("incident %q: update %d without id", i.ID, n)
		}
		// Updates come newest first; ord counts from the oldest so that
		// it stays put as new updates are added in front.
		ord := len(i.Updates) - 1 - n
		if _, err := stmt.ExecContext(ctx, i.ID, u.ID, u.Body, string(u.Status),
			msTime(u.CreatedAt), msTime(u.UpdatedAt), ord); err != nil {
			return fmt.Errorf("update %q: %w", u.ID, err)
		}
	}
	return nil
}

// DeleteIncident deletes an incident and its updates; store.ErrNotFound if
// there is none.
func (d *DB) DeleteIncident(ctx context.Context, id string) error {
	return d.deleteByID(ctx, "incident", `DELETE FROM incidents WHERE id = ?`, id)
}

// limit turns "0 = no limit" into SQLite's LIMIT -1.
func limit(n int) int64 {
	if n <= 0 {
		return -1
	}
	return int64(n)
}
