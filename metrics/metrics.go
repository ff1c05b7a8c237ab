// Package metrics exports up's state to Prometheus. Per-probe metrics keep
// blackbox_exporter's names so existing alert rules work; what blackbox
// cannot know is prefixed uptime_. Everything is registered once, on a
// registry owned by the Metrics value, never on a global one.
package metrics

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/up-status/up/config"
	"github.com/up-status/up/probe"
	"github.com/up-status/up/status"
)

// Options chooses the optional, costly series.
type Options struct {
	// HTTPPhases exports probe_http_duration_seconds{phase} (5 series per
	// HTTP check).
	HTTPPhases bool
	// DNSPhases exports probe_dns_duration_seconds{phase} (3 series per
	// DNS check).
	DNSPhases bool
	// LatencyHistogram exports uptime_probe_latency_seconds per check
	// (11 series per check).
	LatencyHistogram bool
	// TLSChainInfo exports probe_ssl_last_chain_info (one series of five
	// long labels per tls check).
	TLSChainInfo bool
}

var (
	// LatencyBuckets are few on purpose: every bucket is one series per
	// check, and the exposition budget is 2 KB per check.
	LatencyBuckets = []float64{.05, .1, .25, 1, 2.5}
	lagBuckets     = []float64{.001, .005, .01, .05, .1, .5, 1, 5}
)

// Metrics holds every collector of up.
type Metrics struct {
	opts Options
	reg  *prometheus.Registry

	schedulerLag    prometheus.Histogram
	skippedRuns     prometheus.Counter
	pageStatus      *prometheus.GaugeVec
	incidentsOpen   prometheus.Gauge
	incidentsOpened prometheus.Counter
	maintenance     prometheus.Gauge
	custom          *prometheus.GaugeVec

	mu     sync.RWMutex
	checks map[string]*checkSeries
	comps  map[string]*componentSeries
	// sortedChecks and sortedComps are the series in id order, for a
	// stable exposition; nil after a change, sorted again by the next
	// scrape.
	sortedChecks []*checkSeries
	sortedComps  []*componentSeries
	// bufs holds the buffers scrapes write into.
	bufs sync.Pool
	// gzips keeps one compressor between scrapes. Not a sync.Pool: the
	// collector empties those within two cycles, which under load pass
	// between any two scrapes.
	gzips chan *gzip.Writer
}

// New creates the collectors and registers them, with the Go and process
// collectors and uptime_build_info, on a fresh registry.
func New(opts Options) *Metrics {
	m := &Metrics{
		opts:   opts,
		reg:    prometheus.NewRegistry(),
		checks: map[string]*checkSeries{},
		comps:  map[string]*componentSeries{},
	}
	m.bufs.New = func() any { b := make([]byte, 0, scrapeChunk+4096); return &b }
	m.gzips = make(chan *gzip.Writer, 1)
	gauge := func(name, help string, labels ...string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	}
	m.schedulerLag = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "uptime_scheduler_lag_seconds", Help: "How late probe runs start compared with their plan.", Buckets: lagBuckets,
	})
	m.skippedRuns = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "uptime_scheduler_skipped_runs_total", Help: "Runs skipped because the previous run of the same check was still going.",
	})
	m.pageStatus = gauge("uptime_page_status", "Page status as a state set: 1 for the current status, 0 for the others.", "status")
	m.incidentsOpen = prometheus.NewGauge(prometheus.GaugeOpts{Name: "uptime_incidents_open", Help: "Incidents not yet resolved."})
	m.incidentsOpened = prometheus.NewCounter(prometheus.CounterOpts{Name: "uptime_incidents_opened_total", Help: "Incidents opened, automatically or by hand."})
	m.maintenance = prometheus.NewGauge(prometheus.GaugeOpts{Name: "uptime_maintenance_in_progress", Help: "Maintenance windows in progress."})
	m.custom = gauge("uptime_custom_metric", "Latest value of a custom status-page metric pushed through the API.", "metric")

	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		versioncollector.NewCollector("uptime"),
		m.schedulerLag, m.skippedRuns, m.pageStatus,
		m.incidentsOpen, m.incidentsOpened, m.maintenance, m.custom,
	)
	for _, s := range status.PageStatuses {
		m.pageStatus.WithLabelValues(string(s)).Set(0)
	}
	return m
}

// Registerer is where other packages (the notifier) register their own
// collectors, so that one /metrics serves everything.
func (m *Metrics) Registerer() prometheus.Registerer { return m.reg }

