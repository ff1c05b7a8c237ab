package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/up-status/up/store"
)

// worker is the goroutine that delivers one subscriber's queue, strictly
// in order: the head delivery blocks the rest until it is delivered,
// dead or dropped.
type worker struct {
	id   string
	poke chan struct{} // capacity 1: "look at the queue and subscriber again"

	mu  sync.Mutex
	sub store.Subscriber // latest copy from the store
}

func (w *worker) subscriber() store.Subscriber {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sub
}

// update hands the worker a fresh copy of its subscriber and pokes it.
func (w *worker) update(s store.Subscriber) {
	w.mu.Lock()
	w.sub = s
	w.mu.Unlock()
	select {
	case w.poke <- struct{}{}:
	default:
	}
}

// retire removes w from the running workers unless it was poked since it
// last looked, in which case it must look again: the poke may announce
// deliveries committed after its last read, and scan does not start a
// second worker while w is registered. force skips that check (shutdown);
// empty says the queue was just found empty.
func (d *Dispatcher) retire(w *worker, force, empty bool) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !force {
		select {
		case <-w.poke:
			return false
		default:
		}
	}
	delete(d.workers, w.id)
	if empty && d.known[w.id] {
		// The queue is empty right now: an exact depth, which also
		// corrects any drift from a scan racing with deliveries.
		d.metrics.queue.WithLabelValues(w.id).Set(0)
	}
	return true
}

// work is the loop of one subscriber's goroutine.
func (d *Dispatcher) work(ctx context.Context, w *worker) {
	defer d.wg.Done()
	// The failing streak is the worker's own: a scan may hand it a
	// subscriber copy read just before the worker saved the streak.
	streak := w.subscriber().FailingSince
	for {
		if ctx.Err() != nil {
			d.retire(w, true, false)
			return
		}
		sub := w.subscriber()
		if !sub.QuarantinedAt.IsZero() {
			if d.retire(w, false, false) {
				return
			}
			continue
		}
		if sub.Disabled {
			if _, err := d.dropPending(ctx, sub.ID, "subscriber disabled or deleted"); err != nil {
				d.logStoreError(ctx, "drop deliveries", sub.ID, err)
				d.sleep(ctx, w, storePause)
				continue
			}
			if d.retire(w, false, true) {
				return
			}
			continue
		}
		batch, err := d.store.Due(ctx, sub.ID, d.clock.Now().Add(horizon), batchSize)
		if err != nil {
			d.logStoreError(ctx, "read queue", sub.ID, err)
			d.sleep(ctx, w, storePause)
			continue
		}
		if len(batch) == 0 {
			if d.retire(w, false, true) {
				return
			}
			continue
		}
		for _, dl := range batch {
			if wait := dl.NextAttempt.Sub(d.clock.Now()); wait > 0 {
				// Read the queue again after the wait: it may have been
				// poked because the subscriber or its queue changed.
				d.sleep(ctx, w, wait)
				break
			}
			cur := w.subscriber()
			if cur.Disabled || !cur.QuarantinedAt.IsZero() {
				break
			}
			if !d.attempt(ctx, w, cur, dl, &streak) {
				break
			}
		}
	}
}

// sleep waits for dur, a poke or the end of ctx, whichever comes first.
func (d *Dispatcher) sleep(ctx context.Context, w *worker, dur time.Duration) {
	t := d.clock.NewTimer(dur)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-w.poke:
	case <-t.C():
	}
}

func (d *Dispatcher) logStoreError(ctx context.Context, what, sub string, err error) {
	if ctx.Err() == nil {
		d.log.Error("webhook outbox: "+what, "subscriber", sub, "err", err)
	}
}

