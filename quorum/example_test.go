package quorum_test

import (
	"fmt"
	"time"

	"github.com/up-status/up/quorum"
	"github.com/up-status/up/status"
)

// A check probed from three regions every 30 s with the default quorum,
// a majority: 2 of 3.
func ExampleCombine() {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rule := quorum.Rule{Quorum: 2, Interval: 30 * time.Second}
	r := quorum.Combine(rule, []quorum.View{
		{Region: "eu-west", State: status.CheckDown, At: now.Add(-10 * time.Second)},
		{Region: "us-east", State: status.CheckDown, At: now.Add(-25 * time.Second)},
		{Region: "ap-south", State: status.CheckUp, At: now.Add(-5 * time.Second)},
	}, now)
	fmt.Println(r.State)
	fmt.Println(r)

	// One region's own trouble is outvoted.
	r = quorum.Combine(rule, []quorum.View{
		{Region: "eu-west", State: status.CheckDown, At: now},
		{Region: "us-east", State: status.CheckUp, At: now},
		{Region: "ap-south", State: status.CheckUp, At: now},
	}, now)
	fmt.Println(r)

	// Two regions silent for longer than 3 intervals: too few to decide.
	r = quorum.Combine(rule, []quorum.View{
		{Region: "eu-west", State: status.CheckDown, At: now},
		{Region: "us-east", State: status.CheckUp, At: now.Add(-2 * time.Minute)},
		{Region: "ap-south"},
	}, now)
	fmt.Println(r)
	// Output:
	// DOWN
	// down in 2 of 3 regions: eu-west, us-east; up in ap-south
	// up in 2 of 3 regions: us-east, ap-south; down in eu-west
	// unknown: a state from 1 of 3 regions, 2 needed; down in eu-west; no report within 1m30s from us-east, ap-south
}