// Gatherer gives read access for tests and the API to the collectors on
// the registry; the per-check series and the component state sets are
// written by Handler alone.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// exposed are the formats Handler writes, in order of preference when a
// scraper accepts several: OpenMetrics (what Prometheus asks for first)
// and the Prometheus text format. A scraper asking only for protobuf gets
// text, as promhttp does for formats it cannot write.
var exposed = []expfmt.Format{expfmt.FmtOpenMetrics_1_0_0, expfmt.FmtOpenMetrics_0_0_1, expfmt.FmtText}

// Handler serves the exposition in the format the scraper's Accept header
// asks for (OpenMetrics or the Prometheus text format, negotiated as
// promhttp does): the per-check families first, then everything
// registered on the registry. The hand-written families are streamed
// a chunk at a time from pooled buffers, never built whole.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		format := expfmt.NegotiateAccept(r.Header, exposed...)
		openMetrics := format.FormatType() == expfmt.TypeOpenMetrics
		mfs, err := m.reg.Gather()
		if err != nil && len(mfs) == 0 {
			http.Error(w, "gathering metrics: "+err.Error(), http.StatusInternalServerError)
			return
		}
		checks := m.checksInOrder()
		comps := m.componentsInOrder()

		w.Header().Set("Content-Type", string(format))
		w.Header().Add("Vary", "Accept")
		var out io.Writer = w
		if acceptsGzip(r) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Add("Vary", "Accept-Encoding")
			// BestSpeed: the text compresses well anyway, and the scrape
			// of thousands of checks must stay cheap. A compressor holds
			// over a megabyte of tables: it is reused, not made anew.
			var gz *gzip.Writer
			select {
			case gz = <-m.gzips:
				gz.Reset(w)
			default:
				gz, _ = gzip.NewWriterLevel(w, gzip.BestSpeed)
			}
			defer func() {
				_ = gz.Close()
				gz.Reset(io.Discard)
				select {
				case m.gzips <- gz:
				default:
				}
			}()
			out = gz
		}
		bp := m.bufs.Get().(*[]byte)
		defer m.bufs.Put(bp)
		write := func(b []byte) error { _, err := out.Write(b); return err }
		if err := writeChecks(write, (*bp)[:0], checks, m.opts, openMetrics); err != nil {
			return
		}
		if err := writeComponents(write, (*bp)[:0], comps); err != nil {
			return
		}
		if openMetrics {
			mfs = withoutClashes(mfs)
		}
		enc := expfmt.NewEncoder(out, format)
		for _, mf := range mfs {
			if err := enc.Encode(mf); err != nil {
				return
			}
		}
		// OpenMetrics ends with "# EOF", which the encoder writes on
		// Close; the text format's encoder has nothing to close.
		if c, ok := enc.(expfmt.Closer); ok {
			_ = c.Close()
		}
	})
}

// withoutClashes leaves out a counter whose OpenMetrics family name (its
// name without _total) another family already has: OpenMetrics wants
// family names unique, and the Go collector exports both the gauge
// go_memstats_alloc_bytes and the counter go_memstats_alloc_bytes_total.
// The text format keeps both.
func withoutClashes(mfs []*dto.MetricFamily) []*dto.MetricFamily {
	names := make(map[string]bool, len(mfs))
	for _, mf := range mfs {
		names[mf.GetName()] = true
	}
	out := mfs[:0:0]
	for _, mf := range mfs {
		if mf.GetType() == dto.MetricType_COUNTER {
			if base, ok := strings.CutSuffix(mf.GetName(), "_total"); ok && names[base] {
				continue
			}
		}
		out = append(out, mf)
	}
	return out
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		if strings.TrimSpace(strings.SplitN(part, ";", 2)[0]) == "gzip" {
			return true
		}
	}
	return false
}

// AddCheck creates the check's series up front with neutral values, like
// blackbox_exporter does for phases, so dashboards never see series appear
// and vanish. Adding a check again resets its series.
func (m *Metrics) AddCheck(c *config.Check) {
	s := newCheckSeries(c, m.opts.LatencyHistogram)
	m.mu.Lock()
	m.checks[c.ID] = s
	m.sortedChecks = nil
	m.mu.Unlock()
}

// RemoveCheck deletes every series of a check that is gone after a reload.
func (m *Metrics) RemoveCheck(id string) {
	m.mu.Lock()
	delete(m.checks, id)
	m.sortedChecks = nil
	m.mu.Unlock()
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

// ObserveProbe records one result.
func (m *Metrics) ObserveProbe(checkID string, r probe.Result) {
	m.mu.RLock()
	s := m.checks[checkID]
	m.mu.RUnlock()
	if s != nil {
		s.observe(r)
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
	s.mu.Lock()
	s.up = 0
	if up {
		s.up = 1
	}
	s.mu.Unlock()
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
