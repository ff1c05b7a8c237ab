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

const deliveryInsertCols = `id, subscriber, event, payload, state, attempts, created_at,
	next_attempt, last_attempt, last_error`

const deliveryCols = `seq, ` + deliveryInsertCols

// insertDelivery adds one delivery to the outbox with the defaults Apply
// documents.
func insertDelivery(ctx context.Context, stmt *sql.Stmt, dl store.Delivery, now time.Time) error {
	if dl.ID == "" {
		return errors.New("delivery without id")
	}
	if dl.Subscriber == "" {
		return errors.New("delivery without subscriber")
	}
	if dl.State == "" {
		dl.State = store.Pending
	}
	if !validState(dl.State) {
		return fmt.Errorf("unknown state %q", dl.State)
	}
	if dl.CreatedAt.IsZero() {
		dl.CreatedAt = now
	}
	if dl.NextAttempt.IsZero() {
		dl.NextAttempt = dl.CreatedAt
	}
	if dl.Payload == nil {
		dl.Payload = []byte{}
	}
	_, err := stmt.ExecContext(ctx, dl.ID, dl.Subscriber, dl.Event, dl.Payload, string(dl.State),
		dl.Attempts, msTime(dl.CreatedAt), msTime(dl.NextAttempt), msTime(dl.LastAttempt), dl.LastError)
	return err
}

func validState(s store.DeliveryState) bool {
	switch s {
	case store.Pending, store.Delivered, store.Dead, store.Dropped:
		return true
	}
	return false
}

func scanDelivery(s scanner) (store.Delivery, error) {
	var d store.Delivery
	err := s.Scan(&d.Seq, &d.ID, &d.Subscriber, &d.Event, &d.Payload, &d.State, &d.Attempts,
		timeCol{&d.CreatedAt}, timeCol{&d.NextAttempt}, timeCol{&d.LastAttempt}, &d.LastError)
	return d, err
}

func queryDeliveries(ctx context.Context, db *sql.DB, q string, args ...any) ([]store.Delivery, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Due returns the subscriber's pending deliveries that may be attempted at
// now, oldest first. It stops at the first pending delivery that is not
// yet due: one waiting for a retry holds back every later one, which is
// what keeps a subscriber's webhooks in order.
func (d *DB) Due(ctx context.Context, subscriber string, now time.Time, lim int) ([]store.Delivery, error) {
	// The inner query walks outbox_queue in seq order and stops at the
	// first delivery not due; NULL next_attempt counts as due.
	out, err := queryDeliveries(ctx, d.r, `SELECT `+deliveryCols+` FROM outbox
		WHERE subscriber = ?1 AND state = ?2 AND seq < coalesce((
			SELECT seq FROM outbox
			WHERE subscriber = ?1 AND state = ?2 AND next_attempt > ?3
			ORDER BY seq LIMIT 1), ?4)
		ORDER BY seq LIMIT ?5`,
		subscriber, string(store.Pending), now.UnixMilli(), int64(math.MaxInt64), limit(lim))
	if err != nil {
		return nil, fmt.Errorf("due deliveries of %q: %w", subscriber, err)
	}
	return out, nil
}

// PendingSubscribers counts pending deliveries per subscriber.
func (d *DB) PendingSubscribers(ctx context.Context) (map[string]int, error) {
	rows, err := d.r.QueryContext(ctx,
		`SELECT subscriber, count(*) FROM outbox WHERE state = ? GROUP BY subscriber`, string(store.Pending))
	if err != nil {
		return nil, fmt.Errorf("pending subscribers: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("pending subscribers: %w", err)
		}
		out[s] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pending subscribers: %w", err)
	}
	return out, nil
}

// NextDue is the NextAttempt of the subscriber's oldest pending delivery,
// the head of its queue (see Due); ok is false when nothing is pending. A
// head with no NextAttempt gives the zero time: due already.
func (d *DB) NextDue(ctx context.Context, subscriber string) (t time.Time, ok bool, err error) {
	err = d.r.QueryRowContext(ctx, `SELECT next_attempt FROM outbox
		WHERE subscriber = ? AND state = ? ORDER BY seq LIMIT 1`,
		subscriber, string(store.Pending)).Scan(timeCol{&t})
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next due of %q: %w", subscriber, err)
	}
	return t, true, nil
}

// MarkDelivery records the outcome of an attempt, matched by ID;
// store.ErrNotFound if the delivery is not in the outbox.
func (d *DB) MarkDelivery(ctx context.Context, dl store.Delivery) error {
	if !validState(dl.State) {
		return fmt.Errorf("mark delivery %q: unknown state %q", dl.ID, dl.State)
	}
	res, err := d.w.ExecContext(ctx, `UPDATE outbox SET state = ?, attempts = ?, next_attempt = ?,
		last_attempt = ?, last_error = ? WHERE id = ?`,
		string(dl.State), dl.Attempts, msTime(dl.NextAttempt), msTime(dl.LastAttempt), dl.LastError, dl.ID)
	if err != nil {
		return fmt.Errorf("mark delivery %q: %w", dl.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("mark delivery %q: %w", dl.ID, err)
	} else if n == 0 {
		return fmt.Errorf("delivery %q: %w", dl.ID, store.ErrNotFound)
	}
	return nil
}

// Deliveries lists deliveries in a state (all when state is ""), newest
// first, at most lim (all when lim <= 0).
func (d *DB) Deliveries(ctx context.Context, state store.DeliveryState, lim int) ([]store.Delivery, error) {
	var out []store.Delivery
	var err error
	if state == "" {
		out, err = queryDeliveries(ctx, d.r, `SELECT `+deliveryCols+` FROM outbox
			ORDER BY seq DESC LIMIT ?`, limit(lim))
	} else {
		out, err = queryDeliveries(ctx, d.r, `SELECT `+deliveryCols+` FROM outbox
			WHERE state = ? ORDER BY seq DESC LIMIT ?`, string(state), limit(lim))
	}
	if err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	return out, nil
}

// Replay makes a dead delivery pending again, due at now, with its
// attempts reset and its last error kept for reference. It keeps its Seq,
// so it goes back to its place at the head of the subscriber's queue.
// store.ErrNotFound if there is no such delivery, store.ErrConflict if it
// is not dead.
func (d *DB) Replay(ctx context.Context, id string, now time.Time) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		var state store.DeliveryState
		err := tx.QueryRowContext(ctx, `SELECT state FROM outbox WHERE id = ?`, id).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		if state != store.Dead {
			return fmt.Errorf("%w: it is %s, only dead deliveries are replayed", store.ErrConflict, state)
		}
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET state = ?, attempts = 0, next_attempt = ?
			WHERE id = ?`, string(store.Pending), now.UnixMilli(), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("replay delivery %q: %w", id, err)
	}
	return nil
}
