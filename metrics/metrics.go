// Package metrics exports up's state to Prometheus. Per-probe metrics keep
// blackbox_exporter's names so existing alert rules work; what blackbox
// cannot know is prefixed uptime_. Everything is registered once, on a
// registry owned by the Metrics value, never on a global one.
package metrics

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/up-status/up/config"
	"github.com/up-status/up/probe"
	"github.com/up-status/up/status"
)

// Options chooses the optional, costly series.
type Options struct {
	// HTTPPhases exports probe_http_duration_seconds{phase} (5 series per
	// HTTP check).
	HTTPPhases bool
	// LatencyHistogram exports uptime_probe_latency_seconds per check
	// (11 series per check).
	LatencyHistogram bool
}

var (
	checkLabels = []string{"component", "check", "type", "target"}
	// LatencyBuckets are few on purpose: every bucket is one series per
	// check, and the exposition budget is 2 KB per check.
	LatencyBuckets = []float64{.05, .1, .25, 1, 2.5}
	lagBuckets     = []float64{.001, .005, .01, .05, .1, .5, 1, 5}
	httpPhases     = []string{"resolve", "connect", "tls", "processing", "transfer"}
	icmpPhases     = []string{"resolve", "setup", "rtt"}
)

// Metrics holds every collector of up.
type Metrics struct {
	opts Options
	reg  *prometheus.Registry

	probeSuccess    *prometheus.GaugeVec
	probeDuration   *prometheus.GaugeVec
	httpStatus      *prometheus.GaugeVec
	httpPhase       *prometheus.GaugeVec
	sslExpiry       *prometheus.GaugeVec
	tlsVersion      *prometheus.GaugeVec
	dnsLookup       *prometheus.GaugeVec
	icmpPhase       *prometheus.GaugeVec
	icmpLoss        *prometheus.GaugeVec
	probesTotal     *prometheus.CounterVec
	latency         *prometheus.HistogramVec
	checkUp         *prometheus.GaugeVec
	schedulerLag    prometheus.Histogram
	skippedRuns     prometheus.Counter
	componentStatus *prometheus.GaugeVec
	pageStatus      *prometheus.GaugeVec
	incidentsOpen   prometheus.Gauge
	incidentsOpened prometheus.Counter
	maintenance     prometheus.Gauge
	custom          *prometheus.GaugeVec

	mu     sync.RWMutex
	checks map[string]*checkSeries
	comps  map[string]string // component id -> group, for deletion
}

// checkSeries caches one check's children so that recording a result does
// no label hashing on the hot path.
type checkSeries struct {
	labels     []string
	success    prometheus.Gauge
	duration   prometheus.Gauge
	dns        prometheus.Gauge
	status     prometheus.Gauge
	phases     []prometheus.Gauge
	icmp       []prometheus.Gauge
	loss       prometheus.Gauge
	ok, failed prometheus.Counter
	latency    prometheus.Observer
	up         prometheus.Gauge
	ssl        prometheus.Gauge // nil until the check first sees TLS
	tlsVersion string
}

// New creates the collectors and registers them, with the Go and process
// collectors and uptime_build_info, on a fresh registry.
func New(opts Options) *Metrics {
	m := &Metrics{
		opts:   opts,
		reg:    prometheus.NewRegistry(),
		checks: map[string]*checkSeries{},
		comps:  map[string]string{},
	}
	gauge := func(name, help string, labels ...string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	}
	with := func(extra ...string) []string { return append(append([]string{}, checkLabels...), extra...) }

	m.probeSuccess = gauge("probe_success", "Whether the last probe succeeded (1) or failed (0).", checkLabels...)
	m.probeDuration = gauge("probe_duration_seconds", "How long the last probe took.", checkLabels...)
	m.httpStatus = gauge("probe_http_status_code", "HTTP status code of the last probe (0 when no response).", checkLabels...)
	m.httpPhase = gauge("probe_http_duration_seconds", "Duration of each phase of the last HTTP probe.", with("phase")...)
	m.sslExpiry = gauge("probe_ssl_earliest_cert_expiry", "Unix time at which the first certificate of the presented chain expires.", checkLabels...)
	m.tlsVersion = gauge("probe_tls_version_info", "TLS version of the last probe's connection.", with("version")...)
	m.dnsLookup = gauge("probe_dns_lookup_time_seconds", "Time the last probe spent resolving the target's name.", checkLabels...)
	m.icmpPhase = gauge("probe_icmp_duration_seconds", "Duration of each phase of the last ICMP probe.", with("phase")...)
	m.icmpLoss = gauge("probe_icmp_packet_loss_ratio", "Share of echo requests of the last ICMP probe that got no reply.", checkLabels...)
	m.probesTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "uptime_probes_total", Help: "Probes run, by result.",
	}, []string{"component", "check", "type", "result"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "uptime_probe_latency_seconds", Help: "Duration of probes, per check.", Buckets: LatencyBuckets,
	}, []string{"component", "check"})
	m.checkUp = gauge("uptime_check_up", "Whether the check is up after failure and success thresholds (1), or down (0).", "component", "check")
	m.schedulerLag = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "uptime_scheduler_lag_seconds", Help: "How late probe runs start compared with their plan.", Buckets: lagBuckets,
	})
	m.skippedRuns = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "uptime_scheduler_skipped_runs_total", Help: "Runs skipped because the previous run of the same check was still going.",
	})
	m.componentStatus = gauge("uptime_component_status", "Component status as a state set: 1 for the current status, 0 for the others.", "component", "group", "status")
	m.pageStatus = gauge("uptime_page_status", "Page status as a state set: 1 for the current status, 0 for the others.", "status")
	m.incidentsOpen = prometheus.NewGauge(prometheus.GaugeOpts{Name: "uptime_incidents_open", Help: "Incidents not yet resolved."})
	m.incidentsOpened = prometheus.NewCounter(prometheus.CounterOpts{Name: "uptime_incidents_opened_total", Help: "Incidents opened, automatically or by hand."})
	m.maintenance = prometheus.NewGauge(prometheus.GaugeOpts{Name: "uptime_maintenance_in_progress", Help: "Maintenance windows in progress."})
	m.custom = gauge("uptime_custom_metric", "Latest value of a custom status-page metric pushed through the API.", "metric")

	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		versioncollector.NewCollector("uptime"),
		m.probeSuccess, m.probeDuration, m.httpStatus, m.sslExpiry, m.tlsVersion,
		m.dnsLookup, m.icmpPhase, m.icmpLoss, m.probesTotal, m.checkUp,
		m.schedulerLag, m.skippedRuns, m.componentStatus, m.pageStatus,
		m.incidentsOpen, m.incidentsOpened, m.maintenance, m.custom,
	)
	if opts.HTTPPhases {
		m.reg.MustRegister(m.httpPhase)
	}
	if opts.LatencyHistogram {
		m.reg.MustRegister(m.latency)
	}
	for _, s := range status.PageStatuses {
		m.pageStatus.WithLabelValues(string(s)).Set(0)
	}
	return m
}

