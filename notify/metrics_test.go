package notify

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/up-status/up/internal/testenv"
)

// wantMetrics waits until every expected series has its value.
func wantMetrics(t *testing.T, g prometheus.Gatherer, want map[string]float64) {
	t.Helper()
	testenv.EventuallyOK(t, waitLong, "the metrics", func() error {
		got := testenv.Gathered(t, g)
		var wrong []string
		for k, v := range want {
			if gv, found := got[k]; !found || gv != v {
				wrong = append(wrong, fmt.Sprintf("%s = %v (present %v), want %v", k, gv, found, v))
			}
		}
		if len(wrong) > 0 {
			sort.Strings(wrong)
			return errors.New(strings.Join(wrong, "; "))
		}
		return nil
	})
}

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
