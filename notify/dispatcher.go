package notify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// Outbox is the part of store.Store the Dispatcher uses: subscribers and
// the durable queue of deliveries.
type Outbox interface {
	Subscribers(ctx context.Context) ([]store.Subscriber, error)
	SubscriberByToken(ctx context.Context, token string) (store.Subscriber, error)
	PutSubscriber(ctx context.Context, s store.Subscriber) error
	PendingSubscribers(ctx context.Context) (map[string]int, error)
	Due(ctx context.Context, subscriber string, now time.Time, limit int) ([]store.Delivery, error)
	MarkDelivery(ctx context.Context, d store.Delivery) error
}

// Config tunes a Dispatcher. Zero fields take the defaults named on them.
type Config struct {
	// Planner names the page in payloads; Planner.PageURL is required.
	Planner Planner
	// Version is sent in the User-Agent as up/<Version>; default "dev".
	Version string
	// Timeout bounds one attempt, response included; default 10s.
	Timeout time.Duration
	// MaxInFlight bounds the requests in flight over all subscribers;
	// default 64. A hanging receiver holds one slot for at most Timeout
	// and then backs off, so it takes that many receivers hanging at
	// once to delay a healthy one.
	MaxInFlight int
	// InitialBackoff is the delay after the first failed attempt; it
	// doubles after each failure up to MaxBackoff. Defaults 1s and 10m.
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
	// GiveUpAfter is how long after its creation a failing delivery is
	// kept trying before it becomes dead; default 24h.
	GiveUpAfter time.Duration
	// QuarantineAfter is how long a subscriber may fail without a single
	// success before it is quarantined; default 1h.
	QuarantineAfter time.Duration
	// PollInterval is how often the outbox is scanned without a Notify
	// call, which catches deliveries written by another process and
	// quarantine cleared behind our back; default 30s.
	PollInterval time.Duration
	// MaxResponseBody is how much of a response is read; the rest is
	// dropped with the connection. Default 64 KiB.
	MaxResponseBody int64
	// Clock defaults to the wall clock.
	Clock Clock
}

func (c Config) withDefaults() Config {
	c.Version = cmp.Or(c.Version, "dev")
	c.Timeout = cmp.Or(c.Timeout, 10*time.Second)
	c.MaxInFlight = cmp.Or(c.MaxInFlight, 64)
	c.InitialBackoff = cmp.Or(c.InitialBackoff, time.Second)
	c.MaxBackoff = cmp.Or(c.MaxBackoff, 10*time.Minute)
	c.GiveUpAfter = cmp.Or(c.GiveUpAfter, 24*time.Hour)
	c.QuarantineAfter = cmp.Or(c.QuarantineAfter, time.Hour)
	c.PollInterval = cmp.Or(c.PollInterval, 30*time.Second)
	c.MaxResponseBody = cmp.Or(c.MaxResponseBody, 64<<10)
	if c.Clock == nil {
		c.Clock = SystemClock{}
	}
	return c
}

const (
	// horizon turns Due into "the head of the queue": asking for what is
	// due this far ahead returns the oldest pending deliveries whatever
	// their retry time. It stays well inside int64 nanoseconds.
	horizon = 100 * 365 * 24 * time.Hour
	// batchSize is how many deliveries a worker reads at a time.
	batchSize = 32
	// storePause is how long a worker waits after a store error before
	// it tries again, so a failing database is not hammered (and a
	// receiver does not get the same delivery in a tight loop when its
	// outcome cannot be recorded).
	storePause = time.Second
	// storeTimeout bounds the writes that record an attempt; they run
	// even during shutdown so a finished attempt is not repeated.
	storeTimeout = 5 * time.Second
)