// attempt sends dl once and records the outcome. It reports whether the
// worker may go on with the next delivery of the queue: true after a
// success or a give-up, false when dl is to be retried, the subscriber
// is gone or quarantined, or the outcome could not be recorded.
func (d *Dispatcher) attempt(ctx context.Context, w *worker, sub store.Subscriber, dl store.Delivery, streak *time.Time) bool {
	select {
	case d.sem <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	start := time.Now()
	code, excerpt, err := d.post(ctx, sub, dl)
	elapsed := time.Since(start)
	<-d.sem
	if err != nil && ctx.Err() != nil {
		// Cut short by shutdown: not the receiver's fault, not counted.
		return false
	}
	d.metrics.duration.Observe(elapsed.Seconds())

	// Record the outcome even if shutdown starts now: a finished attempt
	// that is not recorded would be made again.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	now := d.clock.Now()
	dl.Attempts++
	dl.LastAttempt = now
	log := d.log.With("subscriber", sub.ID, "delivery", dl.ID, "event", dl.Event, "attempt", dl.Attempts)

	switch {
	case err == nil && code >= 200 && code < 300:
		dl.State, dl.LastError = store.Delivered, ""
		if !d.mark(ctx, wctx, w, dl) {
			return false
		}
		d.count(sub.ID, dl.Event, resultSuccess)
		d.metrics.queue.WithLabelValues(sub.ID).Dec()
		log.Debug("webhook delivered", "status", code, "duration", elapsed)
		if !streak.IsZero() {
			*streak = time.Time{}
			d.saveSubscriber(wctx, sub, func(s *store.Subscriber) { s.FailingSince = time.Time{} })
		}
		return true

	case err == nil && code == http.StatusGone:
		dl.State, dl.LastError = store.Dropped, "HTTP 410: receiver unsubscribed"
		if !d.mark(ctx, wctx, w, dl) {
			return false
		}
		d.count(sub.ID, dl.Event, resultGone)
		log.Info("webhook receiver answered 410 Gone; unsubscribing")
		if err := d.unsubscribe(wctx, sub, "receiver answered 410 Gone"); err != nil {
			log.Error("webhook unsubscribe", "err", err)
		}
		return false
	}

	if err != nil {
		dl.LastError = redact(err, sub)
	} else {
		dl.LastError = fmt.Sprintf("HTTP %d", code)
		if code >= 300 && code < 400 {
			dl.LastError += " (redirects are not followed)"
		}
		if excerpt != "" {
			dl.LastError += ": " + excerpt
		}
	}
	deadline := dl.CreatedAt.Add(d.cfg.GiveUpAfter)
	giveUp := !now.Before(deadline)
	if giveUp {
		dl.State = store.Dead
	} else {
		// The last retry is made at the deadline rather than past it,
		// so a delivery is given up GiveUpAfter after its creation.
		dl.NextAttempt = now.Add(d.backoff(dl.Attempts))
		if dl.NextAttempt.After(deadline) {
			dl.NextAttempt = deadline
		}
	}
	if !d.mark(ctx, wctx, w, dl) {
		return false
	}
	if giveUp {
		d.count(sub.ID, dl.Event, resultDead)
		d.metrics.queue.WithLabelValues(sub.ID).Dec()
		log.Warn("webhook given up", "err", dl.LastError, "age", now.Sub(dl.CreatedAt))
	} else {
		d.count(sub.ID, dl.Event, resultFailure)
		log.Info("webhook attempt failed", "err", dl.LastError, "retry_in", dl.NextAttempt.Sub(now))
	}

	switch {
	case streak.IsZero():
		*streak = now
		d.saveSubscriber(wctx, sub, func(s *store.Subscriber) { s.FailingSince = now })
	case now.Sub(*streak) >= d.cfg.QuarantineAfter:
		since := *streak
		log.Warn("webhook subscriber quarantined: failing without a success", "since", since)
		d.saveSubscriber(wctx, sub, func(s *store.Subscriber) {
			s.FailingSince, s.QuarantinedAt = since, now
		})
		w.mu.Lock()
		w.sub.QuarantinedAt = now
		w.mu.Unlock()
		return false
	}
	// A dead head no longer blocks the queue.
	return giveUp
}

// mark records dl under wctx; on failure the worker pauses (until ctx
// ends at the latest), so that a store that cannot record outcomes does
// not turn into a flood of repeated requests.
func (d *Dispatcher) mark(ctx, wctx context.Context, w *worker, dl store.Delivery) bool {
	if err := d.store.MarkDelivery(wctx, dl); err != nil {
		d.log.Error("webhook outbox: record attempt", "subscriber", dl.Subscriber, "delivery", dl.ID, "err", err)
		d.sleep(ctx, w, storePause)
		return false
	}
	return true
}

func (d *Dispatcher) count(sub, event, result string) {
	d.metrics.deliveries.WithLabelValues(sub, event, result).Inc()
}

// saveSubscriber changes the fields the Dispatcher owns (FailingSince,
// QuarantinedAt, Disabled) on a fresh copy of the subscriber, so that an
// edit made through the API since sub was read is kept, and a subscriber
// deleted meanwhile is not brought back. (An edit landing between this
// read and write is lost; the store offers no compare-and-swap, and the
// window is a few milliseconds on a rare path.)
func (d *Dispatcher) saveSubscriber(ctx context.Context, sub store.Subscriber, change func(*store.Subscriber)) error {
	subs, err := d.store.Subscribers(ctx)
	if err != nil {
		d.log.Error("webhook outbox: read subscriber", "subscriber", sub.ID, "err", err)
		return err
	}
	for _, fresh := range subs {
		if fresh.ID != sub.ID {
			continue
		}
		change(&fresh)
		if err := d.store.PutSubscriber(ctx, fresh); err != nil {
			d.log.Error("webhook outbox: save subscriber", "subscriber", sub.ID, "err", err)
			return err
		}
		return nil
	}
	return fmt.Errorf("subscriber %s: %w", sub.ID, store.ErrNotFound)
}

// unsubscribe disables sub and drops its pending deliveries.
func (d *Dispatcher) unsubscribe(ctx context.Context, sub store.Subscriber, reason string) error {
	if err := d.saveSubscriber(ctx, sub, func(s *store.Subscriber) { s.Disabled = true }); err != nil {
		return fmt.Errorf("disable subscriber %s: %w", sub.ID, err)
	}
	d.disable(sub.ID)
	if _, err := d.dropPending(ctx, sub.ID, reason); err != nil {
		return fmt.Errorf("drop deliveries of %s: %w", sub.ID, err)
	}
	return nil
}

// post sends one attempt and returns the status code and the start of
// the response body. At most MaxResponseBody bytes are read; a longer
// body is cut off by closing the connection.
func (d *Dispatcher) post(ctx context.Context, sub store.Subscriber, dl store.Delivery) (code int, excerpt string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.URL, bytes.NewReader(dl.Payload))
	if err != nil {
		return 0, "", fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", d.ua)
	req.Header.Set("X-Up-Event", dl.Event)
	req.Header.Set("X-Up-Delivery", dl.ID)
	if sub.Secret != "" {
		req.Header.Set("X-Up-Signature", Sign(sub.Secret, dl.Payload))
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	// The status code decides; a body that fails or stops midway does
	// not change the outcome.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, d.cfg.MaxResponseBody))
	return resp.StatusCode, excerptOf(body), nil
}

// excerptOf keeps the start of a response body for Delivery.LastError.
func excerptOf(body []byte) string {
	const max = 200
	if len(body) > max {
		body = body[:max]
	}
	// Cutting may split a character; ToValidUTF8 drops the piece.
	s := strings.ToValidUTF8(string(body), "")
	return strings.Join(strings.Fields(s), " ")
}

// backoff is the delay after the n-th failed attempt: InitialBackoff
// doubled n-1 times, capped at MaxBackoff, minus up to a fifth of it at
// random. The jitter spreads the retries of subscribers that failed
// together (a receiver's outage) and never goes past the cap.
func (d *Dispatcher) backoff(n int) time.Duration {
	delay := d.cfg.InitialBackoff
	for i := 1; i < n && delay < d.cfg.MaxBackoff; i++ {
		delay *= 2
	}
	delay = min(delay, d.cfg.MaxBackoff)
	if j := delay / 5; j > 0 {
		delay -= rand.N(j)
	}
	return delay
}

// Sign returns the X-Up-Signature value of body under secret:
// "sha256=" and the hex HMAC-SHA256.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature (an X-Up-Signature value) is body's
// signature under secret, in constant time. Receivers written in Go can
// use it.
func Verify(secret string, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(signature))
}
