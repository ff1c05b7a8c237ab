// Package status holds the rules that turn probe results into check,
// component, group and page statuses, and that open, update and resolve
// incidents and run maintenance windows.
//
// It is pure: no sockets, no goroutines, no wall clock. Time comes in with
// every call, and every change goes out as an Event for the store, the
// metrics, the notifier and the status page. One Engine holds the state;
// the daemon feeds it results (Observe), ticks (Tick), reloads
// (Reconfigure) and API requests (PutIncident, PutMaintenance,
// SetComponentStatus...), and passes on the events each call returns.
// A check whose thresholds run elsewhere, one Machine per region, gets
// its combined state through Report instead of results.
//
// The rules are those of docs/statuses.md. Beyond the basic ones:
//
//   - Checks. FLAKY counts the failures among the last 10 results that
//     belong to runs that ended short of DOWN: a run still going on may
//     yet reach DOWN (counting it would defeat failure_threshold), and a
//     run that reached DOWN was an outage, not flakiness. Results not had
//     yet count as successes, so it takes two such failures. Worst first:
//     DOWN, FLAKY, SLOW, UP.
//   - Components. A status set by hand wins over everything, maintenance
//     included (on a component without checks, any but OPERATIONAL). UNKNOWN checks are left out: MAJOROUTAGE needs every
//     check that has reported to be DOWN, and a component whose checks
//     have all not reported yet is OPERATIONAL.
//   - Page. The description follows the worst component status; with
//     only maintenance going on it is "Service Under Maintenance".
//   - Auto incidents open only when a component gets worse into open_at
//     (never under maintenance or an override, never for a component
//     without checks), and resolve after resolve_after of trusted time
//     (see WithMaxStep), so clock jumps neither open nor resolve one. A
//     window starting while one is open adds an update and pauses it.
//     The name follows the impact, the worst status seen.
//   - People win: an auto incident whose status a person changed is
//     ByHand and the engine no longer touches it.
//   - Restarts and reloads neither open, move nor resolve incidents by
//     themselves (see Restore and Reconfigure); a resolve countdown under
//     way goes on across a restart from the stored MONITORING update.
//   - Uptime counts a check's state after thresholds (see Uptime).
package status
