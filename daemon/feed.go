package daemon

import (
	"context"
	"time"

	"github.com/up-status/up/pipeline"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store/postgres"
)

// What the leader writes to the feed besides the events its commits
// append: the checks' states, which the store does not keep.

// feedWriter is the leader's consumer that notes which checks got
// results, for writeChecks.
func (s *sides) feedWriter() pipeline.Consumer {
	s.feedMu.Lock()
	s.urgent, s.details = map[string]status.CheckStatus{}, map[string]status.CheckStatus{}
	s.lastRes, s.lastState = map[string]time.Time{}, map[string]status.CheckState{}
	s.feedMu.Unlock()
	return consumerFunc(func(_ []status.Event, snap *status.Snapshot) {
		s.feedMu.Lock()
		defer s.feedMu.Unlock()
		for _, c := range snap.Checks {
			if c.LastResult.Equal(s.lastRes[c.ID]) {
				continue
			}
			s.lastRes[c.ID] = c.LastResult
			if c.State != s.lastState[c.ID] {
				s.lastState[c.ID] = c.State
				s.urgent[c.ID] = c
				delete(s.details, c.ID)
			} else if _, ok := s.urgent[c.ID]; ok {
				s.urgent[c.ID] = c
			} else {
				s.details[c.ID] = c
			}
		}
	})
}

type consumerFunc func([]status.Event, *status.Snapshot)

func (f consumerFunc) Publish(ev []status.Event, snap *status.Snapshot) { f(ev, snap) }

// writeChecks appends the checks' states to the feed: all of them at
// once and every few minutes, those whose state changed within a
// quarter of a second, those that only got results every few seconds.
func (s *sides) writeChecks(ctx context.Context, view *postgres.DB, p *pipeline.Pipeline) {
	var all, details time.Time
	t := time.NewTicker(checksEvery)
	defer t.Stop()
	for {
		var checks []status.CheckStatus
		now := time.Now()
		full := now.Sub(all) >= allChecksEvery
		withDetails := now.Sub(details) >= detailsEvery
		s.feedMu.Lock()
		if full {
			checks = p.Snapshot().Checks
			clear(s.urgent)
			clear(s.details)
		} else {
			for _, c := range s.urgent {
				checks = append(checks, c)
			}
			clear(s.urgent)
			if withDetails {
				for _, c := range s.details {
					checks = append(checks, c)
				}
				clear(s.details)
			}
		}
		s.feedMu.Unlock()
		if err := view.AppendChecks(ctx, checks, full); err != nil {
			if ctx.Err() == nil {
				s.log.Warn("cluster: writing check states to the feed failed", "err", err)
			}
		} else {
			if full {
				all = now
			}
			if full || withDetails {
				details = now
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
