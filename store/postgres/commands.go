package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// CommandChannel is the channel on which a follower announces a new
// command (payload "new") and the leader a finished one (its id).
const CommandChannel = "up_commands"

// Command is an API write a follower received, for the leader to run.
// Request and Response are opaque to the store.
type Command struct {
	ID       string
	Instance string
	Request  []byte
}

// PutCommand queues a command and wakes the leader.
func (d *DB) PutCommand(ctx context.Context, c Command) error {
	err := d.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO cluster_command (id, instance, request) VALUES ($1, $2, $3)`, c.ID, c.Instance, c.Request); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT pg_notify($1, 'new')`, CommandChannel)
		return err
	})
	if err != nil {
		return fmt.Errorf("put command: %w", err)
	}
	return nil
}

// CommandResponse is the leader's response to command id; ok is false
// while it has none.
func (d *DB) CommandResponse(ctx context.Context, id string) (resp []byte, ok bool, err error) {
	err = d.pool.QueryRow(ctx, `SELECT response FROM cluster_command WHERE id = $1 AND done_at IS NOT NULL`, id).Scan(&resp)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("command %s: %w", id, err)
	}
	return resp, true, nil
}

// WithdrawCommand deletes command id if no leader claimed it yet, so a
// follower that gave up waiting can answer that nothing was done. It
// reports whether it did; false means a leader has it (or had it).
func (d *DB) WithdrawCommand(ctx context.Context, id string) (bool, error) {
	tag, err := d.pool.Exec(ctx, `DELETE FROM cluster_command WHERE id = $1 AND claimed_by IS NULL`, id)
	if err != nil {
		return false, fmt.Errorf("withdraw command %s: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ClaimCommands marks up to limit pending commands, oldest first, as the
// holder's and returns them. Commands older than maxAge are left alone:
// their follower has answered 503 already. Through a leader's view the
// claim is fenced.
func (d *DB) ClaimCommands(ctx context.Context, holder string, maxAge time.Duration, limit int) ([]Command, error) {
	var out []Command
	err := d.write(ctx, func(tx pgx.Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, `
UPDATE cluster_command SET claimed_by = $1, epoch = $2
 WHERE id IN (SELECT id FROM cluster_command
               WHERE claimed_by IS NULL AND created_at > now() - $3::interval
               ORDER BY created_at LIMIT $4 FOR UPDATE SKIP LOCKED)
RETURNING id, instance, request, created_at`, holder, d.epoch, maxAge.String(), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		var at []time.Time
		for rows.Next() {
			var c Command
			var t time.Time
			if err := rows.Scan(&c.ID, &c.Instance, &c.Request, &t); err != nil {
				return err
			}
			out = append(out, c)
			at = append(at, t)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// In arrival order, as a single node would have served them.
		for i := 1; i < len(out); i++ {
			for j := i; j > 0 && at[j].Before(at[j-1]); j-- {
				at[j], at[j-1] = at[j-1], at[j]
				out[j], out[j-1] = out[j-1], out[j]
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim commands: %w", err)
	}
	return out, nil
}

// FinishCommand stores the response to command id and wakes its
// follower.
func (d *DB) FinishCommand(ctx context.Context, id string, resp []byte) error {
	err := d.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE cluster_command SET response = $2, done_at = now() WHERE id = $1`, id, resp); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, CommandChannel, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("finish command %s: %w", id, err)
	}
	return nil
}

// PruneCommands deletes commands older than age.
func (d *DB) PruneCommands(ctx context.Context, age time.Duration) error {
	_, err := d.pool.Exec(ctx, `DELETE FROM cluster_command WHERE created_at < now() - $1::interval`, age.String())
	if err != nil {
		return fmt.Errorf("prune commands: %w", err)
	}
	return nil
}
