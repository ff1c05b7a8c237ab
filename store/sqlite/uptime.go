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

// AddUptime adds each sample to its check's hour, creating the hour if it
// is new, all in one transaction. Hours are truncated to the hour in UTC;
// negative durations are refused, as they would silently un-count time.
func (d *DB) AddUptime(ctx context.Context, samples []store.UptimeSample) error {
	if len(samples) == 0 {
		return nil
	}
	err := d.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO uptime_hourly
			(check_id, hour, up_s, down_s, maint_s, nodata_s) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (check_id, hour) DO UPDATE SET up_s = up_s + excluded.up_s,
				down_s = down_s + excluded.down_s, maint_s = maint_s + excluded.maint_s,
				nodata_s = nodata_s + excluded.nodata_s`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, s := range samples {
			if s.CheckID == "" {
				return errors.New("sample without check id")
			}
			if s.Hour.IsZero() {
				return fmt.Errorf("check %q: sample without hour", s.CheckID)
			}
			if s.Up < 0 || s.Down < 0 || s.Maintenance < 0 || s.NoData < 0 {
				return fmt.Errorf("check %q: negative duration", s.CheckID)
			}
			hour := s.Hour.UTC().Truncate(time.Hour)
			if _, err := stmt.ExecContext(ctx, s.CheckID, hour.UnixMilli(), seconds(s.Up),
				seconds(s.Down), seconds(s.Maintenance), seconds(s.NoData)); err != nil {
				return fmt.Errorf("check %q: %w", s.CheckID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add uptime: %w", err)
	}
	return nil
}

// Uptime returns a check's hours in [from, to), oldest first. A zero from
// or to leaves that end open.
func (d *DB) Uptime(ctx context.Context, checkID string, from, to time.Time) ([]store.UptimeHour, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT hour, up_s, down_s, maint_s, nodata_s
		FROM uptime_hourly WHERE check_id = ? AND hour >= ? AND hour < ? ORDER BY hour`,
		checkID, msBound(from, math.MinInt64), msBound(to, math.MaxInt64))
	if err != nil {
		return nil, fmt.Errorf("uptime of %q: %w", checkID, err)
	}
	defer rows.Close()
	var out []store.UptimeHour
	for rows.Next() {
		h := store.UptimeHour{CheckID: checkID}
		var up, down, maint, nodata float64
		if err := rows.Scan(timeCol{&h.Hour}, &up, &down, &maint, &nodata); err != nil {
			return nil, fmt.Errorf("uptime of %q: %w", checkID, err)
		}
		h.Up, h.Down, h.Maintenance, h.NoData = duration(up), duration(down), duration(maint), duration(nodata)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("uptime of %q: %w", checkID, err)
	}
	return out, nil
}
