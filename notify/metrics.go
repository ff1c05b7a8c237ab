package notify

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Results of a delivery attempt, as the result label of
// uptime_webhook_deliveries_total. Each attempt counts once: the last
// failed attempt of a delivery that is given up counts as dead, not as
// failure.
const (
	resultSuccess = "success"
	resultFailure = "failure"
	resultDead    = "dead"
	resultGone    = "gone"
)

var (
	results    = []string{resultSuccess, resultFailure, resultDead, resultGone}
	eventKinds = []string{"incident", "maintenance", "component"}
)

// metrics are the Dispatcher's collectors. They are created per
// Dispatcher, never as package globals, so tests and a second instance
// get their own.
type metrics struct {
	deliveries *prometheus.CounterVec
	queue      *prometheus.GaugeVec
	duration   prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "uptime_webhook_deliveries_total",
			Help: "Webhook delivery attempts by subscriber, event and result (success, failure, dead, gone).",
		}, []string{"subscriber", "event", "result"}),
		queue: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "uptime_webhook_queue_depth",
			Help: "Pending webhook deliveries per subscriber.",
		}, []string{"subscriber"}),
		// No labels: one histogram per subscriber would cost more series
		// than it is worth; the counters already say who is failing.
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "uptime_webhook_delivery_duration_seconds",
			Help:    "Time from sending a webhook to its response (or error).",
			Buckets: []float64{0.05, 0.25, 1, 2.5, 10},
		}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.deliveries, m.queue, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("notify: register metrics: %w", err)
		}
	}
	return m, nil
}

// addSubscriber creates every series of a subscriber at zero, so that
// dashboards and rate() see them from the start rather than from the
// first failure.
func (m *metrics) addSubscriber(id string) {
	for _, ev := range eventKinds {
		for _, r := range results {
			m.deliveries.WithLabelValues(id, ev, r)
		}
	}
	m.queue.WithLabelValues(id)
}

// removeSubscriber deletes the series of a subscriber that no longer
// exists.
func (m *metrics) removeSubscriber(id string) {
	m.deliveries.DeletePartialMatch(prometheus.Labels{"subscriber": id})
	m.queue.DeleteLabelValues(id)
}
