// Package notify turns status events into webhooks and delivers them.
//
// It has three parts, used in this order by the daemon:
//
//   - Payloads: the three documented JSON shapes (docs/webhooks.md) (incident,
//     maintenance, component), built from full copies of the changed
//     objects that status events carry. Planner.Payload fills them;
//     package wire defines them (wire.NewIncidentPayload and its kin).
//   - Planning: Planner.Plan turns one engine step's events into one
//     store.Delivery per interested subscriber. The daemon writes them
//     together with the events in one store transaction (store.Apply),
//     so a webhook is never lost to a crash between the two.
//   - Delivery: Dispatcher.Run drains the store's outbox. Each subscriber
//     with pending work gets its own goroutine, so one slow, hanging or
//     dead receiver never delays another, and a subscriber's webhooks
//     arrive in the order they were planned.
//
// The Dispatcher also serves /unsubscribe/{token}, the link every payload
// carries in meta.unsubscribe.
package notify
