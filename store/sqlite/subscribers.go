package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/up-status/up/store"
)

const subscriberCols = `id, url, secret, events, components, token, quarantined_at,
	failing_since, disabled, from_config, created_at`

// Subscribers lists every subscriber in the order they were first stored.
func (d *DB) Subscribers(ctx context.Context) ([]store.Subscriber, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT `+subscriberCols+` FROM subscribers ORDER BY rowid`)
	if err != nil {
		return nil, fmt.Errorf("subscribers: %w", err)
	}
	defer rows.Close()
	var ss []store.Subscriber
	for rows.Next() {
		s, err := scanSubscriber(rows)
		if err != nil {
			return nil, fmt.Errorf("subscribers: %w", err)
		}
		ss = append(ss, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("subscribers: %w", err)
	}
	return ss, nil
}

func scanSubscriber(sc scanner) (store.Subscriber, error) {
	var s store.Subscriber
	var token sql.NullString
	err := sc.Scan(&s.ID, &s.URL, &s.Secret, listCol{&s.Events}, listCol{&s.Components}, &token,
		timeCol{&s.QuarantinedAt}, timeCol{&s.FailingSince}, &s.Disabled, &s.FromConfig,
		timeCol{&s.CreatedAt})
	s.Token = token.String
	return s, err
}

// PutSubscriber creates or replaces a subscriber by id. Tokens are unique;
// an empty token is stored as none.
func (d *DB) PutSubscriber(ctx context.Context, s store.Subscriber) error {
	if s.ID == "" {
		return errors.New("put subscriber: subscriber without id")
	}
	events, err := idList(s.Events)
	if err != nil {
		return fmt.Errorf("put subscriber %q: %w", s.ID, err)
	}
	comps, err := idList(s.Components)
	if err != nil {
		return fmt.Errorf("put subscriber %q: %w", s.ID, err)
	}
	_, err = d.w.ExecContext(ctx, `INSERT INTO subscribers (`+subscriberCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET url = excluded.url, secret = excluded.secret,
			events = excluded.events, components = excluded.components, token = excluded.token,
			quarantined_at = excluded.quarantined_at, failing_since = excluded.failing_since,
			disabled = excluded.disabled, from_config = excluded.from_config,
			created_at = excluded.created_at`,
		s.ID, s.URL, s.Secret, events, comps, nullString(s.Token), msTime(s.QuarantinedAt),
		msTime(s.FailingSince), s.Disabled, s.FromConfig, msTime(s.CreatedAt))
	if err != nil {
		return fmt.Errorf("put subscriber %q: %w", s.ID, err)
	}
	return nil
}

// SubscriberByToken finds the subscriber an unsubscribe link points to.
func (d *DB) SubscriberByToken(ctx context.Context, token string) (store.Subscriber, error) {
	if token == "" {
		return store.Subscriber{}, fmt.Errorf("subscriber by token: %w", store.ErrNotFound)
	}
	s, err := scanSubscriber(d.r.QueryRowContext(ctx,
		`SELECT `+subscriberCols+` FROM subscribers WHERE token = ?`, token))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Subscriber{}, fmt.Errorf("subscriber by token: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.Subscriber{}, fmt.Errorf("subscriber by token: %w", err)
	}
	return s, nil
}

// DeleteSubscriber deletes a subscriber and, in the same transaction,
// marks its pending deliveries dropped: nobody is left to deliver them to,
// and a subscriber later created with the same id must not receive a
// stale backlog. It returns store.ErrNotFound if there is none.
func (d *DB) DeleteSubscriber(ctx context.Context, id string) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM subscribers WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.ErrNotFound
		}
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET state = ? WHERE subscriber = ? AND state = ?`,
			string(store.Dropped), id, string(store.Pending))
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("subscriber %q: %w", id, err)
	}
	if err != nil {
		return fmt.Errorf("delete subscriber %q: %w", id, err)
	}
	return nil
}
