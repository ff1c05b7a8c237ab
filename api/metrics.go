package api

import (
	"cmp"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

type metricView struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Unit   string `json:"unit"`
	Custom bool   `json:"custom"`
}

type pointView struct {
	Timestamp string  `json:"timestamp"`
	Value     float64 `json:"value"`
}

type metricPointsView struct {
	metricView
	Points []pointView `json:"points"`
}

func newMetricView(m *store.Metric) metricView {
	return metricView{ID: m.ID, Name: m.Name, Unit: m.Unit, Custom: m.Custom}
}

func newMetricPointsView(m *store.Metric) metricPointsView {
	v := metricPointsView{metricView: newMetricView(m), Points: make([]pointView, len(m.Points))}
	for i, p := range m.Points {
		v.Points[i] = pointView{Timestamp: formatTime(p.Time), Value: p.Value}
	}
	return v
}

// metricInput is the body of PUT /metrics.
type metricInput struct {
	ID     string       `json:"id"`
	Name   string       `json:"name"`
	Unit   string       `json:"unit"`
	Points []pointInput `json:"points"`

	Custom readOnly `json:"custom"`
}

type pointInput struct {
	Timestamp string   `json:"timestamp"`
	Value     *float64 `json:"value"`
}

// maxPoints bounds one PUT; a cron job pushing more sends more requests.
const maxPoints = 10000

func (in *metricInput) metric() (store.Metric, error) {
	m := store.Metric{ID: in.ID, Name: in.Name, Unit: in.Unit, Custom: true}
	if err := checkID("id", in.ID); err != nil {
		return m, err
	}
	if err := checkText("name", in.Name, maxName); err != nil {
		return m, err
	}
	if err := checkText("unit", in.Unit, 32); err != nil {
		return m, err
	}
	if len(in.Points) > maxPoints {
		return m, badRequest("points: at most %d points per request", maxPoints)
	}
	m.Points = make([]store.Point, 0, len(in.Points))
	for i, p := range in.Points {
		if p.Timestamp == "" {
			return m, badRequest("points[%d].timestamp is required", i)
		}
		t, err := parseTime("points["+strconv.Itoa(i)+"].timestamp", p.Timestamp)
		if err != nil {
			return m, err
		}
		if p.Value == nil {
			return m, badRequest("points[%d].value is required", i)
		}
		m.Points = append(m.Points, store.Point{Time: t, Value: *p.Value})
	}
	return m, nil
}

// checkMetric returns the automatic metric of a check: its response time.
func checkMetric(s *status.Snapshot, id string) (store.Metric, bool) {
	for _, c := range s.Checks {
		if c.ID == id {
			name := strings.TrimPrefix(c.ID, c.Component+".")
			return store.Metric{ID: c.ID, Name: name + " response time", Unit: "ms"}, true
		}
	}
	return store.Metric{}, false
}

