package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// WatchDatabase exports uptime_database_up from up, which reports whether
// the PostgreSQL database took a write at its last check. Call it once,
// only when state is kept in PostgreSQL: with SQLite the family does not
// exist (uptime_store_up covers the file).
func (m *Metrics) WatchDatabase(up func() bool) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "uptime_database_up",
		Help: "1 while the PostgreSQL database takes writes, 0 while it is down, unreachable or read-only.",
	}, func() float64 {
		if up() {
			return 1
		}
		return 0
	}))
}

// ClusterGauges are the series of an instance in a cluster, set from what
// its membership and election see in the database.
type ClusterGauges struct {
	members *prometheus.GaugeVec
	leader  prometheus.Gauge
	epoch   prometheus.Gauge

	mu      sync.Mutex
	regions map[string]bool
}

// ClusterGauges registers the cluster's families. Call it once, only in
// cluster mode: a single instance exports none of them.
func (m *Metrics) ClusterGauges() *ClusterGauges {
	g := &ClusterGauges{
		members: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "uptime_cluster_members",
			Help: "Live members of the cluster by region, draining ones included, as this instance last read them from the database.",
		}, []string{"region"}),
		leader: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "uptime_cluster_leader",
			Help: "1 while this instance holds the engine lease, 0 otherwise.",
		}),
		epoch: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "uptime_cluster_lease_epoch",
			Help: "Epoch of the engine lease as this instance last read it; it goes up with every new leader.",
		}),
		regions: map[string]bool{},
	}
	m.reg.MustRegister(g.members, g.leader, g.epoch)
	return g
}

// SetMembers sets the members of each region; a region no longer listed
// loses its series.
func (g *ClusterGauges) SetMembers(byRegion map[string]int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for r := range g.regions {
		if _, ok := byRegion[r]; !ok {
			g.members.DeleteLabelValues(r)
			delete(g.regions, r)
		}
	}
	for r, n := range byRegion {
		g.regions[r] = true
		g.members.WithLabelValues(r).Set(float64(n))
	}
}

// SetLeader records whether this instance leads.
func (g *ClusterGauges) SetLeader(leads bool) {
	v := 0.0
	if leads {
		v = 1
	}
	g.leader.Set(v)
}

// SetLeaseEpoch records the lease's epoch.
func (g *ClusterGauges) SetLeaseEpoch(epoch int64) { g.epoch.Set(float64(epoch)) }
