package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/store"
)

const subscriberCols = `id, url, secret, events, components, token, quarantined_at,
	failing_since, disabled, from_config, created_at`

// Subscribers lists every subscriber in the order they were first stored.
func (d *DB) Subscribers(ctx context.Context) ([]store.Subscriber, error) {
	rows, err := d.pool.Query(ctx, `SELECT `+subscriberCols+` FROM subscribers ORDER BY ord`)
	if err != nil {
		return nil, fmt.Errorf("subscribers: %w", err)
	}
	ss, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Subscriber, error) { return scanSubscriber(r) })
	if err != nil {
		return nil, fmt.Errorf("subscribers: %w", err)
	}
	if len(ss) == 0 {
		return nil, nil
	}
	return ss, nil
}

func scanSubscriber(sc pgx.Row) (store.Subscriber, error) {
	var s store.Subscriber
	var token *string
	err := sc.Scan(&s.ID, &s.URL, &s.Secret, &s.Events, &s.Components, &token,
		timeCol{&s.QuarantinedAt}, timeCol{&s.FailingSince}, &s.Disabled, &s.FromConfig,
		timeCol{&s.CreatedAt})
	if token != nil {
		s.Token = *token
	}
	return s, err
}

// PutSubscriber creates or replaces a subscriber by id. Tokens are unique;
// an empty token is stored as none.
func (d *DB) PutSubscriber(ctx context.Context, s store.Subscriber) error {
	if s.ID == "" {
		return errors.New("put subscriber: subscriber without id")
	}
	_, err := d.pool.Exec(ctx, `INSERT INTO subscribers (`+subscriberCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (id) DO UPDATE SET url = excluded.url, secret = excluded.secret,
			events = excluded.events, components = excluded.components, token = excluded.token,
			quarantined_at = excluded.quarantined_at, failing_since = excluded.failing_since,
			disabled = excluded.disabled, from_config = excluded.from_config,
			created_at = excluded.created_at`,
		s.ID, s.URL, s.Secret, idList(s.Events), idList(s.Components), nullString(s.Token), ts(s.QuarantinedAt),
		ts(s.FailingSince), s.Disabled, s.FromConfig, ts(s.CreatedAt))
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
	s, err := scanSubscriber(d.pool.QueryRow(ctx,
		`SELECT `+subscriberCols+` FROM subscribers WHERE token = $1`, token))
	if errors.Is(err, pgx.ErrNoRows) {
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
	err := d.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM subscribers WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return store.ErrNotFound
		}
		_, err = tx.Exec(ctx, `UPDATE outbox SET state = 'dropped' WHERE subscriber = $1 AND state = 'pending'`, id)
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
