package status_test

import (
	"fmt"
	"time"

	"github.com/up-status/up/status"
)

func counter() func() string {
	n := 0
	return func() string { n++; return fmt.Sprint(n) }
}

// A check fails three times: its component is in a major outage and an
// incident opens. It recovers, and five minutes later the incident is
// resolved.
func Example() {
	now := time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)
	e, err := status.New(now, status.Spec{
		OpenAt:       status.PartialOutage,
		ResolveAfter: 5 * time.Minute,
		Components: []status.ComponentSpec{{
			ID: "website", Name: "Website",
			Checks: []status.CheckSpec{{ID: "website.home", FailureThreshold: 3, SuccessThreshold: 2, Interval: 30 * time.Second}},
		}},
	}, counter())
	if err != nil {
		panic(err)
	}
	tell := func(events []status.Event) {
		for _, ev := range events {
			switch ev.Kind {
			case status.ComponentChanged:
				fmt.Printf("%s: %s -> %s\n", ev.Component.ID, ev.OldStatus, ev.Component.Status)
			case status.IncidentChanged:
				fmt.Printf("incident %q %s: %s\n", ev.Incident.Name, ev.Incident.Status, ev.Incident.Updates[0].Body)
			case status.PageChanged:
				fmt.Printf("page: %s (%s)\n", ev.Page.Status, ev.Page.Description)
			}
		}
	}
	result := func(o status.Outcome, err string) {
		now = now.Add(10 * time.Second)
		tell(e.Observe(now, status.Observation{CheckID: "website.home", Outcome: o, Err: err}))
	}
	for range 3 {
		result(status.Fail, "status 503, want 200-299")
	}
	result(status.OK, "")
	result(status.OK, "")
	for range 300 { // the daemon ticks every second
		now = now.Add(time.Second)
		tell(e.Tick(now))
	}
	// Output:
	// website: OPERATIONAL -> MAJOROUTAGE
	// incident "Website major outage" INVESTIGATING: website.home is DOWN: status 503, want 200-299
	// page: HASISSUES (Major System Outage)
	// website: MAJOROUTAGE -> OPERATIONAL
	// incident "Website major outage" MONITORING: Website is operational again; monitoring.
	// page: UP (All Systems Operational)
	// incident "Website major outage" RESOLVED: Website has been operational for 5m0s; resolved.
}

// An incident reported by hand moves only by hand.
func ExampleEngine_PutIncident() {
	now := time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)
	e, _ := status.New(now, status.Spec{OpenAt: status.PartialOutage, Components: []status.ComponentSpec{{ID: "mail", Name: "Mail"}}}, counter())
	inc, _, _ := e.PutIncident(now, status.IncidentInput{Name: "Mail delays", Components: []string{"mail"}, Body: "Mail is slow to arrive."})
	inc, _, _ = e.PutIncident(now.Add(time.Minute), status.IncidentInput{ID: inc.ID, Status: status.Identified, Body: "A queue is stuck."})
	inc, _, _ = e.PutIncident(now.Add(2*time.Minute), status.IncidentInput{ID: inc.ID, Status: status.Resolved})
	for _, u := range inc.Updates {
		fmt.Println(u.Status, u.Body)
	}
	// Output:
	// RESOLVED Resolved.
	// IDENTIFIED A queue is stuck.
	// INVESTIGATING Mail is slow to arrive.
}

// A maintenance window flips its components while it runs.
func ExampleEngine_PutMaintenance() {
	now := time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)
	e, _ := status.New(now, status.Spec{OpenAt: status.PartialOutage, Components: []status.ComponentSpec{{ID: "db", Name: "Database"}}}, counter())
	m, _, _ := e.PutMaintenance(now, status.MaintenanceInput{Name: "Upgrade", Components: []string{"db"}, Start: now.Add(time.Minute), Duration: time.Hour})
	fmt.Println(m.Status, e.Page().Status)
	e.Tick(now.Add(time.Minute))
	m, _ = e.Maintenance(m.ID)
	fmt.Println(m.Status, e.Page().Status)
	e.Tick(now.Add(61 * time.Minute))
	m, _ = e.Maintenance(m.ID)
	fmt.Println(m.Status, e.Page().Status, len(m.Updates))
	// Output:
	// NOTSTARTEDYET UP
	// INPROGRESS UNDER MAINTENANCE
	// COMPLETED UP 3
}

// Uptime turns results into hourly seconds for the store.
func ExampleUptime() {
	u := status.NewUptime()
	t := time.Date(2026, 11, 26, 21, 59, 40, 0, time.UTC)
	u.Add("website.home", t, 30*time.Second, status.CheckUp, false)
	u.Add("website.home", t.Add(30*time.Second), 30*time.Second, status.CheckDown, false)
	for _, b := range u.Drain() {
		fmt.Println(b.Hour.Format("15:04"), b.Up, b.Down)
	}
	// Output:
	// 21:00 30s 20s
	// 22:00 0s 10s
}
