package pipeline

import "time"

// The views: snapshots with the events since the last one, for the
// consumers and the API.

// maxHold is the longest a publication waits for a slow store: past it
// the page shows what the probes see, saved or not.
const maxHold = 2 * time.Second

// publishSoon publishes now if the last publication is old enough and
// the events it carries are committed, else arms the timer: for the rest
// of the gap, or for as long as a slow store may hold the page.
func (p *Pipeline) publishSoon() {
	if p.pubOn || !p.dirty {
		return
	}
	now := p.now()
	if wait := p.gap - now.Sub(p.lastPub); wait > 0 {
		p.pubT.Reset(wait)
		p.pubOn = true
		return
	}
	if !p.commit.caughtUp() {
		if p.held.IsZero() {
			p.held = now
		}
		if wait := maxHold - now.Sub(p.held); wait > 0 {
			p.pubT.Reset(wait)
			p.pubOn = true
			return
		}
	}
	p.publish()
}

// publish takes a snapshot and hands it, with the events since the last
// one, to every consumer.
func (p *Pipeline) publish() {
	if !p.dirty && p.snap.Load() != nil {
		return
	}
	snap := p.engine.SnapshotAfter(p.snap.Load())
	events := p.unpub
	p.unpub, p.dirty, p.lastPub, p.held = nil, false, p.now(), time.Time{}
	p.snap.Store(&snap)
	for _, c := range p.consumers {
		c.Publish(events, &snap)
	}
}