// Registerer is where other packages (the notifier) register their own
// collectors, so that one /metrics serves everything.
func (m *Metrics) Registerer() prometheus.Registerer { return m.reg }

// Gatherer gives read access for tests and the API.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// Handler serves the exposition.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// AddCheck creates the check's series up front with neutral values, like
// blackbox_exporter does for phases, so dashboards never see series appear
// and vanish.
func (m *Metrics) AddCheck(c *config.Check) {
	lv := []string{c.Component, c.Name, c.Type(), c.Target()}
	s := &checkSeries{
		labels:   lv,
		success:  m.probeSuccess.WithLabelValues(lv...),
		duration: m.probeDuration.WithLabelValues(lv...),
		ok:       m.probesTotal.WithLabelValues(c.Component, c.Name, c.Type(), "success"),
		failed:   m.probesTotal.WithLabelValues(c.Component, c.Name, c.Type(), "failure"),
		up:       m.checkUp.WithLabelValues(c.Component, c.Name),
	}
	if m.opts.LatencyHistogram {
		s.latency = m.latency.WithLabelValues(c.Component, c.Name)
	}
	switch c.Type() {
	case "http":
		s.status = m.httpStatus.WithLabelValues(lv...)
		s.dns = m.dnsLookup.WithLabelValues(lv...)
		if m.opts.HTTPPhases {
			for _, p := range httpPhases {
				s.phases = append(s.phases, m.httpPhase.WithLabelValues(append(lv, p)...))
			}
		}
	case "tcp":
		s.dns = m.dnsLookup.WithLabelValues(lv...)
	case "icmp":
		s.loss = m.icmpLoss.WithLabelValues(lv...)
		for _, p := range icmpPhases {
			s.icmp = append(s.icmp, m.icmpPhase.WithLabelValues(append(lv, p)...))
		}
	}
	m.mu.Lock()
	if old := m.checks[c.ID]; old != nil {
		m.deleteSeries(old)
	}
	m.checks[c.ID] = s
	m.mu.Unlock()
}

// RemoveCheck deletes every series of a check that is gone after a reload.
func (m *Metrics) RemoveCheck(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.checks[id]; s != nil {
		m.deleteSeries(s)
		delete(m.checks, id)
	}
}

// CheckIDs lists the checks that have series.
func (m *Metrics) CheckIDs() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	ids := make([]string, 0, len(m.checks))
	for id := range m.checks {
		ids = append(ids, id)
	}
	return ids
}

func (m *Metrics) deleteSeries(s *checkSeries) {
	match := prometheus.Labels{"component": s.labels[0], "check": s.labels[1]}
	for _, v := range []*prometheus.GaugeVec{m.probeSuccess, m.probeDuration, m.httpStatus, m.httpPhase,
		m.sslExpiry, m.tlsVersion, m.dnsLookup, m.icmpPhase, m.icmpLoss, m.checkUp} {
		v.DeletePartialMatch(match)
	}
	m.probesTotal.DeletePartialMatch(match)
	m.latency.DeletePartialMatch(match)
}

