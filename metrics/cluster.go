package metrics

import (
	"sync"
	"time"

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
	owned   prometheus.Gauge
	changes prometheus.Counter

	mu        sync.Mutex
	regions   map[string]bool
	lastEpoch int64
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
		owned: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "uptime_cluster_owned_checks",
			Help: "Checks this instance probes: its share of its region's checks among the live members.",
		}),
		changes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "uptime_cluster_leader_changes_total",
			Help: "New leaders (epochs of the engine lease) this instance has seen since it started.",
		}),
		regions: map[string]bool{},
	}
	m.reg.MustRegister(g.members, g.leader, g.epoch, g.owned, g.changes)
	return g
}

// WatchFeed exports the read side's figures: results dropped because
// another instance probed the same run (deduplicated), and how far the
// state shown lags behind the database (lag, 0 on the leader).
func (g *ClusterGauges) WatchFeed(m *Metrics, deduplicated func() int64, lag func() time.Duration) {
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "uptime_cluster_probes_deduplicated_total",
			Help: "Probe results dropped because a result of the same run (check, region, slot) was already taken: two instances probed it while the membership changed.",
		}, func() float64 { return float64(deduplicated()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "uptime_cluster_feed_lag_seconds",
			Help: "How long ago this instance last confirmed that the state it shows is the leader's latest; 0 on the leader.",
		}, func() float64 { return lag().Seconds() }),
	)
}

// SetOwned records how many checks this instance probes.
func (g *ClusterGauges) SetOwned(n int) { g.owned.Set(float64(n)) }

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

// SetLeaseEpoch records the lease's epoch, counting a leader change
// whenever it goes up after the first one seen.
func (g *ClusterGauges) SetLeaseEpoch(epoch int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if epoch > g.lastEpoch {
		if g.lastEpoch != 0 {
			g.changes.Add(float64(epoch - g.lastEpoch))
		}
		g.lastEpoch = epoch
	}
	g.epoch.Set(float64(g.lastEpoch))
}
