// Package api serves up's HTTP API: the documented routes (incidents,
// maintenance, metrics, components, groups, users) with real reads and
// writes, plus subscribers, webhook deliveries, uptime, /status, health
// probes and the OpenAPI document that describes all of it
// (openapi.yaml, served at GET /openapi.yaml).
//
// It is a shell around the status engine: every write to status data goes
// through Backend.Change, so webhooks fire, metrics move and the status
// page updates exactly as for a change the probes made. Users,
// subscribers, deliveries and custom metrics live in the store only.
//
// JSON objects use the webhook payloads' field names and formats (see
// package notify): times are RFC 3339 UTC with milliseconds and "" when
// unset, update lists are newest first.
//
// # Who owns what: the configuration file or the API
//
// The file owns what it defines. A component, group, maintenance window,
// user or subscriber defined in the configuration file shows in the API
// with "source": "config", and the fields the file sets belong to the
// file: a PUT that changes one of them, or a DELETE, is answered 409 with
// a message saying to edit the file. Objects created through the API have
// "source": "api" and are the API's alone; a reload never touches them.
//
// What the file does not describe is the API's, persists in the store and
// survives reloads and restarts, also on file-defined objects: the status
// of a component (an override with an optional expiry on a component with
// checks, the plain status of one without), incidents and their updates
// (auto incidents included: a person taking one over is final),
// maintenance updates and ending a window early or cancelling it, and
// disabling, re-enabling or resuming a subscriber.
package api
