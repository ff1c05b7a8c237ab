package regional_test

import (
	"fmt"
	"time"

	"github.com/up-status/up/regional"
	"github.com/up-status/up/status"
)

// A check probed from three regions, 2 of which must agree, feeds the
// engine through Report: one region's failures are outvoted, two
// regions' open an incident that says where and how it fails.
func Example() {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	check := status.CheckSpec{ID: "website.home", FailureThreshold: 2, SuccessThreshold: 2, Interval: 30 * time.Second}
	n := 0
	e, err := status.New(now, status.Spec{
		OpenAt:     status.PartialOutage,
		Components: []status.ComponentSpec{{ID: "website", Name: "Website", Checks: []status.CheckSpec{check}}},
	}, func() string { n++; return fmt.Sprint(n) })
	if err != nil {
		panic(err)
	}
	checks := regional.New([]regional.Spec{{Check: check, Regions: []string{"eu-west", "us-east", "ap-south"}, Quorum: 2}})

	probe := func(region string, o status.Observation) {
		now = now.Add(time.Second)
		o.CheckID = "website.home"
		r, _ := checks.Observe(now, region, o)
		for _, ev := range e.Report(now, r) {
			switch ev.Kind {
			case status.CheckChanged:
				fmt.Printf("%s: %s\n", ev.Check.ID, ev.Check.State)
			case status.IncidentChanged:
				fmt.Printf("%s: %s\n", ev.Incident.Name, ev.Incident.Updates[0].Body)
			}
		}
	}
	ok := status.Observation{Outcome: status.OK}
	fail := status.Observation{Outcome: status.Fail, Err: "status 500, want 200-299"}
	for _, region := range []string{"eu-west", "us-east", "ap-south"} {
		probe(region, ok)
	}
	probe("eu-west", fail)
	probe("eu-west", fail) // eu-west is DOWN, the others outvote it
	probe("us-east", fail)
	probe("us-east", fail) // two of three: DOWN
	// Output:
	// website.home: UP
	// website.home: DOWN
	// Website major outage: website.home is DOWN: down in 2 of 3 regions: eu-west, us-east: status 500, want 200-299; up in ap-south
}
