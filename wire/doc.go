// Package wire owns the JSON shapes up sends: webhooks, API answers,
// /status, the page's snapshot and live messages.
//
// Every shape is built here from the status package's values, with one
// time format (Time) and one encoder (Marshal), so a field added to an
// object reaches every place that object is sent. The shapes nest: a
// webhook's incident block (IncidentBlock) is the core of the incident in
// /status and in live messages (Incident), which the API's incident
// resource extends with what an operator edits. The webhook shapes are a
// contract with receivers and change only by adding keys.
package wire
