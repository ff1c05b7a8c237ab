package probe

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func ExampleResult_Summary() {
	start := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	r := Result{
		Type: "http", Target: "https://acme.example/", Start: start,
		Duration: 12345 * time.Microsecond, Success: true,
		HTTP: &HTTPResult{
			StatusCode: 200, Proto: "HTTP/2.0", Resolve: 1200 * time.Microsecond, Connect: 310 * time.Microsecond,
			TLS: 4100 * time.Microsecond, Processing: 5600 * time.Microsecond, Transfer: 120 * time.Microsecond,
			BodyBytes: 5123,
		},
		TLS: &TLSResult{Version: "TLS 1.3", EarliestCertExpiry: start.Add(95 * 24 * time.Hour)},
	}
	fmt.Print(r.Summary())
	// Output:
	// success  http 200  total 12.3ms  https://acme.example/
	//   resolve 1.20ms  connect 0.31ms  tls 4.10ms  processing 5.60ms  transfer 0.12ms
	//   HTTP/2.0  redirects 0  body 5123 bytes
	//   TLS 1.3  earliest certificate expiry 2027-03-01T12:00:00Z (in 95 days)
}

func TestSummaryOfFailures(t *testing.T) {
	start := time.Now()
	tests := []struct {
		r    Result
		want []string
	}{
		{Result{Type: "tcp", Target: "db:5432", Duration: 2 * time.Second, Err: "timeout after 2s while connecting",
			TCP: &TCPResult{Connect: 2 * time.Second}},
			[]string{"failure  tcp  total 2.00s  db:5432\n", "  error: timeout after 2s while connecting\n", "connect 2.00s"}},
		{Result{Type: "icmp", Target: "gw", Success: true, Duration: 1500 * time.Microsecond,
			ICMP: &ICMPResult{Sent: 4, Received: 3, LossRatio: 0.25, RTT: 1500 * time.Microsecond}},
			[]string{"success  icmp  rtt 1.50ms  gw\n", "sent 4  received 3  loss 25%  rtt 1.50ms"}},
		{Result{Type: "icmp", Target: "gw", Duration: 2 * time.Second, Err: "timeout after 2s: no reply to 1 echo requests",
			ICMP: &ICMPResult{Sent: 1, LossRatio: 1}},
			[]string{"failure  icmp  total 2.00s  gw\n"}},
		{Result{Type: "tcp", Target: "db:5432", Err: "up itself is out of file descriptors (too many open files)", Local: true},
			[]string{"  error: up itself is out of file descriptors (too many open files)\n", "  this is a problem of up's machine, not of the target\n"}},
		{Result{Type: "http", Start: start, Err: "certificate expired (not after 2026-01-01T00:00:00Z)",
			TLS: &TLSResult{EarliestCertExpiry: start.Add(-49 * time.Hour)}},
			[]string{"  error: certificate expired", "(expired 2 days ago)"}},
		{Result{Type: "tls", Start: start, Success: true, Degraded: "certificate for acme.example expires in 9 days",
			TLS: &TLSResult{EarliestCertExpiry: start.Add(9*24*time.Hour + time.Hour), EarliestCertName: "acme.example"}},
			[]string{"  degraded: certificate for acme.example expires in 9 days\n", "(in 9 days, acme.example)"}},
		{Result{Type: "dns", Success: true, DNS: &DNSResult{Server: "ns:53", Rcode: "NOERROR", Answer: 1, HasSerial: true, Serial: 7,
			Values: []string{"ns1. admin. 7 3600 600 86400 60"}, Passed: []string{"soa_serial_min 5"}}},
			[]string{"success  dns NOERROR", "  answer 1  authority 0  additional 0  serial 7\n", "  passed: soa_serial_min 5\n"}},
	}
	for _, tt := range tests {
		s := tt.r.Summary()
		for _, w := range tt.want {
			if !strings.Contains(s, w) {
				t.Errorf("Summary lacks %q:\n%s", w, s)
			}
		}
	}
}
