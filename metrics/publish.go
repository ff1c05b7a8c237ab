package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/up-status/up/status"
)

// StatusSeries keeps the status series (checks up, component and page
// state sets, open incidents, windows in progress) in step with the
// batches the pipeline publishes. It reads only events and snapshots, so
// the metrics show what the page shows.
type StatusSeries struct {
	m      *Metrics
	open   map[string]bool // ids of open incidents, to count each opening once
	primed bool
}

// StatusSeries returns the pipeline consumer that moves m's status series.
// Its Publish is called from one goroutine at a time.
func (m *Metrics) StatusSeries() *StatusSeries {
	return &StatusSeries{m: m, open: map[string]bool{}}
}

// Publish applies one batch: the events since the previous one and the
// snapshot after them.
func (s *StatusSeries) Publish(events []status.Event, snap *status.Snapshot) {
	if !s.primed && snap != nil {
		// The first batch follows a restore: take every state from the
		// snapshot, and the incidents already open are not new.
		s.primed = true
		for _, c := range snap.Components {
			s.m.SetComponentStatus(c.ID, c.Group, c.Status)
		}
		for _, c := range snap.Checks {
			s.m.SetCheckUp(c.ID, c.State != status.CheckDown)
		}
		s.m.SetPageStatus(snap.Page.Status)
		for _, inc := range snap.Incidents {
			if inc.Open() {
				s.open[inc.ID] = true
			}
		}
	}
	for _, ev := range events {
		s.record(ev)
	}
	if snap != nil {
		s.count(snap)
	}
}

func (s *StatusSeries) record(ev status.Event) {
	m := s.m
	switch ev.Kind {
	case status.CheckChanged:
		if ev.Check != nil {
			m.SetCheckUp(ev.Check.ID, ev.Check.State != status.CheckDown)
		}
	case status.ComponentChanged:
		m.SetComponentStatus(ev.Component.ID, ev.Component.Group, ev.Component.Status)
	case status.ComponentDeleted:
		m.RemoveComponent(ev.Component.ID)
	case status.PageChanged:
		m.SetPageStatus(ev.Page.Status)
	case status.IncidentChanged:
		inc := ev.Incident
		if inc.Open() && !s.open[inc.ID] {
			s.open[inc.ID] = true
			m.IncidentOpened()
		} else if !inc.Open() {
			delete(s.open, inc.ID)
		}
	case status.IncidentDeleted:
		delete(s.open, ev.Incident.ID)
	}
}

func (s *StatusSeries) count(snap *status.Snapshot) {
	open, inProgress := 0, 0
	for _, inc := range snap.Incidents {
		if inc.Open() {
			open++
		}
	}
	for _, w := range snap.Maintenance {
		if w.Status == status.InProgress {
			inProgress++
		}
	}
	s.m.SetIncidentsOpen(open)
	s.m.SetMaintenanceInProgress(inProgress)
}

// Health is what the metrics read of the daemon's own health.
type Health interface {
	// StoreErr is the store's latest write error while writes fail.
	StoreErr() error
	// StoreFailures counts failed store writes.
	StoreFailures() int
	// LocalErrors counts probes not made because of up itself.
	LocalErrors() int
}

// WatchHealth exports h as uptime_store_up,
// uptime_store_write_failures_total and uptime_probe_local_errors_total.
// Call it once.
func (m *Metrics) WatchHealth(h Health) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "uptime_store_up",
			Help: "1 while the state store takes writes, 0 while they fail (events are kept and retried).",
		}, func() float64 {
			if h.StoreErr() != nil {
				return 0
			}
			return 1
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "uptime_store_write_failures_total",
			Help: "Writes to the state store that failed.",
		}, func() float64 { return float64(h.StoreFailures()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "uptime_probe_local_errors_total",
			Help: "Probes not made because of a local error of up itself (out of file descriptors, buffers or memory, ICMP not permitted); they do not count against the target.",
		}, func() float64 { return float64(h.LocalErrors()) }),
	)
}
