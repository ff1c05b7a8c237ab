package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/up-status/up/probe"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// The engine stage: one goroutine owns the engine and takes, in turn,
// probe results, API writes and the clock.

func (p *Pipeline) loop(ctx context.Context) {
	defer close(p.done)
	tick := time.NewTicker(p.tickEvery)
	defer tick.Stop()
	p.pubT = time.NewTimer(time.Hour)
	p.pubT.Stop()
	lastFlush := p.now()
	for {
		select {
		case <-ctx.Done():
			p.stop()
			return
		case r := <-p.in:
			p.observe(r)
		case c := <-p.cmds:
			c.done <- p.change(c.ctx, c.fn)
		case q := <-p.queries:
			q()
		case <-tick.C:
			p.tick()
			if now := p.now(); now.Sub(lastFlush) >= p.flushE || now.Before(lastFlush) {
				p.flush(now)
				lastFlush = now
			}
		case <-p.pubT.C:
			p.pubOn = false
			p.publishSoon()
		case <-p.commit.settled:
			if p.dirty && !p.held.IsZero() {
				p.pubT.Stop()
				p.pubOn = false
				p.publishSoon()
			}
		}
	}
}

// stop finishes the engine stage's work at shutdown.
func (p *Pipeline) stop() {
	for {
		select {
		case r := <-p.in:
			p.observe(r)
			continue
		case c := <-p.cmds:
			c.done <- ErrStopped
			continue
		default:
		}
		break
	}
	p.tick()
	// The minute still running is saved too: shutting down must not
	// lose up to a minute of response times.
	p.flush(p.now().Add(time.Minute))
	p.pubT.Stop()
	p.publish()
}

func (p *Pipeline) observe(r probe.Result) {
	if r.Local {
		p.localFailure(r)
		return
	}
	if p.results != nil {
		p.results(r)
	}
	if msg, ok := p.local[r.CheckID]; ok {
		delete(p.local, r.CheckID)
		p.log.Info("probes work again after a local error of up", "check", r.CheckID, "was", msg)
	}
	o := status.Observation{CheckID: r.CheckID, Latency: r.Duration, Outcome: status.OK}
	switch {
	case !r.Success:
		o.Outcome, o.Err = status.Fail, r.Err
	case r.Degraded != "":
		o.Outcome, o.Err = status.Slow, r.Degraded
	}
	now := p.now()
	var events []status.Event
	if p.regional[r.CheckID] {
		rep, _ := p.regions.Observe(now, r.Region, o)
		p.strays.Store(p.regions.Strays())
		if rep.CheckID == "" {
			return // from a region the check is not probed from
		}
		events = p.engine.Report(now, rep)
	} else {
		events = p.engine.Observe(now, o)
	}
	if r.Success {
		p.latency.Add(r.CheckID, now, r.Duration)
	}
	p.after(events)
	// Every result changes the check's last result, latency and error,
	// which /status and the page show: publish even without an event.
	p.dirty = true
	p.publishSoon()
}

// localFailure handles a probe that could not be made because of up
// itself (out of file descriptors, buffers, memory): it says nothing
// about the target, so the engine never sees it and the check keeps its
// state. It is logged once per check until a probe works again.
func (p *Pipeline) localFailure(r probe.Result) {
	p.localErrors.Add(1)
	if _, ok := p.local[r.CheckID]; ok {
		return
	}
	p.local[r.CheckID] = r.Err
	p.log.Error("probe not made: a local error of up, not of the target; the check keeps its state",
		"check", r.CheckID, "err", r.Err)
}

func (p *Pipeline) tick() {
	now := p.now()
	// Regions whose results grew old stop counting toward the quorum.
	for _, rep := range p.regions.Tick(now) {
		p.after(p.engine.Report(now, rep))
	}
	p.after(p.engine.Tick(now))
}

// change runs an API write: on a copy of the engine, committed before
// the copy replaces the engine (see Change).
func (p *Pipeline) change(ctx context.Context, fn func(e *status.Engine, now time.Time) ([]status.Event, error)) error {
	now := p.now()
	next := p.engine.Clone()
	events, err := fn(next, now)
	if err != nil {
		return err
	}
	if err := p.commit.commitNow(ctx, stored(events)); err != nil {
		return fmt.Errorf("%w: %v", store.ErrUnavailable, err)
	}
	p.engine = next
	p.forget(events)
	p.unpub = append(p.unpub, events...)
	p.dirty = true
	p.pubT.Stop()
	p.pubOn = false
	p.publish() // at once: the client reads its own write
	return nil
}

// after passes the events of one engine call on: to the commit stage
// those the store keeps, to the views all of them.
func (p *Pipeline) after(events []status.Event) {
	if len(events) == 0 {
		return
	}
	p.commit.add(stored(events))
	p.forget(events)
	p.unpub = append(p.unpub, events...)
	p.dirty = true
	p.publishSoon()
}

// forget drops the response times gathered for checks that are gone.
func (p *Pipeline) forget(events []status.Event) {
	for _, ev := range events {
		if ev.Kind == status.CheckDeleted && ev.Check != nil {
			p.latency.Forget(ev.Check.ID)
			delete(p.local, ev.Check.ID)
		}
	}
}

// flush hands the uptime, and the response times of the minutes ended by
// until, to the commit stage.
func (p *Pipeline) flush(until time.Time) {
	buckets := p.engine.DrainUptime()
	points := p.latency.Drain(until)
	if len(buckets) == 0 && len(points) == 0 {
		return
	}
	samples := make([]store.UptimeSample, len(buckets))
	for i, b := range buckets {
		samples[i] = store.UptimeSample{CheckID: b.CheckID, Hour: b.Hour, Up: b.Up, Down: b.Down, Maintenance: b.Maintenance}
	}
	metrics := make([]store.Metric, len(points))
	for i, pt := range points {
		metrics[i] = store.Metric{
			ID: pt.CheckID, Name: pt.CheckID + " response time", Unit: "ms",
			Points: []store.Point{{Time: pt.Minute, Value: float64(pt.Average.Microseconds()) / 1000}},
		}
	}
	p.commit.addHistory(samples, metrics)
}
