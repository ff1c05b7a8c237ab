package testenv

import (
	"maps"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// TestSeriesReadsWhatClientGolangWrites: every kind of series comes back
// under the name the text exposition gives it, and Gathered agrees.
func TestSeriesReadsWhatClientGolangWrites(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hits_total", Help: "h"}, []string{"path", "code"})
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "up_flag", Help: "h"})
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "took_seconds", Help: "h", Buckets: []float64{0.25, 1}}, []string{"type"})
	reg.MustRegister(c, g, h)
	c.WithLabelValues("/a \"quoted\"", "200").Add(3)
	g.Set(1)
	h.WithLabelValues("http").Observe(0.5)
	h.WithLabelValues("http").Observe(2)

	want := map[string]float64{
		`hits_total{code="200",path="/a \"quoted\""}`: 3,
		`up_flag`: 1,
		`took_seconds_bucket{type="http",le="0.25"}`: 0,
		`took_seconds_bucket{type="http",le="1"}`:    1,
		`took_seconds_bucket{type="http",le="+Inf"}`: 2,
		`took_seconds_sum{type="http"}`:              2.5,
		`took_seconds_count{type="http"}`:            2,
	}
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	text := rec.Body.Bytes()
	for name, got := range map[string]map[string]float64{"Series": Series(t, string(text)), "Gathered": Gathered(t, reg)} {
		if !maps.Equal(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", name, got, want)
		}
	}
	if fams := Families(t, string(text)); !slices.Equal(fams, []string{"hits_total", "took_seconds", "up_flag"}) {
		t.Errorf("Families = %v", fams)
	}
}
