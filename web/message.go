package web

import (
	"fmt"
	"slices"

	"github.com/up-status/up/status"
	"github.com/up-status/up/wire"
)

// The messages' shapes are package wire's (wire.Live, wire.Status); this
// file decides which messages a batch becomes.

// encoder turns event batches into WebSocket messages. Its fields come
// from the configuration and never change.
type encoder struct {
	page wire.Page
	// maxMessages is the most messages one batch may become; a larger
	// batch (a reload touching every component) is sent as one snapshot,
	// which is smaller and would otherwise overflow the client queues.
	maxMessages int
}

// encoded is what one batch becomes: messages, or a snapshot instead.
type encoded struct {
	msgs     [][]byte
	snapshot bool
}

// batch turns one committed batch into messages. prev is the snapshot
// the clients already have applied (nil: none), used to tell a group
// whose status alone moved (the page recomputes that) from one whose name
// or members changed (which needs a snapshot).
func (e encoder) batch(prev, next *status.Snapshot, events []status.Event) encoded {
	var out encoded
	var checks wire.Checks // built on first use: most batches need none
	for i := range events {
		if len(out.msgs) > e.maxMessages {
			break
		}
		ev := &events[i]
		switch ev.Kind {
		case status.GroupChanged:
			if ev.Group == nil || !sameGroupShape(prev, ev.Group) {
				out.snapshot = true
			}
			continue
		case status.ComponentDeleted, status.GroupDeleted, status.IncidentDeleted, status.MaintenanceDeleted:
			// The message types cannot say "gone".
			out.snapshot = true
			continue
		case status.ComponentChanged:
			if checks == nil && next != nil {
				checks = wire.NewChecks(next)
			}
		}
		msg, ok := wire.Live(ev, e.page, checks)
		if !ok {
			continue
		}
		b, err := wire.Marshal(msg)
		if err != nil {
			// The data types hold only strings, numbers, bools and
			// slices of them.
			panic(fmt.Sprintf("web: marshal %s message: %v", msg.Type, err))
		}
		out.msgs = append(out.msgs, b)
	}
	if out.snapshot || len(out.msgs) > e.maxMessages {
		return encoded{snapshot: true}
	}
	return out
}

// sameGroupShape reports whether g differs from its previous version in
// status only.
func sameGroupShape(prev *status.Snapshot, g *status.Group) bool {
	if prev == nil {
		return false
	}
	for _, old := range prev.Groups {
		if old.ID == g.ID {
			return old.Name == g.Name && old.Description == g.Description && slices.Equal(old.Components, g.Components)
		}
	}
	return false
}
