package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// The cluster families exist only once asked for, and a region that is
// gone loses its series.
func TestClusterGauges(t *testing.T) {
	m := New(Options{})
	if n, _ := testutil.GatherAndCount(m.Gatherer(), "uptime_cluster_members", "uptime_cluster_leader", "uptime_database_up"); n != 0 {
		t.Fatalf("%d cluster series before cluster mode, want none", n)
	}
	up := true
	m.WatchDatabase(func() bool { return up })
	g := m.ClusterGauges()
	g.SetMembers(map[string]int{"eu": 2, "us": 1})
	g.SetMembers(map[string]int{"eu": 3})
	g.SetLeader(true)
	g.SetLeaseEpoch(7)
	up = false
	want := `
# HELP uptime_cluster_lease_epoch Epoch of the engine lease as this instance last read it; it goes up with every new leader.
# TYPE uptime_cluster_lease_epoch gauge
uptime_cluster_lease_epoch 7
# HELP uptime_cluster_leader 1 while this instance holds the engine lease, 0 otherwise.
# TYPE uptime_cluster_leader gauge
uptime_cluster_leader 1
# HELP uptime_cluster_members Live members of the cluster by region, draining ones included, as this instance last read them from the database.
# TYPE uptime_cluster_members gauge
uptime_cluster_members{region="eu"} 3
# HELP uptime_database_up 1 while the PostgreSQL database takes writes, 0 while it is down, unreachable or read-only.
# TYPE uptime_database_up gauge
uptime_database_up 0
`
	if err := testutil.GatherAndCompare(m.Gatherer(), strings.NewReader(want),
		"uptime_cluster_members", "uptime_cluster_leader", "uptime_cluster_lease_epoch", "uptime_database_up"); err != nil {
		t.Fatal(err)
	}
}
