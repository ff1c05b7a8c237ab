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
	rows, err := metricRows([]store.Metric{m}, false)
	if err == nil {
		err = d.write(ctx, func(tx pgx.Tx) error { return insertMetrics(ctx, tx, rows) })
	}
	if err != nil {
		return fmt.Errorf("put metric %q: %w", m.ID, err)
	}
	return nil
}

// PutMetrics writes several metrics and their points in one transaction.
func (d *DB) PutMetrics(ctx context.Context, ms []store.Metric) error {
	rows, err := metricRows(ms, true)
	if err != nil {
		return fmt.Errorf("put metrics: %w", err)
	}
	if len(rows.ids) == 0 {
		return nil
	}
	err = d.write(ctx, func(tx pgx.Tx) error { return insertMetrics(ctx, tx, rows) })
	if err != nil {
		return fmt.Errorf("put metrics: %w", err)
	}
	return nil
}

// insertMetrics writes rows in two statements whatever the number of
// metrics: the engine saves the response times of every check each
// minute, and a round trip per metric made that flush take seconds with
// thousands of checks.
func insertMetrics(ctx context.Context, tx pgx.Tx, rows metricColumns) error {
	if _, err := tx.Exec(ctx, `INSERT INTO metrics (id, name, unit, custom)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[])
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, unit = excluded.unit,
				custom = excluded.custom`, rows.ids, rows.names, rows.units, rows.custom); err != nil {
		return err
	}
	if len(rows.pointIDs) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO metric_points (metric_id, ts, value)
		SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::double precision[])
		ON CONFLICT (metric_id, ts) DO UPDATE SET value = excluded.value`, rows.pointIDs, rows.times, rows.values)
	return err
}

// metricColumns are metrics and their points as the columns of one
// INSERT each.
type metricColumns struct {
	ids, names, units []string
	custom            []bool
	pointIDs          []string
	times             []time.Time
	values            []float64
}

// metricRows checks ms and lays it out in columns. A metric or point
// given twice keeps its last value, as one statement per row did: one
// INSERT ... ON CONFLICT may not touch a row twice.
func metricRows(ms []store.Metric, named bool) (metricColumns, error) {
	var c metricColumns
	metricAt := map[string]int{}
	type pointKey struct {
		id string
		ts int64
	}
	pointAt := map[pointKey]int{}
	for _, m := range ms {
		if m.ID == "" {
			return c, errors.New("metric without id")
		}
		if i, ok := metricAt[m.ID]; ok {
			c.names[i], c.units[i], c.custom[i] = m.Name, m.Unit, m.Custom
		} else {
			metricAt[m.ID] = len(c.ids)
			c.ids, c.names, c.units, c.custom = append(c.ids, m.ID), append(c.names, m.Name), append(c.units, m.Unit), append(c.custom, m.Custom)
		}
		for n, p := range m.Points {
			var bad string
			switch {
			case p.Time.IsZero():
				bad = "no time"
			case math.IsNaN(p.Value):
				bad = "value is NaN"
			}
			if bad != "" && named {
				return c, fmt.Errorf("metric %q: point %d: %s", m.ID, n, bad)
			} else if bad != "" {
				return c, fmt.Errorf("point %d: %s", n, bad)
			}
			t := msTime(p.Time)
			k := pointKey{m.ID, t.UnixMilli()}
			if i, ok := pointAt[k]; ok {
				c.values[i] = p.Value
				continue
			}
			pointAt[k] = len(c.pointIDs)
			c.pointIDs, c.times, c.values = append(c.pointIDs, m.ID), append(c.times, t), append(c.values, p.Value)
		}
	}
	return c, nil
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