// listMetrics serves the Prometheus exposition, or the status-page
// metrics (without points) to clients that ask for JSON.
func (s *Server) listMetrics(w http.ResponseWriter, r *http.Request) error {
	if !wantsJSON(r) {
		if s.metrics == nil {
			return notFoundf("no Prometheus exposition is served here; ask with Accept: application/json for the status-page metrics")
		}
		s.metrics.ServeHTTP(w, r)
		return nil
	}
	ms, err := s.store.Metrics(r.Context())
	if err != nil {
		return err
	}
	snap := s.backend.Snapshot()
	out := make([]metricView, 0, len(ms)+len(snap.Checks))
	seen := make(map[string]bool, len(ms))
	for i := range ms {
		seen[ms[i].ID] = true
		out = append(out, newMetricView(&ms[i]))
	}
	// Every check has its metric, with points or not yet.
	for _, c := range snap.Checks {
		if !seen[c.ID] {
			m, _ := checkMetric(&snap, c.ID)
			out = append(out, newMetricView(&m))
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

func metricPathID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !validMetricID(id) {
		return "", badRequest("id %q is not a valid metric id: use letters, digits, '_', '.' or '-', starting with a letter or digit, at most 129", clip(id))
	}
	return id, nil
}

// getMetric returns a metric with its points between ?from= and ?to=
// (RFC 3339 or Unix seconds; by default the last 24 hours).
func (s *Server) getMetric(w http.ResponseWriter, r *http.Request) error {
	id, err := metricPathID(r)
	if err != nil {
		return err
	}
	from, err := queryTime(r, "from")
	if err != nil {
		return err
	}
	to, err := queryTime(r, "to")
	if err != nil {
		return err
	}
	if from.IsZero() {
		from = cmp.Or(to, s.now()).Add(-24 * time.Hour)
	}
	if !to.IsZero() && to.Before(from) {
		return badRequest("to is before from")
	}
	m, err := s.store.Metric(r.Context(), id, from, to)
	if errors.Is(err, store.ErrNotFound) {
		snap := s.backend.Snapshot()
		var ok bool
		if m, ok = checkMetric(&snap, id); !ok {
			return notFoundf("no metric %q", id)
		}
		err = nil
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newMetricPointsView(&m))
}

// putMetric creates or updates a custom metric and adds its points.
func (s *Server) putMetric(w http.ResponseWriter, r *http.Request) error {
	var in metricInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	m, err := in.metric()
	if err != nil {
		return err
	}
	snap := s.backend.Snapshot()
	if _, ok := checkMetric(&snap, m.ID); ok {
		return conflictf("metric %q is the response time of check %q; choose another id", m.ID, m.ID)
	}
	ctx := r.Context()
	probe := time.UnixMilli(1) // a range with no points: the metric alone
	old, err := s.store.Metric(ctx, m.ID, probe, probe)
	created := errors.Is(err, store.ErrNotFound)
	switch {
	case created:
	case err != nil:
		return err
	case !old.Custom:
		return conflictf("metric %q is the response time of a check; choose another id", m.ID)
	}
	m.Name = cmp.Or(m.Name, old.Name, m.ID)
	m.Unit = cmp.Or(m.Unit, old.Unit)
	if err := s.store.PutMetric(ctx, m); err != nil {
		return err
	}
	var first, last time.Time
	for _, p := range m.Points {
		if first.IsZero() || p.Time.Before(first) {
			first = p.Time
		}
		if p.Time.After(last) {
			last = p.Time
		}
	}
	out := store.Metric{ID: m.ID, Name: m.Name, Unit: m.Unit, Custom: true}
	if len(m.Points) > 0 {
		if out, err = s.store.Metric(ctx, m.ID, first, last); err != nil {
			return err
		}
		if err := s.exportLatest(r, m.ID, last); err != nil {
			return err
		}
	}
	code := http.StatusOK
	if created {
		code = http.StatusCreated
		w.Header().Set("Location", "/metrics/"+m.ID)
	}
	return writeJSON(w, code, newMetricPointsView(&out))
}

// exportLatest sets uptime_custom_metric to the metric's newest value,
// which a backfill of older points must not replace.
func (s *Server) exportLatest(r *http.Request, id string, since time.Time) error {
	if s.setCustom == nil {
		return nil
	}
	m, err := s.store.Metric(r.Context(), id, since, time.Time{})
	if err != nil {
		return err
	}
	if n := len(m.Points); n > 0 {
		s.setCustom(id, m.Points[n-1].Value)
	}
	return nil
}

func (s *Server) deleteMetric(w http.ResponseWriter, r *http.Request) error {
	id, err := metricPathID(r)
	if err != nil {
		return err
	}
	snap := s.backend.Snapshot()
	if _, ok := checkMetric(&snap, id); ok {
		return conflictf("metric %q is the response time of a check; it goes when the check is removed from the configuration", id)
	}
	probe := time.UnixMilli(1)
	m, err := s.store.Metric(r.Context(), id, probe, probe)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFoundf("no metric %q", id)
	case err != nil:
		return err
	}
	// A metric of a check that is gone may be deleted like a custom one.
	if err := s.store.DeleteMetric(r.Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return notFoundf("no metric %q", id)
		}
		return err
	}
	if s.removeCustom != nil && m.Custom {
		s.removeCustom(id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