// Dispatcher delivers the outbox's webhooks. Create it with New, start
// Run once, and call Notify after committing new deliveries.
//
// Each attempt is a POST of the delivery's payload with Content-Type
// application/json, User-Agent up/<version>, X-Up-Event, X-Up-Delivery
// (the same on every attempt, so receivers can drop duplicates: delivery
// is at least once) and, when the subscriber has a secret,
// X-Up-Signature (see Sign). The outcome:
//
//   - 2xx: delivered.
//   - 410 Gone: the receiver unsubscribes; the subscriber is disabled and
//     its pending deliveries dropped.
//   - anything else, including 3xx (redirects are not followed: that
//     would send a signed payload to a URL nobody registered), a timeout
//     or a reset connection: retried after 1s, doubling up to 10m, with
//     jitter; GiveUpAfter (24h) after its creation the delivery is dead:
//     kept in the outbox for inspection (store.Deliveries) and for
//     store.Replay, which gives it one more attempt.
//
// A subscriber whose attempts have failed for QuarantineAfter (1h)
// without a success in between is quarantined: no attempts until
// Resume, while new webhooks keep queueing.
type Dispatcher struct {
	cfg     Config
	store   Outbox
	log     *slog.Logger
	metrics *metrics
	client  *http.Client
	ua      string
	clock   Clock

	wake    chan struct{}
	sem     chan struct{}
	running atomic.Bool
	wg      sync.WaitGroup

	mu      sync.Mutex
	workers map[string]*worker // subscribers being delivered to, by ID
	known   map[string]bool    // subscribers whose metric series exist
}

// New returns a Dispatcher over st. Its metrics are registered on reg
// (none when reg is nil); log may be nil to discard logs.
func New(cfg Config, st Outbox, reg prometheus.Registerer, log *slog.Logger) (*Dispatcher, error) {
	if st == nil {
		return nil, errors.New("notify: nil outbox")
	}
	if cfg.Planner.PageURL == "" {
		return nil, errors.New("notify: page URL is required (page.url, meta.unsubscribe)")
	}
	cfg = cfg.withDefaults()
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 0 // no global cap: one idle connection per subscriber is the common case
	tr.MaxIdleConnsPerHost = cfg.MaxInFlight
	return &Dispatcher{
		cfg:     cfg,
		store:   st,
		log:     log,
		metrics: m,
		client: &http.Client{
			Transport: tr,
			Timeout:   cfg.Timeout,
			// A redirect is answered as a failure (and retried): following
			// it would send a signed payload to a URL the subscriber's
			// owner never registered.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		ua:      "up/" + cfg.Version,
		clock:   cfg.Clock,
		wake:    make(chan struct{}, 1),
		sem:     make(chan struct{}, cfg.MaxInFlight),
		workers: map[string]*worker{},
		known:   map[string]bool{},
	}, nil
}

// Plan is d's Planner.Plan.
func (d *Dispatcher) Plan(events []status.Event, subscribers []store.Subscriber, now time.Time) []store.Delivery {
	return d.cfg.Planner.Plan(events, subscribers, now)
}

// Notify wakes Run to look at the outbox. Call it after committing new
// deliveries (or changing a subscriber); it never blocks, and calls made
// while a scan is pending fold into one.
func (d *Dispatcher) Notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers webhooks until ctx is cancelled, then waits for every
// delivery goroutine to stop and returns nil. An attempt cut short by
// the cancellation does not count; it is made again, with the same
// delivery ID, after a restart or by the next Run. Run may be called
// again once it returned (the leader of a cluster delivers while it
// leads), never twice at once.
func (d *Dispatcher) Run(ctx context.Context) error {
	if !d.running.CompareAndSwap(false, true) {
		return errors.New("notify: Run called twice")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer func() {
		cancel()
		d.wg.Wait()
		d.client.CloseIdleConnections()
		d.running.Store(false)
	}()
	for {
		d.scan(ctx)
		t := d.clock.NewTimer(d.cfg.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-d.wake:
		case <-t.C():
		}
		t.Stop()
	}
}

// Resume clears the quarantine of subscriber id so its queued webhooks
// are tried again, starting a fresh failing streak.
func (d *Dispatcher) Resume(ctx context.Context, id string) error {
	subs, err := d.store.Subscribers(ctx)
	if err != nil {
		return fmt.Errorf("notify: resume %s: %w", id, err)
	}
	for _, s := range subs {
		if s.ID != id {
			continue
		}
		s.QuarantinedAt, s.FailingSince = time.Time{}, time.Time{}
		if err := d.store.PutSubscriber(ctx, s); err != nil {
			return fmt.Errorf("notify: resume %s: %w", id, err)
		}
		d.Notify()
		return nil
	}
	return fmt.Errorf("notify: resume %s: subscriber %w", id, store.ErrNotFound)
}

// scan matches the outbox with the running workers: fresh subscriber
// copies for running workers, a new worker for each subscriber with
// pending work and none running, and dropped deliveries for subscribers
// that are disabled or gone.
func (d *Dispatcher) scan(ctx context.Context) {
	// Pending first: a subscriber is stored before deliveries to it, so
	// every subscriber with pending work is then in the list read next,
	// unless it was deleted. Read the other way round, a subscriber
	// added in between would look deleted and lose its webhooks.
	pending, err := d.store.PendingSubscribers(ctx)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("webhook outbox: list pending", "err", err)
		}
		return
	}
	subs, err := d.store.Subscribers(ctx)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("webhook outbox: list subscribers", "err", err)
		}
		return
	}
	byID := make(map[string]store.Subscriber, len(subs))
	for _, s := range subs {
		byID[s.ID] = s
	}

	d.mu.Lock()
	for id := range d.known {
		if _, ok := byID[id]; !ok {
			d.metrics.removeSubscriber(id)
			delete(d.known, id)
		}
	}
	for _, s := range subs {
		if !d.known[s.ID] {
			d.metrics.addSubscriber(s.ID)
			d.known[s.ID] = true
		}
		d.metrics.queue.WithLabelValues(s.ID).Set(float64(pending[s.ID]))
	}
	for id, w := range d.workers {
		s, ok := byID[id]
		if !ok {
			s = w.subscriber()
			s.Disabled = true // deleted: drop what is left
		}
		w.update(s)
	}
	var drop []store.Subscriber
	for id, n := range pending {
		if n == 0 || d.workers[id] != nil {
			continue
		}
		s, ok := byID[id]
		switch {
		case !ok:
			drop = append(drop, store.Subscriber{ID: id})
		case s.Disabled:
			drop = append(drop, s)
		case !s.QuarantinedAt.IsZero():
			// Kept queued, not tried: see Planner.Plan.
		default:
			w := &worker{id: id, sub: s, poke: make(chan struct{}, 1)}
			d.workers[id] = w
			d.wg.Add(1)
			go d.work(ctx, w)
		}
	}
	d.mu.Unlock()

	for _, s := range drop {
		if _, err := d.dropPending(ctx, s.ID, "subscriber disabled or deleted"); err != nil && ctx.Err() == nil {
			d.log.Error("webhook outbox: drop deliveries", "subscriber", s.ID, "err", err)
		}
	}
}

