package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/status"
)

// The feed is how the followers of a cluster learn what the leader's
// engine did: an ordered log of committed events and of check states,
// numbered without gaps (see migration 0003), read after a NOTIFY on
// FeedChannel or a poll.

// FeedChannel is the channel a leader NOTIFYs with the new head's
// sequence number after appending to the feed.
const FeedChannel = "up_events"

// Feed entry kinds.
const (
	// FeedEvents holds committed engine events (no check events).
	FeedEvents = "events"
	// FeedChecks holds the latest state of checks that got results.
	FeedChecks = "checks"
	// FeedAllChecks holds the state of every check: a leader writes one
	// when it takes over and every few minutes, so that a reader starting
	// from the store (which keeps no check states) can replay from it.
	FeedAllChecks = "checks.all"
)

// FeedEntry is one entry of the feed: Events for FeedEvents, Checks for
// FeedChecks and FeedAllChecks.
type FeedEntry struct {
	Seq    int64
	Epoch  int64
	At     time.Time
	Kind   string
	Events []status.Event
	Checks []status.CheckStatus
}

// Leader returns a view of d for the holder of the engine lease under
// epoch: every write transaction through it starts with fence (which
// returns an error once the lease is lost, cluster.Fence), and Apply
// appends the events it commits to the feed. The view shares d's pool;
// closing it does nothing.
func (d *DB) Leader(epoch int64, fence func(ctx context.Context, tx pgx.Tx) error) *DB {
	return &DB{pool: d.pool, name: d.name, now: d.now, fence: fence, epoch: epoch, view: true}
}

// AppendChecks adds the states of checks to the feed: all of them when
// all is set (FeedAllChecks), else those that got results. Only a
// leader's view may call it.
func (d *DB) AppendChecks(ctx context.Context, checks []status.CheckStatus, all bool) error {
	if d.epoch == 0 {
		return errors.New("append checks: not a leader's view")
	}
	kind := FeedChecks
	if all {
		kind = FeedAllChecks
	} else if len(checks) == 0 {
		return nil
	}
	err := d.write(ctx, func(tx pgx.Tx) error { return appendFeed(ctx, tx, d.epoch, kind, checks) })
	if err != nil {
		return fmt.Errorf("append checks: %w", err)
	}
	return nil
}

// appendFeed adds one entry under the head's row lock, which numbers it
// in commit order, and wakes the readers when tx commits.
func appendFeed(ctx context.Context, tx pgx.Tx, epoch int64, kind string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	var seq int64
	if err := tx.QueryRow(ctx, `UPDATE event_head SET seq = seq + 1 WHERE id = 1 RETURNING seq`).Scan(&seq); err != nil {
		return fmt.Errorf("feed head: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO event_log (seq, epoch, kind, body) VALUES ($1, $2, $3, $4)`, seq, epoch, kind, body); err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	_, err = tx.Exec(ctx, `SELECT pg_notify($1, $2)`, FeedChannel, strconv.FormatInt(seq, 10))
	return err
}

// FeedHead is the sequence number of the latest feed entry (0 for none).
// Loading the state after reading it and then reading the feed after it
// misses nothing: entries carry whole objects, so one applied twice is
// harmless.
func (d *DB) FeedHead(ctx context.Context) (int64, error) {
	var seq int64
	if err := d.pool.QueryRow(ctx, `SELECT seq FROM event_head WHERE id = 1`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("feed head: %w", err)
	}
	return seq, nil
}

// FeedAfter returns up to limit entries after seq, in order. When the
// first one is not seq+1 the entries in between were pruned: the reader
// must load the state again.
func (d *DB) FeedAfter(ctx context.Context, seq int64, limit int) ([]FeedEntry, error) {
	rows, err := d.pool.Query(ctx, `SELECT seq, epoch, at, kind, body FROM event_log WHERE seq > $1 ORDER BY seq LIMIT $2`, seq, limit)
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	defer rows.Close()
	var out []FeedEntry
	for rows.Next() {
		var e FeedEntry
		var body []byte
		if err := rows.Scan(&e.Seq, &e.Epoch, &e.At, &e.Kind, &body); err != nil {
			return nil, fmt.Errorf("feed: %w", err)
		}
		switch e.Kind {
		case FeedEvents:
			err = json.Unmarshal(body, &e.Events)
		case FeedChecks, FeedAllChecks:
			err = json.Unmarshal(body, &e.Checks)
		}
		if err != nil {
			return nil, fmt.Errorf("feed entry %d: %w", e.Seq, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	return out, nil
}

// FeedLastAll is the sequence number of the latest FeedAllChecks entry,
// 0 when there is none.
func (d *DB) FeedLastAll(ctx context.Context) (int64, error) {
	var seq int64
	err := d.pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM event_log WHERE kind = $1`, FeedAllChecks).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("feed: %w", err)
	}
	return seq, nil
}

// PruneFeed deletes feed entries older than keep by the database's
// clock, but never the latest FeedAllChecks entry nor any after it, so
// that a reader can always start from one.
func (d *DB) PruneFeed(ctx context.Context, keep time.Duration) error {
	return d.write(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
DELETE FROM event_log
 WHERE at < now() - $1::interval
   AND seq < (SELECT coalesce(max(seq), 0) FROM event_log WHERE kind = $2)`, keep.String(), FeedAllChecks)
		return err
	})
}
