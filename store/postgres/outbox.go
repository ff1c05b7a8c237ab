package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/store"
)

const deliveryCols = `seq, id, subscriber, event, payload, state, attempts, created_at,
	next_attempt, last_attempt, last_error`

// deliveryDefaults checks a delivery to enqueue and fills in the defaults
// Apply documents.
func deliveryDefaults(dl store.Delivery, now time.Time) (store.Delivery, error) {
	if dl.ID == "" {
		return dl, errors.New("delivery without id")
	}
	if dl.Subscriber == "" {
		return dl, errors.New("delivery without subscriber")
	}
	if dl.State == "" {
		dl.State = store.Pending
	}
	if !validState(dl.State) {
		return dl, fmt.Errorf("unknown state %q", dl.State)
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
	return dl, nil
}

// insertDeliveries takes len(ds) seqs from outbox_seq and inserts the
// deliveries with them, in one round trip. The row lock on outbox_seq is
// held until the transaction ends, so transactions that enqueue commit in
// seq order and a reader never sees a seq before a lower one; it is
// taken last, after the events, to hold it for as short as possible.
func insertDeliveries(ctx context.Context, tx pgx.Tx, ds []store.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	var last int64
	if err := tx.QueryRow(ctx, `UPDATE outbox_seq SET last = last + $1 RETURNING last`, len(ds)).Scan(&last); err != nil {
		return fmt.Errorf("outbox seq: %w", err)
	}
	first := last - int64(len(ds)) + 1
	b := &pgx.Batch{}
	for n, dl := range ds {
		b.Queue(`INSERT INTO outbox (`+deliveryCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			first+int64(n), dl.ID, dl.Subscriber, dl.Event, dl.Payload, string(dl.State), dl.Attempts,
			ts(dl.CreatedAt), ts(dl.NextAttempt), ts(dl.LastAttempt), dl.LastError)
	}
	br := tx.SendBatch(ctx, b)
	for _, dl := range ds {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return fmt.Errorf("delivery %q: %w", dl.ID, err)
		}
	}
	return br.Close()
}

func validState(s store.DeliveryState) bool {
	switch s {
	case store.Pending, store.Delivered, store.Dead, store.Dropped:
		return true
	}
	return false
}

func scanDelivery(s pgx.Row) (store.Delivery, error) {
	var d store.Delivery
	err := s.Scan(&d.Seq, &d.ID, &d.Subscriber, &d.Event, &d.Payload, &d.State, &d.Attempts,
		timeCol{&d.CreatedAt}, timeCol{&d.NextAttempt}, timeCol{&d.LastAttempt}, &d.LastError)
	return d, err
}

func queryDeliveries(ctx context.Context, q querier, sql string, args ...any) ([]store.Delivery, error) {
	rows, err := q.Query(ctx, sql, args...)
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
	out, err := queryDeliveries(ctx, d.pool, `SELECT `+deliveryCols+` FROM outbox
		WHERE subscriber = $1 AND state = 'pending' AND seq < coalesce((
			SELECT seq FROM outbox
			WHERE subscriber = $1 AND state = 'pending' AND next_attempt > $2
			ORDER BY seq LIMIT 1), 9223372036854775807)
		ORDER BY seq LIMIT $3`,
		subscriber, msTime(now), limit(lim))
	if err != nil {
		return nil, fmt.Errorf("due deliveries of %q: %w", subscriber, err)
	}
	return out, nil
}

// PendingSubscribers counts pending deliveries per subscriber.
func (d *DB) PendingSubscribers(ctx context.Context) (map[string]int, error) {
	rows, err := d.pool.Query(ctx, `SELECT subscriber, count(*) FROM outbox WHERE state = 'pending' GROUP BY subscriber`)
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
	err = d.pool.QueryRow(ctx, `SELECT next_attempt FROM outbox
		WHERE subscriber = $1 AND state = 'pending' ORDER BY seq LIMIT 1`, subscriber).Scan(timeCol{&t})
	if errors.Is(err, pgx.ErrNoRows) {
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
	tag, err := d.pool.Exec(ctx, `UPDATE outbox SET state = $1, attempts = $2, next_attempt = $3,
		last_attempt = $4, last_error = $5 WHERE id = $6`,
		string(dl.State), dl.Attempts, ts(dl.NextAttempt), ts(dl.LastAttempt), dl.LastError, dl.ID)
	if err != nil {
		return fmt.Errorf("mark delivery %q: %w", dl.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delivery %q: %w", dl.ID, store.ErrNotFound)
	}
	return nil
}

// Deliveries lists deliveries in a state (all when state is ""), newest
// first, at most lim (all when lim <= 0).
func (d *DB) Deliveries(ctx context.Context, state store.DeliveryState, lim int) ([]store.Delivery, error) {
	// Two statements rather than "$1 = '' OR state = $1": each keeps a
	// plan that walks its own index.
	var out []store.Delivery
	var err error
	if state == "" {
		out, err = queryDeliveries(ctx, d.pool, `SELECT `+deliveryCols+` FROM outbox
			ORDER BY seq DESC LIMIT $1`, limit(lim))
	} else {
		out, err = queryDeliveries(ctx, d.pool, `SELECT `+deliveryCols+` FROM outbox
			WHERE state = $1 ORDER BY seq DESC LIMIT $2`, string(state), limit(lim))
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
	err := d.write(ctx, func(tx pgx.Tx) error {
		var state store.DeliveryState
		err := tx.QueryRow(ctx, `SELECT state FROM outbox WHERE id = $1 FOR UPDATE`, id).Scan(&state)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		if state != store.Dead {
			return fmt.Errorf("%w: it is %s, only dead deliveries are replayed", store.ErrConflict, state)
		}
		_, err = tx.Exec(ctx, `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt = $1
			WHERE id = $2`, msTime(now), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("replay delivery %q: %w", id, err)
	}
	return nil
}
