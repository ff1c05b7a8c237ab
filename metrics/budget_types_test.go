package metrics

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/config"
	"github.com/up-status/up/probe"
	"github.com/up-status/up/status"
)

// The gRPC and WebSocket checks fill only the shared families (their TLS
// facts included), and stay within the 2 KB budget of every check.
func TestGRPCAndWebSocketChecksStayWithinTheBudget(t *testing.T) {
	m := New(Options{LatencyHistogram: true})
	const n = 100
	tlsRes := &probe.TLSResult{Version: "TLS 1.3", EarliestCertExpiry: time.Now().Add(90 * 24 * time.Hour), LastChainExpiry: time.Now().Add(90 * 24 * time.Hour)}
	for i := range n {
		comp := fmt.Sprintf("component-%04d", i)
		gc := &config.Check{ID: comp + ".rpc", Component: comp, Name: "rpc",
			GRPC: &config.GRPCCheck{Address: fmt.Sprintf("service-%04d.example.com:50051", i), Service: "acme.orders.v1.Orders", TLS: true}}
		wc := &config.Check{ID: comp + ".live", Component: comp, Name: "live",
			WebSocket: &config.WebSocketCheck{URL: fmt.Sprintf("wss://service-%04d.example.com/live/updates", i)}}
		for _, c := range []*config.Check{gc, wc} {
			m.AddCheck(c)
			r := probe.Result{Success: true, Duration: 30 * time.Millisecond, TLS: tlsRes,
				TCP: &probe.TCPResult{Resolve: time.Millisecond, Connect: time.Millisecond, TLS: time.Millisecond}}
			if c.GRPC != nil {
				r.GRPC = &probe.GRPCResult{Status: "SERVING"}
			} else {
				r.WebSocket = &probe.WebSocketResult{StatusCode: 101}
			}
			m.ObserveProbe(c.ID, r)
			m.SetCheckUp(c.ID, true)
		}
		m.SetComponentStatus(comp, "group-a", status.Operational)
	}
	body := scrape(t, m)
	for _, name := range []string{"rpc", "live"} {
		size, ssl := 0, false
		for _, l := range strings.Split(body, "\n") {
			// A check's share: its own series plus half of its
			// component's status set (two checks per component).
			if strings.Contains(l, `check="`+name+`"`) {
				size += len(l) + 1
				ssl = ssl || strings.HasPrefix(l, "probe_ssl_earliest_cert_expiry{")
			} else if strings.HasPrefix(l, "uptime_component_status{") {
				size += (len(l) + 1) / 2
			}
		}
		per := size / n
		t.Logf("%s check: %d bytes", name, per)
		if per > 2048 {
			t.Errorf("%s check: %d bytes of exposition, budget 2048", name, per)
		}
		if !ssl {
			t.Errorf("%s check: no probe_ssl_earliest_cert_expiry series", name)
		}
	}
}
