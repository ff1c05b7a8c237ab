package notify

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// gather flattens a registry into "name{label="value",...}" -> value;
// histograms give their _count.
func gather(t *testing.T, g prometheus.Gatherer) map[string]float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			sort.Strings(labels)
			name := mf.GetName()
			if len(labels) > 0 {
				name += "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case m.Counter != nil:
				out[name] = m.Counter.GetValue()
			case m.Gauge != nil:
				out[name] = m.Gauge.GetValue()
			case m.Histogram != nil:
				out[name+"_count"] = float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return out
}

// wantMetrics waits until every expected series has its value.
func wantMetrics(t *testing.T, g prometheus.Gatherer, want map[string]float64) {
	t.Helper()
	var got map[string]float64
	ok := func() bool {
		got = gather(t, g)
		for k, v := range want {
			if gv, found := got[k]; !found || gv != v {
				return false
			}
		}
		return true
	}
	for range 500 {
		if ok() {
			return
		}
		waitTick()
	}
	for k, v := range want {
		if gv, found := got[k]; !found || gv != v {
			t.Errorf("%s = %v (present %v), want %v", k, gv, found, v)
		}
	}
}

func waitTick() { time.Sleep(10 * time.Millisecond) }

func TestMetrics(t *testing.T) {
	h := newHarness(t, Config{})
	r := newReceiver(t, h.clock, nil)
	h.subscribe("ops", r.URL, "")
	h.d.Notify()
	// Every series of a subscriber exists before its first webhook.
	want := map[string]float64{`uptime_webhook_queue_depth{subscriber="ops"}`: 0}
	for _, ev := range eventKinds {
		for _, res := range results {
			want[fmt.Sprintf(`uptime_webhook_deliveries_total{event=%q,result=%q,subscriber="ops"}`, ev, res)] = 0
		}
	}
	wantMetrics(t, h.reg, want)

	// A queue blocked behind a failing head shows its depth.
	r.setRespond(status500)
	h.enqueue(componentEvents(3)...)
	h.enqueue(incidentEvent())
	r.next(t)
	wantMetrics(t, h.reg, map[string]float64{
		`uptime_webhook_queue_depth{subscriber="ops"}`:                                         4,
		`uptime_webhook_deliveries_total{event="component",result="failure",subscriber="ops"}`: 1,
	})

	r.setRespond(nil)
	h.clock.AdvanceToTimer(t, 10*time.Minute, waitLong)
	for range 4 {
		r.next(t)
	}
	wantMetrics(t, h.reg, map[string]float64{
		`uptime_webhook_queue_depth{subscriber="ops"}`:                                         0,
		`uptime_webhook_deliveries_total{event="component",result="success",subscriber="ops"}`: 3,
		`uptime_webhook_deliveries_total{event="incident",result="success",subscriber="ops"}`:  1,
		`uptime_webhook_deliveries_total{event="component",result="failure",subscriber="ops"}`: 1,
		`uptime_webhook_delivery_duration_seconds_count`:                                       5,
	})
}