// dropPending marks every pending delivery of a subscriber dropped.
func (d *Dispatcher) dropPending(ctx context.Context, id, reason string) (int, error) {
	const page, maxPages = 100, 10_000
	n := 0
	for range maxPages {
		batch, err := d.store.Due(ctx, id, d.clock.Now().Add(horizon), page)
		if err != nil {
			return n, err
		}
		for _, dl := range batch {
			dl.State, dl.LastError = store.Dropped, reason
			if err := d.store.MarkDelivery(ctx, dl); err != nil {
				return n, err
			}
			n++
		}
		if len(batch) < page {
			if d.isKnown(id) {
				d.metrics.queue.WithLabelValues(id).Set(0)
			}
			return n, nil
		}
	}
	return n, fmt.Errorf("more than %d pending deliveries", page*maxPages)
}

func (d *Dispatcher) isKnown(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.known[id]
}

// disable stops a running worker of subscriber id from making further
// attempts, ahead of the next scan.
func (d *Dispatcher) disable(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if w := d.workers[id]; w != nil {
		s := w.subscriber()
		s.Disabled = true
		w.update(s)
	}
}

// redact drops the URL from HTTP client errors: subscriber URLs often
// carry a secret (a token in the path or query), and errors end up in
// logs and in Delivery.LastError.
func redact(err error, sub store.Subscriber) string {
	msg := err.Error()
	if sub.URL != "" {
		msg = strings.ReplaceAll(msg, sub.URL, "<url>")
		msg = strings.ReplaceAll(msg, fmt.Sprintf("%q", sub.URL), "<url>")
	}
	return msg
}
