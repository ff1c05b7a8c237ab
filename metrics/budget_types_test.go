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

// pushSecret is the token of every push check fillMoreChecks adds: it
// must show nowhere in the exposition.
const pushSecret = "push-secret-0123456789abcdef"

// fillMoreChecks adds n gRPC, WebSocket and push checks, one of each per
// component, with realistic labels and one result each: the check types
// fillChecks does not make.
func fillMoreChecks(m *Metrics, n int) {
	tlsRes := &probe.TLSResult{Version: "TLS 1.3", EarliestCertExpiry: time.Now().Add(90 * 24 * time.Hour), LastChainExpiry: time.Now().Add(90 * 24 * time.Hour)}
	for i := range n {
		comp := fmt.Sprintf("component-%04d", i)
		gc := &config.Check{ID: comp + ".rpc", Component: comp, Name: "rpc",
			GRPC: &config.GRPCCheck{Address: fmt.Sprintf("service-%04d.example.com:50051", i), Service: "acme.orders.v1.Orders", TLS: true}}
		wc := &config.Check{ID: comp + ".live", Component: comp, Name: "live",
			WebSocket: &config.WebSocketCheck{URL: fmt.Sprintf("wss://service-%04d.example.com/live/updates", i)}}
		pc := &config.Check{ID: comp + ".nightly-backup", Component: comp, Name: "nightly-backup",
			Push: &config.PushCheck{Token: config.Secret(fmt.Sprintf("%s-%04d", pushSecret, i)), Period: 24 * time.Hour, Grace: time.Hour}}
		for _, c := range []*config.Check{gc, wc, pc} {
			m.AddCheck(c)
			r := probe.Result{Success: true, Duration: 30 * time.Millisecond}
			switch {
			case c.GRPC != nil:
				r.GRPC = &probe.GRPCResult{Status: "SERVING"}
			case c.WebSocket != nil:
				r.WebSocket = &probe.WebSocketResult{StatusCode: 101}
			}
			if c.Push == nil {
				r.TLS = tlsRes
				r.TCP = &probe.TCPResult{Resolve: time.Millisecond, Connect: time.Millisecond, TLS: time.Millisecond}
			} else {
				r.Type, r.Target, r.Duration = "push", config.PushTarget, 0
			}
			m.ObserveProbe(c.ID, r)
			m.SetCheckUp(c.ID, true)
		}
		m.SetComponentStatus(comp, "group-a", status.Operational)
	}
}

// The gRPC, WebSocket and push checks fill only the shared families (the
// TLS facts included where there is a handshake), and stay within the
// 2 KB budget of every check; a push check's token shows nowhere.
func TestGRPCWebSocketAndPushChecksStayWithinTheBudget(t *testing.T) {
	m := New(Options{LatencyHistogram: true})
	const n = 100
	fillMoreChecks(m, n)
	body := scrape(t, m)
	if strings.Contains(body, pushSecret) {
		t.Errorf("a push token is in the exposition:\n%s", grep(body, pushSecret))
	}
	for _, name := range []string{"rpc", "live", "nightly-backup"} {
		size, ssl, series := 0, false, 0
		for _, l := range strings.Split(body, "\n") {
			// A check's share: its own series plus a third of its
			// component's status set (three checks per component).
			if strings.Contains(l, `check="`+name+`"`) {
				size += len(l) + 1
				series++
				ssl = ssl || strings.HasPrefix(l, "probe_ssl_earliest_cert_expiry{")
			} else if strings.HasPrefix(l, "uptime_component_status{") {
				size += (len(l) + 1) / 3
			}
		}
		per := size / n
		t.Logf("%s check: %d bytes, %d series", name, per, series/n)
		if series == 0 {
			t.Errorf("%s check: no series at all", name)
		}
		if per > 2048 {
			t.Errorf("%s check: %d bytes of exposition, budget 2048", name, per)
		}
		if want := name != "nightly-backup"; ssl != want {
			t.Errorf("%s check: probe_ssl_earliest_cert_expiry series %v, want %v", name, ssl, want)
		}
	}
}
