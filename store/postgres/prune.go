package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/store"
)

// Prune deletes old history in one transaction. Points of custom metrics,
// open incidents and webhooks still pending or dead are kept whatever
// their age: those are users' data or still owed.
func (d *DB) Prune(ctx context.Context, p store.Prune) (store.Pruned, error) {
	var out store.Pruned
	err := d.write(ctx, func(tx pgx.Tx) error {
		out = store.Pruned{}
		del := func(n *int64, q string, arg any) error {
			tag, err := tx.Exec(ctx, q, arg)
			*n = tag.RowsAffected()
			return err
		}
		if !p.PointsBefore.IsZero() {
			if err := del(&out.Points, `DELETE FROM metric_points WHERE ts < $1
				AND metric_id IN (SELECT id FROM metrics WHERE NOT custom)`, msTime(p.PointsBefore)); err != nil {
				return fmt.Errorf("points: %w", err)
			}
		}
		if !p.UptimeBefore.IsZero() {
			if err := del(&out.Uptime, `DELETE FROM uptime_hourly WHERE hour < $1`, msTime(p.UptimeBefore)); err != nil {
				return fmt.Errorf("uptime: %w", err)
			}
		}
		if !p.DeliveriesBefore.IsZero() {
			if err := del(&out.Deliveries, `DELETE FROM outbox WHERE state IN ('delivered', 'dropped')
				AND created_at < $1`, msTime(p.DeliveriesBefore)); err != nil {
				return fmt.Errorf("deliveries: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return store.Pruned{}, fmt.Errorf("prune: %w", err)
	}
	return out, nil
}
