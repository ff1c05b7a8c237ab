package regional

import (
	"testing"
	"time"

	"github.com/up-status/up/status"
)

func TestViewsSayWhatEachRegionSeesAndWhetherItCounts(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	spec := Spec{Check: status.CheckSpec{ID: "web.home", FailureThreshold: 1, SuccessThreshold: 1, Interval: 10 * time.Second},
		Regions: []string{"eu", "us", "ap"}, Quorum: 2}
	c := New([]Spec{spec})
	c.Observe(t0, "eu", status.Observation{CheckID: "web.home", Outcome: status.Fail, Err: "refused"})
	c.Observe(t0.Add(20*time.Second), "us", status.Observation{CheckID: "web.home", Outcome: status.OK})
	v := c.Views(t0.Add(40 * time.Second))
	if len(v) != 1 || v[0].CheckID != "web.home" || v[0].Quorum != 2 || len(v[0].Regions) != 3 {
		t.Fatalf("views = %+v", v)
	}
	want := []RegionView{
		{Region: "eu", State: status.CheckDown, Fresh: false}, // 40 s old: past the 30 s window
		{Region: "us", State: status.CheckUp, Fresh: true},
		{Region: "ap", State: status.CheckUnknown, Fresh: false},
	}
	for i, w := range want {
		if v[0].Regions[i] != w {
			t.Errorf("region %d = %+v, want %+v", i, v[0].Regions[i], w)
		}
	}
}
