package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/store"
)

// AddUptime adds each sample to its check's hour, creating the hour if it
// is new, all in one transaction. Hours are truncated to the hour in UTC;
// negative durations are refused, as they would silently un-count time.
func (d *DB) AddUptime(ctx context.Context, samples []store.UptimeSample) error {
	if len(samples) == 0 {
		return nil
	}
	for _, s := range samples {
		if s.CheckID == "" {
			return errors.New("add uptime: sample without check id")
		}
		if s.Hour.IsZero() {
			return fmt.Errorf("add uptime: check %q: sample without hour", s.CheckID)
		}
		if s.Up < 0 || s.Down < 0 || s.Maintenance < 0 || s.NoData < 0 {
			return fmt.Errorf("add uptime: check %q: negative duration", s.CheckID)
		}
	}
	// One statement for them all: samples of one (check, hour) are summed
	// first, since one INSERT ... ON CONFLICT may not touch a row twice.
	type key struct {
		check string
		hour  time.Time
	}
	at := map[key]int{}
	var ids []string
	var hours []time.Time
	var up, down, maint, nodata []int64
	for _, s := range samples {
		k := key{s.CheckID, s.Hour.UTC().Truncate(time.Hour)}
		i, ok := at[k]
		if !ok {
			i = len(ids)
			at[k] = i
			ids, hours = append(ids, k.check), append(hours, k.hour)
			up, down, maint, nodata = append(up, 0), append(down, 0), append(maint, 0), append(nodata, 0)
		}
		up[i] += int64(s.Up)
		down[i] += int64(s.Down)
		maint[i] += int64(s.Maintenance)
		nodata[i] += int64(s.NoData)
	}
	err := d.write(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO uptime_hourly (check_id, hour, up_ns, down_ns, maint_ns, nodata_ns)
			SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])
			ON CONFLICT (check_id, hour) DO UPDATE SET up_ns = uptime_hourly.up_ns + excluded.up_ns,
				down_ns = uptime_hourly.down_ns + excluded.down_ns,
				maint_ns = uptime_hourly.maint_ns + excluded.maint_ns,
				nodata_ns = uptime_hourly.nodata_ns + excluded.nodata_ns`, ids, hours, up, down, maint, nodata)
		return err
	})
	if err != nil {
		return fmt.Errorf("add uptime: %w", err)
	}
	return nil
}

// Uptime returns a check's hours in [from, to), oldest first. A zero from
// or to leaves that end open.
func (d *DB) Uptime(ctx context.Context, checkID string, from, to time.Time) ([]store.UptimeHour, error) {
	rows, err := d.pool.Query(ctx, `SELECT hour, up_ns, down_ns, maint_ns, nodata_ns
		FROM uptime_hourly WHERE check_id = $1
			AND ($2::timestamptz IS NULL OR hour >= $2) AND ($3::timestamptz IS NULL OR hour < $3)
		ORDER BY hour`, checkID, ts(from), ts(to))
	if err != nil {
		return nil, fmt.Errorf("uptime of %q: %w", checkID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.UptimeHour, error) {
		h := store.UptimeHour{CheckID: checkID}
		var up, down, maint, nodata int64
		err := r.Scan(timeCol{&h.Hour}, &up, &down, &maint, &nodata)
		h.Up, h.Down, h.Maintenance, h.NoData = time.Duration(up), time.Duration(down), time.Duration(maint), time.Duration(nodata)
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("uptime of %q: %w", checkID, err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
