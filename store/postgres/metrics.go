package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/store"
)

// Metrics lists every metric, without points, in the order they were
// first stored. Points can be many; Metric reads them for one metric and a
// time range.
func (d *DB) Metrics(ctx context.Context) ([]store.Metric, error) {
	rows, err := d.pool.Query(ctx, `SELECT id, name, unit, custom FROM metrics ORDER BY ord`)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Metric, error) {
		var m store.Metric
		err := r.Scan(&m.ID, &m.Name, &m.Unit, &m.Custom)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// PutMetric creates or updates a metric and adds its points in one
// transaction. A point at a millisecond that already has one replaces it.
// NaN values are refused, as the SQLite store refuses them.
func (d *DB) PutMetric(ctx context.Context, m store.Metric) error {
	if err := d.write(ctx, func(tx pgx.Tx) error { return putMetric(ctx, tx, m) }); err != nil {
		return fmt.Errorf("put metric %q: %w", m.ID, err)
	}
	return nil
}

// PutMetrics writes several metrics and their points in one transaction.
func (d *DB) PutMetrics(ctx context.Context, ms []store.Metric) error {
	err := d.write(ctx, func(tx pgx.Tx) error {
		for _, m := range ms {
			if err := putMetric(ctx, tx, m); err != nil {
				return fmt.Errorf("metric %q: %w", m.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put metrics: %w", err)
	}
	return nil
}

func putMetric(ctx context.Context, tx pgx.Tx, m store.Metric) error {
	if m.ID == "" {
		return errors.New("metric without id")
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO metrics (id, name, unit, custom) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, unit = excluded.unit,
			custom = excluded.custom`, m.ID, m.Name, m.Unit, m.Custom)
	for n, p := range m.Points {
		if p.Time.IsZero() {
			return fmt.Errorf("point %d: no time", n)
		}
		if math.IsNaN(p.Value) {
			return fmt.Errorf("point %d: value is NaN", n)
		}
		b.Queue(`INSERT INTO metric_points (metric_id, ts, value) VALUES ($1, $2, $3)
			ON CONFLICT (metric_id, ts) DO UPDATE SET value = excluded.value`, m.ID, msTime(p.Time), p.Value)
	}
	return sendBatch(ctx, tx, b, func(n int) string { return fmt.Sprintf("point %d", n-1) })
}

// LatestCustomPoints returns the newest point of each custom metric; the
// primary key (metric_id, ts) makes each a single index lookup.
func (d *DB) LatestCustomPoints(ctx context.Context) (map[string]store.Point, error) {
	rows, err := d.pool.Query(ctx, `SELECT m.id, p.ts, p.value FROM metrics m
		CROSS JOIN LATERAL (SELECT ts, value FROM metric_points
			WHERE metric_id = m.id ORDER BY ts DESC LIMIT 1) p
		WHERE m.custom`)
	if err != nil {
		return nil, fmt.Errorf("latest custom points: %w", err)
	}
	defer rows.Close()
	out := map[string]store.Point{}
	for rows.Next() {
		var id string
		var p store.Point
		if err := rows.Scan(&id, timeCol{&p.Time}, &p.Value); err != nil {
			return nil, fmt.Errorf("latest custom points: %w", err)
		}
		out[id] = p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("latest custom points: %w", err)
	}
	return out, nil
}

// Metric returns a metric with its points in [from, to], oldest first; a
// zero from or to leaves that end open. store.ErrNotFound if there is no
// such metric.
func (d *DB) Metric(ctx context.Context, id string, from, to time.Time) (store.Metric, error) {
	var m store.Metric
	err := d.read(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT id, name, unit, custom FROM metrics WHERE id = $1`, id).
			Scan(&m.ID, &m.Name, &m.Unit, &m.Custom)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT ts, value FROM metric_points WHERE metric_id = $1
				AND ($2::timestamptz IS NULL OR ts >= $2) AND ($3::timestamptz IS NULL OR ts <= $3)
			ORDER BY ts`, id, ts(from), ts(to))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p store.Point
			if err := rows.Scan(timeCol{&p.Time}, &p.Value); err != nil {
				return err
			}
			m.Points = append(m.Points, p)
		}
		return rows.Err()
	})
	if err != nil {
		return store.Metric{}, fmt.Errorf("metric %q: %w", id, err)
	}
	return m, nil
}

// DeleteMetric deletes a metric and its points; store.ErrNotFound if there
// is none.
func (d *DB) DeleteMetric(ctx context.Context, id string) error {
	return d.deleteByID(ctx, "metric", `DELETE FROM metrics WHERE id = $1`, id)
}
