// Package replica is the read side of a cluster: on an instance that does
// not lead, it keeps the state the leader's engine committed, from the
// store and the leader's feed, and publishes it to the same consumers
// (metrics, the status page) the engine feeds on the leader. The API
// reads its snapshot. It never writes.
package replica

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/up-status/up/pipeline"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store/postgres"
)

// Source is what the replica reads: the state to start from and the
// feed. store/postgres's DB is one.
type Source interface {
	pipeline.Loader
	FeedHead(ctx context.Context) (int64, error)
	FeedLastAll(ctx context.Context) (int64, error)
	FeedAfter(ctx context.Context, seq int64, limit int) ([]postgres.FeedEntry, error)
	Listen(ctx context.Context, channels []string, listening func(), wake func(channel, payload string)) error
}

// Consumer receives every published state, as from the engine's
// pipeline (pipeline.Consumer).
type Consumer = pipeline.Consumer

// Options configure a Replica. Source is required.
type Options struct {
	Source Source
	Spec   status.Spec
	// Engine options for the engine the state is restored with.
	Engine    []status.Option
	Consumers []Consumer
	Logger    *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Poll is how often the feed is read without a notification
	// (default 2s): a NOTIFY is lost while the connection is down.
	Poll time.Duration
	// Resigned, if set, is called when a leader announces on
	// LeaderChannel that it gave the lease up, so that this instance
	// campaigns at once instead of at its next try.
	Resigned func()
}

// LeaderChannel is the channel a leader NOTIFYs when it resigns.
const LeaderChannel = "up_leader"

// batch bounds how many feed entries are read at once.
const batch = 500

// Replica follows the leader's feed. Create it with New, start it with
// Run.
type Replica struct {
	opts Options
	wake chan struct{}

	snap atomic.Pointer[status.Snapshot]
	// asOf is when the state was last known to be current: the end of
	// the latest successful read of the feed (unix nanoseconds).
	asOf atomic.Int64

	mu      sync.Mutex // guards spec, gen and restore
	spec    status.Spec
	gen     int // raised by every Reconfigure
	restore bool

	// Only Run's goroutine touches these.
	follow *status.Follow
	last   int64
}

// New returns a replica showing an empty state until Run has read the
// store.
func New(opts Options) *Replica {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Poll <= 0 {
		opts.Poll = 2 * time.Second
	}
	r := &Replica{opts: opts, wake: make(chan struct{}, 1), spec: opts.Spec, restore: true}
	r.snap.Store(&status.Snapshot{})
	return r
}

// Snapshot is the state as last published; never modify it.
func (r *Replica) Snapshot() status.Snapshot { return *r.snap.Load() }

// AsOf is when the state shown was last confirmed current (zero before
// the first read): a page that shows it older than a few seconds has
// lost its database.
func (r *Replica) AsOf() time.Time {
	n := r.asOf.Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// Reconfigure takes a new spec (a reloaded config): the state is read
// again from the store under it.
func (r *Replica) Reconfigure(spec status.Spec) {
	r.mu.Lock()
	r.spec, r.restore = spec, true
	r.gen++
	r.mu.Unlock()
	r.poke()
}

func (r *Replica) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run follows the feed until ctx ends. Errors of the database are
// logged and retried; the state shown stays as it was, and AsOf says
// since when.
func (r *Replica) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.listen(ctx)
	}()
	defer func() {
		cancel()
		wg.Wait()
	}()
	failing := false
	for ctx.Err() == nil {
		err := r.step(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			failing = true
			r.opts.Logger.Warn("cluster: reading the leader's feed failed; the page shows the last state read until it works again", "err", err)
		case err == nil && failing:
			failing = false
			r.opts.Logger.Info("cluster: reading the leader's feed again")
		}
		t := time.NewTimer(r.opts.Poll)
		select {
		case <-ctx.Done():
		case <-r.wake:
		case <-t.C:
		}
		t.Stop()
	}
	return nil
}

// listen turns notifications of new feed entries into wake-ups, and
// listens again after the connection failed.
func (r *Replica) listen(ctx context.Context) {
	for ctx.Err() == nil {
		// Entries appended while nobody listened are read once the
		// listener is back.
		err := r.opts.Source.Listen(ctx, []string{postgres.FeedChannel, LeaderChannel}, r.poke, func(ch, _ string) {
			if ch == LeaderChannel {
				if r.opts.Resigned != nil {
					r.opts.Resigned()
				}
				return
			}
			r.poke()
		})
		if err != nil && ctx.Err() == nil {
			r.opts.Logger.Debug("cluster: listening for the feed", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// step restores when asked to, then applies what the feed holds.
func (r *Replica) step(ctx context.Context) error {
	r.mu.Lock()
	restore, spec, gen := r.restore, r.spec, r.gen
	r.mu.Unlock()
	if restore || r.follow == nil {
		if err := r.load(ctx, spec, gen); err != nil {
			return err
		}
	}
	for {
		entries, err := r.opts.Source.FeedAfter(ctx, r.last, batch)
		if err != nil {
			return err
		}
		if len(entries) > 0 && entries[0].Seq != r.last+1 {
			// Entries we never saw were pruned: start over.
			r.opts.Logger.Info("cluster: fell behind the leader's feed; reading the state again", "seen", r.last, "oldest", entries[0].Seq)
			r.mu.Lock()
			r.restore = true
			r.mu.Unlock()
			return r.step(ctx)
		}
		r.apply(entries)
		if len(entries) < batch {
			r.asOf.Store(r.opts.Now().UnixNano())
			return nil
		}
	}
}

// load restores the state from the store, as a new leader does, and
// positions the feed so that every entry after the latest full check
// list is applied on top: replaying entries the store already reflects
// is harmless, and the checks' states (which the store does not keep)
// come back.
func (r *Replica) load(ctx context.Context, spec status.Spec, gen int) error {
	head, err := r.opts.Source.FeedHead(ctx)
	if err != nil {
		return err
	}
	full, err := r.opts.Source.FeedLastAll(ctx)
	if err != nil {
		return err
	}
	now := r.opts.Now()
	st, err := pipeline.Load(ctx, r.opts.Source, now)
	if err != nil {
		return err
	}
	e, err := status.New(now, spec, status.NewID, r.opts.Engine...)
	if err != nil {
		return err
	}
	e.Restore(now, st)
	r.follow = status.NewFollow(e.Snapshot(), spec)
	r.last = head
	if full > 0 && full <= head {
		r.last = full - 1
	}
	r.mu.Lock()
	if r.gen == gen { // else a newer spec came meanwhile: load again
		r.restore = false
	}
	r.mu.Unlock()
	r.publish(nil)
	return nil
}

// apply moves the state by entries and publishes it.
func (r *Replica) apply(entries []postgres.FeedEntry) {
	if len(entries) == 0 {
		return
	}
	now := r.opts.Now()
	var events []status.Event
	for _, en := range entries {
		derived := r.follow.Apply(now, en.Events, en.Checks)
		events = append(append(events, en.Events...), derived...)
		r.last = en.Seq
	}
	r.publish(events)
}

func (r *Replica) publish(events []status.Event) {
	snap := r.follow.Snapshot()
	r.snap.Store(&snap)
	for _, c := range r.opts.Consumers {
		c.Publish(events, &snap)
	}
}
