package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/up-status/up/regional"
	"github.com/up-status/up/status"
)

func TestRegionSeries(t *testing.T) {
	m := New(Options{})
	var views []regional.View
	m.WatchRegions(func() []regional.View { return views })
	if n, _ := testutil.GatherAndCount(m.Gatherer(), "uptime_check_region_up"); n != 0 {
		t.Fatalf("%d region series before the engine has regions", n)
	}
	views = []regional.View{{CheckID: "web.home", Quorum: 2, Regions: []regional.RegionView{
		{Region: "eu", State: status.CheckDown, Fresh: true},
		{Region: "us", State: status.CheckUp, Fresh: false},
	}}}
	want := `
# HELP uptime_check_quorum How many of the check's regions must agree on its state. Exported by the leader only.
# TYPE uptime_check_quorum gauge
uptime_check_quorum{check="home",component="web"} 2
# HELP uptime_check_region_fresh 1 while this region's latest result of the check counts toward its quorum (within 3 intervals, at least 30 s), 0 otherwise. Exported by the leader only.
# TYPE uptime_check_region_fresh gauge
uptime_check_region_fresh{check="home",component="web",region="eu"} 1
uptime_check_region_fresh{check="home",component="web",region="us"} 0
# HELP uptime_check_region_up Whether the check is up in this region after the region's own failure and success thresholds (1), or down (0). Exported by the leader only.
# TYPE uptime_check_region_up gauge
uptime_check_region_up{check="home",component="web",region="eu"} 0
uptime_check_region_up{check="home",component="web",region="us"} 1
`
	if err := testutil.GatherAndCompare(m.Gatherer(), strings.NewReader(want), "uptime_check_quorum", "uptime_check_region_fresh", "uptime_check_region_up"); err != nil {
		t.Fatal(err)
	}
}
