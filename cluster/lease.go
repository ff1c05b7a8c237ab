package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The lease is a row of cluster_lease, a table that store/postgres
// creates with the rest of the schema (migration 0002): a lease, not an
// advisory lock, because advisory locks do not survive PgBouncer's
// transaction pooling or a pool recycling its connection, and a half-open
// socket frees one while its old holder still acts. The database's clock
// alone decides expiry.

// DB is what the lease and the membership need of a database:
// pgxpool.Pool, pgx.Conn and pgx.Tx all have it.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// ErrNotLeader is returned by Fence when the lease is no longer held
// under the epoch given: the transaction must roll back, and its caller
// step down.
var ErrNotLeader = errors.New("cluster: this instance no longer holds the lease")

// Elector campaigns for one lease and runs the leader's work while it
// holds it. Timings follow river's and Kubernetes' leases: a 15 s lease
// renewed every 5 s.
type Elector struct {
	DB     DB
	Name   string // the lease, e.g. "engine"
	Holder string // this instance
	Log    *slog.Logger
	// TTL is how long a lease lasts unrenewed (default 15s); Renew how
	// often the leader renews it and followers try to take it (default
	// 5s, with ±20% jitter so followers do not stampede).
	TTL, Renew time.Duration
	// Wake, if set, makes a follower try at once (a NOTIFY that the
	// leader resigned).
	Wake <-chan struct{}
}

// statementTimeout bounds every lease statement: a database that does
// not answer must not keep a leader acting past its lease.
const statementTimeout = 3 * time.Second

// margin is how long before the lease's end a leader stops trusting it:
// its own clock and the database's may differ a little.
const margin = 2 * time.Second

func (e *Elector) defaults() {
	if e.TTL <= 0 {
		e.TTL = 15 * time.Second
	}
	if e.Renew <= 0 {
		e.Renew = 5 * time.Second
	}
	if e.Log == nil {
		e.Log = slog.New(slog.DiscardHandler)
	}
}

// Run campaigns until ctx ends. Whenever it wins, it calls lead with the
// lease's epoch and a context that ends as soon as the lease may be lost:
// renewal refused, or not confirmed before the lease's end minus a margin
// by this instance's clock. lead must return when its context ends; Run
// waits for it before campaigning again. At the end Run resigns, so that
// a follower takes over at once.
func (e *Elector) Run(ctx context.Context, lead func(ctx context.Context, epoch int64)) error {
	e.defaults()
	if _, err := e.exec(ctx, `INSERT INTO cluster_lease (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, e.Name); err != nil && ctx.Err() == nil {
		e.Log.Warn("lease: creating the lease row", "lease", e.Name, "err", err)
	}
	for ctx.Err() == nil {
		start := time.Now()
		epoch, err := e.acquire(ctx)
		switch {
		case err == nil:
			e.Log.Info("lease acquired", "lease", e.Name, "epoch", epoch)
			e.hold(ctx, epoch, start, lead)
			continue // lost it: campaign again at once
		case !errors.Is(err, pgx.ErrNoRows) && ctx.Err() == nil:
			e.Log.Warn("lease: campaign failed", "lease", e.Name, "err", err)
		}
		select {
		case <-ctx.Done():
		case <-e.Wake:
		case <-time.After(e.jitter()):
		}
	}
	return nil
}

// hold runs lead while the lease is renewed, then resigns if ctx ended.
func (e *Elector) hold(ctx context.Context, epoch int64, start time.Time, lead func(context.Context, int64)) {
	lctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		lead(lctx, epoch)
	}()
	trust := start.Add(e.TTL - margin)
	for {
		wait := min(e.jitter(), time.Until(trust))
		select {
		case <-ctx.Done():
			stop()
			<-done
			e.resign(epoch)
			return
		case <-done:
			// The leader's work ended by itself: hand the lease over.
			stop()
			e.resign(epoch)
			return
		case <-time.After(wait):
		}
		if time.Now().After(trust) {
			e.Log.Error("lease: not renewed in time; stepping down", "lease", e.Name, "epoch", epoch)
			break
		}
		attempt := time.Now()
		ok, err := e.renew(ctx, epoch)
		if err != nil {
			e.Log.Warn("lease: renewal failed; retrying until the lease ends", "lease", e.Name, "epoch", epoch, "err", err)
			continue
		}
		if !ok {
			e.Log.Error("lease: lost to another instance; stepping down", "lease", e.Name, "epoch", epoch)
			break
		}
		trust = attempt.Add(e.TTL - margin)
	}
	stop()
	<-done
}

func (e *Elector) jitter() time.Duration {
	f := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(e.Renew) * f)
}

// acquire takes the lease if it is free or expired by the database's
// clock, raising its epoch. pgx.ErrNoRows means somebody holds it.
func (e *Elector) acquire(ctx context.Context) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	var epoch int64
	err := e.DB.QueryRow(ctx, `
UPDATE cluster_lease
   SET holder = $2, epoch = epoch + 1, acquired_at = now(), expires_at = now() + $3::interval
 WHERE name = $1 AND (holder IS NULL OR expires_at < now())
RETURNING epoch`, e.Name, e.Holder, e.TTL.String()).Scan(&epoch)
	return epoch, err
}

// renew extends the lease held under epoch; false means it is no longer
// this instance's.
func (e *Elector) renew(ctx context.Context, epoch int64) (bool, error) {
	tag, err := e.exec(ctx, `
UPDATE cluster_lease SET expires_at = now() + $4::interval
 WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > now()`, e.Name, e.Holder, epoch, e.TTL.String())
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// resign gives the lease up and wakes the followers.
func (e *Elector) resign(epoch int64) {
	ctx := context.Background()
	if _, err := e.exec(ctx, `UPDATE cluster_lease SET holder = NULL, expires_at = now() WHERE name = $1 AND holder = $2 AND epoch = $3`,
		e.Name, e.Holder, epoch); err != nil {
		e.Log.Warn("lease: resigning failed; it expires by itself", "lease", e.Name, "err", err)
		return
	}
	if _, err := e.exec(ctx, `SELECT pg_notify('up_leader', $1)`, e.Name); err != nil {
		e.Log.Debug("lease: notify failed", "err", err)
	}
	e.Log.Info("lease resigned", "lease", e.Name, "epoch", epoch)
}

func (e *Elector) exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	ctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	return e.DB.Exec(ctx, sql, args...)
}

// Fence is the first statement of every transaction of a leader: it locks
// the lease row in share mode and checks that holder still holds name
// under epoch, unexpired by the database's clock. A leader paused past its
// lease (a stopped process, a long GC, a partition) finds ErrNotLeader
// here and can never commit. The share lock makes a takeover wait for the
// transaction to end, so no commit straddles two epochs; for the same
// reason a leader's connections must set idle_in_transaction_session_timeout
// well below the TTL, so that a leader paused inside a transaction loses
// its session, and the lock, before a follower's takeover times out.
func Fence(ctx context.Context, tx DB, name, holder string, epoch int64) error {
	var one int
	err := tx.QueryRow(ctx, `
SELECT 1 FROM cluster_lease
 WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > now()
   FOR SHARE`, name, holder, epoch).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotLeader
	}
	if err != nil {
		return fmt.Errorf("cluster: checking the lease: %w", err)
	}
	return nil
}
