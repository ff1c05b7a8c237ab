package notify_test

import (
	"fmt"
	"time"

	"github.com/up-status/up/notify"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// Plan turns one engine step's events into deliveries; the daemon
// commits them with the events (store.Apply) and then calls Notify.
func ExamplePlanner_Plan() {
	p := notify.Planner{PageID: "acme", PageURL: "https://status.acme.example"}
	at := time.Date(2026, 11, 26, 21, 14, 42, 123e6, time.UTC)
	ev := status.Event{
		Kind:      status.ComponentChanged,
		At:        at,
		Page:      status.Page{Status: status.PageHasIssues, Description: "Major System Outage"},
		Component: &status.Component{ID: "website", Name: "Website", Status: status.MajorOutage, CreatedAt: at},
		OldStatus: status.Operational,
	}
	subs := []store.Subscriber{
		{ID: "ops", Token: "c0ffee"},
		{ID: "incidents-only", Events: []string{"incident"}},
	}
	for _, d := range p.Plan([]status.Event{ev}, subs, at) {
		fmt.Println(d.Subscriber, d.Event, d.State)
		fmt.Println(string(d.Payload))
	}
	// Output:
	// ops component pending
	// {"meta":{"unsubscribe":"https://status.acme.example/unsubscribe/c0ffee","documentation":"https://status.acme.example/openapi.yaml"},"page":{"id":"acme","status_indicator":"HASISSUES","status_description":"Major System Outage","url":"https://status.acme.example"},"component_update":{"created_at":"2026-11-26T21:14:42.123Z","new_status":"MAJOROUTAGE","component_id":"website","old_status":"OPERATIONAL"},"component":{"created_at":"2026-11-26T21:14:42.123Z","id":"website","name":"Website","status":"MAJOROUTAGE"}}
}

// A receiver checks X-Up-Signature against the body it read.
func ExampleVerify() {
	body := []byte(`{"meta":{}}`)
	sig := notify.Sign("s3cret", body) // what the Dispatcher sends
	fmt.Println(sig)
	fmt.Println(notify.Verify("s3cret", body, sig), notify.Verify("wrong", body, sig))
	// Output:
	// sha256=ab746acfdfa6c180646114e83610bff642fd69a07086cc7ce19fb9ee4e48d902
	// true false
}
