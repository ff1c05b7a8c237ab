package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

const incidentCols = `id, name, status, impact, components, auto, by_hand, backfilled,
	created_at, updated_at, resolved_at`

const incidentUpdateCols = `incident_id, id, body, status, created_at, updated_at`

// Incidents lists incidents newest first (by CreatedAt; unset last, as
// SQLite sorts NULL), each with its updates newest first.
func (d *DB) Incidents(ctx context.Context, f store.IncidentFilter) ([]status.Incident, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.OpenOnly {
		where = append(where, `status <> `+arg(string(status.Resolved)))
	}
	if f.Component != "" {
		// @> rather than = ANY: the GIN index on components serves it.
		where = append(where, `components @> ARRAY[`+arg(f.Component)+`::text]`)
	}
	if !f.Since.IsZero() {
		where = append(where, `(resolved_at IS NULL OR resolved_at >= `+arg(msTime(f.Since))+`)`)
	}
	if f.Before.ID != "" {
		at := arg(msTime(f.Before.CreatedAt))
		where = append(where, `(created_at < `+at+` OR (created_at = `+at+` AND id < `+arg(f.Before.ID)+`))`)
	}
	q := `SELECT ` + incidentCols + ` FROM incidents`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY created_at DESC NULLS LAST, id DESC LIMIT ` + arg(limit(f.Limit))

	var out []status.Incident
	err := d.read(ctx, func(tx pgx.Tx) error {
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
	err := d.read(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = queryIncidents(ctx, tx, `SELECT `+incidentCols+` FROM incidents WHERE id = $1`, id)
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
func queryIncidents(ctx context.Context, tx pgx.Tx, q string, args ...any) ([]status.Incident, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (status.Incident, error) {
		var i status.Incident
		err := r.Scan(&i.ID, &i.Name, &i.Status, &i.Impact, &i.Components, &i.Auto, &i.ByHand,
			&i.Backfilled, timeCol{&i.CreatedAt}, timeCol{&i.UpdatedAt}, timeCol{&i.ResolvedAt})
		return i, err
	})
	if err != nil || len(out) == 0 {
		return nil, err
	}
	index := map[string]int{}
	ids := make([]string, len(out))
	for n, i := range out {
		index[i.ID] = n
		ids[n] = i.ID
	}
	urows, err := tx.Query(ctx, `SELECT `+incidentUpdateCols+` FROM incident_updates
		WHERE incident_id = ANY ($1)
		ORDER BY incident_id, created_at DESC NULLS LAST, ord DESC`, ids)
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
func putIncident(ctx context.Context, tx pgx.Tx, i *status.Incident) error {
	if i.ID == "" {
		return errors.New("incident without id")
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO incidents (`+incidentCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, status = excluded.status,
			impact = excluded.impact, components = excluded.components, auto = excluded.auto,
			by_hand = excluded.by_hand, backfilled = excluded.backfilled, created_at = excluded.created_at,
			updated_at = excluded.updated_at, resolved_at = excluded.resolved_at`,
		i.ID, i.Name, string(i.Status), string(i.Impact), idList(i.Components), i.Auto, i.ByHand, i.Backfilled,
		ts(i.CreatedAt), ts(i.UpdatedAt), ts(i.ResolvedAt))
	for n, u := range i.Updates {
		if u.ID == "" {
			return fmt.Errorf("incident %q: update %d without id", i.ID, n)
		}
		// Updates come newest first; ord counts from the oldest so that
		// it stays put as new updates are added in front.
		ord := len(i.Updates) - 1 - n
		b.Queue(`INSERT INTO incident_updates (`+incidentUpdateCols+`, ord)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (incident_id, id) DO UPDATE SET body = excluded.body, status = excluded.status,
				created_at = excluded.created_at, updated_at = excluded.updated_at, ord = excluded.ord`,
			i.ID, u.ID, u.Body, string(u.Status), ts(u.CreatedAt), ts(u.UpdatedAt), ord)
	}
	return sendBatch(ctx, tx, b, func(n int) string { return fmt.Sprintf("update %q", i.Updates[n-1].ID) })
}

// sendBatch runs b in one round trip; name says which queued statement
// (1-based after the first, the object itself) an error belongs to.
func sendBatch(ctx context.Context, tx pgx.Tx, b *pgx.Batch, name func(n int) string) error {
	br := tx.SendBatch(ctx, b)
	for n := range b.Len() {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			if n > 0 {
				return fmt.Errorf("%s: %w", name(n), err)
			}
			return err
		}
	}
	return br.Close()
}

// DeleteIncident deletes an incident and its updates; store.ErrNotFound if
// there is none.
func (d *DB) DeleteIncident(ctx context.Context, id string) error {
	return d.deleteByID(ctx, "incident", `DELETE FROM incidents WHERE id = $1`, id)
}
