// Package pipeline carries what the probes observe through the status
// engine to everyone who needs it. It has three stages, each with one
// owner:
//
//	scheduler workers
//	      │ probe.Result                         (Observe: never blocks on the store)
//	      ▼
//	┌──────────────┐  bounded queue of results
//	│ engine stage │  the only goroutine that touches the status.Engine;
//	│              │  also runs API writes (Change) and the clock (Tick)
//	└──────┬───────┘
//	       │ events ──────────────────────────────┐
//	       ▼                                      ▼
//	┌──────────────┐                     ┌─────────────────┐
//	│ commit stage │ events + webhooks   │ views           │ a snapshot at most
//	│              │ in one transaction; │ (Consumers:     │ every PublishGap,
//	│              │ retried while the   │ metrics, page   │ with the events
//	│              │ store fails         │ hub, API reads) │ since the last one
//	└──────┬───────┘                     └─────────────────┘
//	       │ committed
//	       ▼
//	notifier wake-up (Committed)
//
// Probe results never wait for the disk: the engine stage hands its
// events to the commit stage and goes on, so a slow or failing store
// delays only durability, and what the probes observe keeps reaching the
// page and the metrics. A store that refuses writes keeps the events; the
// commit stage retries them, in order, until it succeeds.
//
// API writes are the exception, on purpose: an answer of 2xx promises the
// change is durable. Change applies the request to a copy of the engine,
// commits the copy's events together with everything still pending, and
// only then makes the copy the engine. If the store refuses, the copy is
// dropped and the caller gets an error wrapping store.ErrUnavailable:
// nothing was applied, so the client may retry.
//
// In cluster mode this is the seam: the engine and commit stages run on
// the leader, the views on every instance.
package pipeline
