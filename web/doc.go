// Package web serves the live status page: a small single-page app (plain
// JavaScript and CSS, embedded in the binary, no build step) and the
// WebSocket hub that pushes the status engine's changes to every open page.
//
// The page is a client of the public API: it loads GET /status, GET
// /uptime and GET /metrics/<check> from the origin that served it, and
// listens on the WebSocket (path /ws of the websocket listener) for
// changes. The first WebSocket message is a snapshot, the GET /status body
// less its as_of:
//
//	{"type":"snapshot","data":{...}}
//
// then one message per change, its data in the webhook shapes of package
// notify (the component, incident or maintenance block, plus a few keys
// the page needs):
//
//	{"type":"component","data":{"created_at","id","name","status",...}}
//	{"type":"incident","data":{...,"incident_updates":[...],"components":[...]}}
//	{"type":"maintenance","data":{...,"maintenance_updates":[...],"components":[...],"start","end"}}
//	{"type":"page","data":{"id","status_indicator","status_description","url"}}
//
// Changes the four kinds cannot express (a group renamed or regrouped,
// anything deleted, a batch too large to send piece by piece) arrive as a
// fresh snapshot message, which the page applies like the first one.
//
// After every snapshot, and every HubOptions.AsOfInterval, comes how old
// the state is: when it was last confirmed current and the server's time,
// which the page compares to warn that a cluster's follower lost its
// database:
//
//	{"type":"as_of","data":{"as_of","now"}}
package web
