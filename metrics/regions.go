package metrics

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/up-status/up/regional"
	"github.com/up-status/up/status"
)

// WatchRegions exports what the regions of each check probed from
// several see, from views (the leader's engine; nil elsewhere, which
// exports nothing): the series exist on the instance that leads. Call it
// once, in a cluster.
func (m *Metrics) WatchRegions(views func() []regional.View) {
	m.reg.MustRegister(regionsCollector{views: views})
}

var (
	regionUpDesc = prometheus.NewDesc("uptime_check_region_up",
		"Whether the check is up in this region after the region's own failure and success thresholds (1), or down (0). Exported by the leader only.",
		[]string{"component", "check", "region"}, nil)
	regionFreshDesc = prometheus.NewDesc("uptime_check_region_fresh",
		"1 while this region's latest result of the check counts toward its quorum (within 3 intervals, at least 30 s), 0 otherwise. Exported by the leader only.",
		[]string{"component", "check", "region"}, nil)
	quorumDesc = prometheus.NewDesc("uptime_check_quorum",
		"How many of the check's regions must agree on its state. Exported by the leader only.",
		[]string{"component", "check"}, nil)
)

type regionsCollector struct {
	views func() []regional.View
}

func (c regionsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- regionUpDesc
	ch <- regionFreshDesc
	ch <- quorumDesc
}

func (c regionsCollector) Collect(ch chan<- prometheus.Metric) {
	for _, v := range c.views() {
		comp, check, _ := strings.Cut(v.CheckID, ".")
		ch <- prometheus.MustNewConstMetric(quorumDesc, prometheus.GaugeValue, float64(v.Quorum), comp, check)
		for _, r := range v.Regions {
			up, fresh := 1.0, 0.0
			if r.State == status.CheckDown {
				up = 0
			}
			if r.Fresh {
				fresh = 1
			}
			ch <- prometheus.MustNewConstMetric(regionUpDesc, prometheus.GaugeValue, up, comp, check, r.Region)
			ch <- prometheus.MustNewConstMetric(regionFreshDesc, prometheus.GaugeValue, fresh, comp, check, r.Region)
		}
	}
}