// ObserveProbe records one result.
func (m *Metrics) ObserveProbe(checkID string, r probe.Result) {
	m.mu.RLock()
	s := m.checks[checkID]
	m.mu.RUnlock()
	if s == nil {
		return
	}
	if r.Success {
		s.success.Set(1)
		s.ok.Inc()
	} else {
		s.success.Set(0)
		s.failed.Inc()
	}
	secs := r.Duration.Seconds()
	s.duration.Set(secs)
	if s.latency != nil {
		s.latency.Observe(secs)
	}
	if h := r.HTTP; h != nil && s.status != nil {
		s.status.Set(float64(h.StatusCode))
		s.dns.Set(h.Resolve.Seconds())
		if len(s.phases) == len(httpPhases) {
			for i, d := range []time.Duration{h.Resolve, h.Connect, h.TLS, h.Processing, h.Transfer} {
				s.phases[i].Set(d.Seconds())
			}
		}
	}
	if tc := r.TCP; tc != nil && s.dns != nil {
		s.dns.Set(tc.Resolve.Seconds())
	}
	if ic := r.ICMP; ic != nil && s.loss != nil {
		s.loss.Set(ic.LossRatio)
		for i, d := range []time.Duration{ic.Resolve, ic.Setup, ic.RTT} {
			s.icmp[i].Set(d.Seconds())
		}
	}
	if t := r.TLS; t != nil {
		m.recordTLS(s, t)
	}
}

func (m *Metrics) recordTLS(s *checkSeries, t *probe.TLSResult) {
	m.mu.RLock()
	ssl, version := s.ssl, s.tlsVersion
	m.mu.RUnlock()
	if ssl != nil && version == t.Version {
		if !t.EarliestCertExpiry.IsZero() {
			ssl.Set(float64(t.EarliestCertExpiry.Unix()))
		}
		return
	}
	// First TLS result of the check, or its TLS version changed: rare,
	// so the write lock is fine here.
	m.mu.Lock()
	defer m.mu.Unlock()
	if s.ssl == nil {
		s.ssl = m.sslExpiry.WithLabelValues(s.labels...)
	}
	if !t.EarliestCertExpiry.IsZero() {
		s.ssl.Set(float64(t.EarliestCertExpiry.Unix()))
	}
	if t.Version != "" && t.Version != s.tlsVersion {
		if s.tlsVersion != "" {
			m.tlsVersion.DeleteLabelValues(append(append([]string{}, s.labels...), s.tlsVersion)...)
		}
		s.tlsVersion = t.Version
		m.tlsVersion.WithLabelValues(append(append([]string{}, s.labels...), t.Version)...).Set(1)
	}
}

// ObserveRun records a scheduled run's lag, or that it was skipped.
func (m *Metrics) ObserveRun(lag time.Duration, skipped bool) {
	if skipped {
		m.skippedRuns.Inc()
		return
	}
	m.schedulerLag.Observe(lag.Seconds())
}

// SetCheckUp records a check's state after thresholds.
func (m *Metrics) SetCheckUp(checkID string, up bool) {
	m.mu.RLock()
	s := m.checks[checkID]
	m.mu.RUnlock()
	if s == nil {
		return
	}
	if up {
		s.up.Set(1)
	} else {
		s.up.Set(0)
	}
}

// SetComponentStatus sets the component's state set.
func (m *Metrics) SetComponentStatus(component, group string, st status.ComponentStatus) {
	m.mu.Lock()
	if old, ok := m.comps[component]; ok && old != group {
		m.componentStatus.DeletePartialMatch(prometheus.Labels{"component": component})
	}
	m.comps[component] = group
	m.mu.Unlock()
	for _, s := range status.ComponentStatuses {
		v := 0.0
		if s == st {
			v = 1
		}
		m.componentStatus.WithLabelValues(component, group, string(s)).Set(v)
	}
}

// RemoveComponent deletes a component's state set.
func (m *Metrics) RemoveComponent(component string) {
	m.mu.Lock()
	delete(m.comps, component)
	m.mu.Unlock()
	m.componentStatus.DeletePartialMatch(prometheus.Labels{"component": component})
}

// SetPageStatus sets the page's state set.
func (m *Metrics) SetPageStatus(st status.PageStatus) {
	for _, s := range status.PageStatuses {
		v := 0.0
		if s == st {
			v = 1
		}
		m.pageStatus.WithLabelValues(string(s)).Set(v)
	}
}

// SetIncidentsOpen sets the number of open incidents.
func (m *Metrics) SetIncidentsOpen(n int) { m.incidentsOpen.Set(float64(n)) }

// IncidentOpened counts a newly opened incident.
func (m *Metrics) IncidentOpened() { m.incidentsOpened.Inc() }

// SetMaintenanceInProgress sets the number of windows in progress.
func (m *Metrics) SetMaintenanceInProgress(n int) { m.maintenance.Set(float64(n)) }

// SetCustomMetric exports the latest value of a custom metric.
func (m *Metrics) SetCustomMetric(id string, v float64) { m.custom.WithLabelValues(id).Set(v) }

// RemoveCustomMetric deletes a custom metric's series.
func (m *Metrics) RemoveCustomMetric(id string) { m.custom.DeleteLabelValues(id) }
