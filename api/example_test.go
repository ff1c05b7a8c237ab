package api_test

import (
	"fmt"
	"time"

	"github.com/up-status/up/api"
	"github.com/up-status/up/status"
)

// StatusJSON renders a snapshot as GET /status does, less as_of; the
// WebSocket hub sends it as its first message.
func ExampleStatusJSON() {
	now := time.Date(2026, 11, 26, 21, 14, 42, 123e6, time.UTC)
	spec := status.Spec{
		OpenAt: status.PartialOutage,
		Groups: []status.GroupSpec{{ID: "web", Name: "Website"}},
		Components: []status.ComponentSpec{{ID: "website", Name: "Website", Group: "web", Checks: []status.CheckSpec{
			{ID: "website.home", FailureThreshold: 3, SuccessThreshold: 2, Interval: 30 * time.Second},
		}}},
	}
	e, err := status.New(now, spec, func() string { return "x" })
	if err != nil {
		panic(err)
	}
	body, err := api.StatusJSON(e.Snapshot(), api.Page{ID: "acme", Name: "ACME Status", URL: "https://status.acme.example"})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(body))
	// Output:
	// {"page":{"id":"acme","name":"ACME Status","url":"https://status.acme.example","status_indicator":"UP","status_description":"All Systems Operational"},"groups":[{"id":"web","name":"Website","description":"","status":"OPERATIONAL","components":["website"]}],"components":[{"id":"website","name":"Website","description":"","group":"web","status":"OPERATIONAL","created_at":"2026-11-26T21:14:42.123Z","updated_at":"2026-11-26T21:14:42.123Z","checks":[{"id":"website.home","state":"UNKNOWN","last_result":"","last_latency_ms":0,"last_error":""}],"old_status":""}],"incidents":[],"maintenance":[]}
}
