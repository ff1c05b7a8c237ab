package wire

import (
	"bytes"
	"time"

	"github.com/up-status/up/status"
)

// Types of the status page's WebSocket messages.
const (
	// MessageSnapshot carries a Status: everything, replacing what the
	// page had.
	MessageSnapshot = "snapshot"
	// MessageComponent carries a StatusComponent.
	MessageComponent = "component"
	// MessageIncident carries an Incident.
	MessageIncident = "incident"
	// MessageMaintenance carries a Maintenance.
	MessageMaintenance = "maintenance"
	// MessagePage carries a StatusPage.
	MessagePage = "page"
	// MessageAsOf carries a Freshness: after every snapshot, and every
	// few seconds.
	MessageAsOf = "as_of"
)

// Message is one message of the status page's WebSocket.
type Message struct {
	Type string `json:"type"`
	Data any    `json:"data"`
}

// Freshness is the data of an as_of message: when the state the page
// shows was last confirmed current, and the server's time when it said
// so. The page compares the two, so the browser's clock does not matter.
type Freshness struct {
	// AsOf is as in GET /status; "" before a follower's first read.
	AsOf string `json:"as_of"`
	Now  string `json:"now"`
}

// AsOfMessage is the as_of message for a state last confirmed current at
// asOf, said at now.
func AsOfMessage(asOf, now time.Time) Message {
	return Message{Type: MessageAsOf, Data: Freshness{AsOf: Time(asOf), Now: Time(now)}}
}

// Live is the message that tells the page about ev, with the same fields
// as the object in a snapshot. checks holds the checks' states after ev;
// only component events read it. ok is false for events that have no
// message of their own: check events (the component event that follows
// carries the checks), groups and deletions (the caller sends a
// snapshot), unknown kinds, and events missing their object.
func Live(ev *status.Event, p Page, checks Checks) (m Message, ok bool) {
	switch ev.Kind {
	case status.ComponentChanged:
		if ev.Component == nil {
			return Message{}, false
		}
		c := StatusComponent{Component: NewComponent(ev.Component, checks), OldStatus: string(ev.OldStatus)}
		if c.UpdatedAt == "" {
			// A component event always is a change, made at ev.At.
			c.UpdatedAt = Time(ev.At)
		}
		return Message{Type: MessageComponent, Data: c}, true
	case status.IncidentChanged:
		if ev.Incident == nil {
			return Message{}, false
		}
		return Message{Type: MessageIncident, Data: NewIncident(ev.Incident, p)}, true
	case status.MaintenanceChanged:
		if ev.Maintenance == nil {
			return Message{}, false
		}
		return Message{Type: MessageMaintenance, Data: NewMaintenance(ev.Maintenance, p)}, true
	case status.PageChanged:
		return Message{Type: MessagePage, Data: NewStatusPage(p, ev.Page)}, true
	}
	return Message{}, false
}

// SnapshotMessage wraps a GET /status body (the encoding of a Status)
// into a snapshot message without decoding it again: the body is encoded
// once per snapshot and shared by every client.
func SnapshotMessage(body []byte) []byte {
	body = bytes.TrimSpace(body)
	msg := make([]byte, 0, len(body)+32)
	msg = append(msg, `{"type":"`+MessageSnapshot+`","data":`...)
	msg = append(msg, body...)
	return append(msg, '}')
}
