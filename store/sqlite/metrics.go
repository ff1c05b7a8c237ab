package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/up-status/up/store"
)

// Metrics lists every metric, without points, in the order they were
// first stored. Points can be many; Metric reads them for one metric and a
// time range.
func (d *DB) Metrics(ctx context.Context) ([]store.Metric, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT id, name, unit, custom FROM metrics ORDER BY rowid`)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	defer rows.Close()
	var out []store.Metric
	for rows.Next() {
		var m store.Metric
		if err := rows.Scan(&m.ID, &m.Name, &m.Unit, &m.Custom); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return out, nil
}

// PutMetric creates or updates a metric and adds its points in one
// transaction. A point at a millisecond that already has one replaces it.
// NaN values are refused: SQLite would store them as NULL.
func (d *DB) PutMetric(ctx context.Context, m store.Metric) error {
	if err := d.write(ctx, func(tx *sql.Tx) error { return putMetric(ctx, tx, m) }); err != nil {
		return fmt.Errorf("put metric %q: %w", m.ID, err)
	}
	return nil
}

// LatestCustomPoints returns the newest point of each custom metric; the
// primary key (metric_id, ts) makes each a single index lookup.
func (d *DB) LatestCustomPoints(ctx context.Context) (map[string]store.Point, error) {
	out := map[string]store.Point{}
	err := d.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT m.id, p.ts, p.value FROM metrics m
			JOIN metric_points p ON p.metric_id = m.id
				AND p.ts = (SELECT MAX(ts) FROM metric_points WHERE metric_id = m.id)
			WHERE m.custom = 1`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var ts int64
			var v float64
			if err := rows.Scan(&id, &ts, &v); err != nil {
				return err
			}
			out[id] = store.Point{Time: time.UnixMilli(ts).UTC(), Value: v}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("latest custom points: %w", err)
	}
	return out, nil
}

// PutMetrics writes several metrics and their points in one transaction.
func (d *DB) PutMetrics(ctx context.Context, ms []store.Metric) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
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

func putMetric(ctx context.Context, tx *sql.Tx, m store.Metric) error {
	if m.ID == "" {
		return errors.New("metric without id")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO metrics (id, name, unit, custom) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, unit = excluded.unit,
			custom = excluded.custom`, m.ID, m.Name, m.Unit, m.Custom); err != nil {
		return err
	}
	if len(m.Points) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO metric_points (metric_id, ts, value)
		VALUES (?, ?, ?) ON CONFLICT (metric_id, ts) DO UPDATE SET value = excluded.value`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for n, p := range m.Points {
		if p.Time.IsZero() {
			return fmt.Errorf("point %d: no time", n)
		}
		if math.IsNaN(p.Value) {
			return fmt.Errorf("point %d: value is NaN", n)
		}
		if _, err := stmt.ExecContext(ctx, m.ID, p.Time.UnixMilli(), p.Value); err != nil {
			return fmt.Errorf("point %d: %w", n, err)
		}
	}
	return nil
}

func (d *DB) Metric(ctx context.Context, id string, from, to time.Time) (store.Metric, error) {
	var m store.Metric
	err := d.read(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id, name, unit, custom FROM metrics WHERE id = ?`, id).
			Scan(&m.ID, &m.Name, &m.Unit, &m.Custom)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT ts, value FROM metric_points
			WHERE metric_id = ? AND ts >= ? AND ts <= ? ORDER BY ts`,
			id, msBound(from, math.MinInt64), msBound(to, math.MaxInt64))
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
	return d.deleteByID(ctx, "metric", `DELETE FROM metrics WHERE id = ?`, id)
}
