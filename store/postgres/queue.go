package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// QueuedResult is a probe result on its way from the instance that
// probed to the leader's engine. Body is the result as the caller encodes
// it; (CheckID, Region, Slot) names the scheduled run it answers.
type QueuedResult struct {
	CheckID  string
	Region   string
	Slot     int64
	Instance string
	Body     []byte
}

// QueueResults inserts rs in one statement and reports how many were
// dropped because a result of the same run was already queued, by
// another instance that probed it too while the membership changed.
func (d *DB) QueueResults(ctx context.Context, rs []QueuedResult) (dropped int, err error) {
	if len(rs) == 0 {
		return 0, nil
	}
	ids := make([]string, len(rs))
	regions := make([]string, len(rs))
	slots := make([]int64, len(rs))
	instances := make([]string, len(rs))
	bodies := make([][]byte, len(rs))
	for i, r := range rs {
		ids[i], regions[i], slots[i], instances[i], bodies[i] = r.CheckID, r.Region, r.Slot, r.Instance, r.Body
	}
	tag, err := d.pool.Exec(ctx, `
INSERT INTO probe_queue (check_id, region, slot, instance, body)
SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bytea[])
ON CONFLICT (check_id, region, slot) DO NOTHING`, ids, regions, slots, instances, bodies)
	if err != nil {
		return 0, fmt.Errorf("queue results: %w", err)
	}
	return len(rs) - int(tag.RowsAffected()), nil
}

// TakeResults removes and returns up to limit queued results, oldest
// first. Through a leader's view the removal is fenced: a deposed leader
// takes nothing.
func (d *DB) TakeResults(ctx context.Context, limit int) ([]QueuedResult, error) {
	var out []QueuedResult
	err := d.write(ctx, func(tx pgx.Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, `
DELETE FROM probe_queue WHERE id IN (
  SELECT id FROM probe_queue ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
RETURNING check_id, region, slot, instance, body, id`, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var r QueuedResult
			var id int64
			if err := rows.Scan(&r.CheckID, &r.Region, &r.Slot, &r.Instance, &r.Body, &id); err != nil {
				return err
			}
			out = append(out, r)
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// RETURNING gives no order: put them back in queue order.
		sortByID(out, ids)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("take results: %w", err)
	}
	return out, nil
}

// DropStaleResults deletes queued results older than age by the
// database's clock: with no leader to take them they would only pile up,
// and a result that old says nothing an engine should act on.
func (d *DB) DropStaleResults(ctx context.Context, age time.Duration) (int, error) {
	tag, err := d.pool.Exec(ctx, `DELETE FROM probe_queue WHERE queued_at < now() - $1::interval`, age.String())
	if err != nil {
		return 0, fmt.Errorf("drop stale results: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

func sortByID(rs []QueuedResult, ids []int64) {
	// Insertion sort: a batch is a few hundred rows, nearly in order.
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && ids[j] < ids[j-1]; j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}
