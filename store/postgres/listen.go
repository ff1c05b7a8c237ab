package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Listen holds one of the pool's connections, LISTENs on channels and
// calls wake with each notification's channel and payload, until ctx ends
// or the connection fails; it returns the error (nil when ctx ended). A
// notification is only a wake-up: those sent while no connection
// listened are lost, so a caller reads what it missed after every
// (re)start, and polls anyway.
func (d *DB) Listen(ctx context.Context, channels []string, listening func(), wake func(channel, payload string)) error {
	pc, err := d.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	// A connection that LISTENed must not go back to the pool for
	// another's use while still listening: it leaves the pool, and is
	// closed at the end, freeing its place.
	conn := pc.Hijack()
	defer conn.Close(context.Background())
	for _, ch := range channels {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return fmt.Errorf("listen %s: %w", ch, err)
		}
	}
	if listening != nil {
		listening()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("listen: %w", err)
		}
		wake(n.Channel, n.Payload)
	}
}
