package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/miekg/dns"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// wantOutput fails the test unless up probe exited with code and printed
// every one of wants.
func wantOutput(t *testing.T, args []string, code int, wants ...string) {
	t.Helper()
	got, out := runUp(t, args...)
	if got != code {
		t.Errorf("up %s exited %d, want %d:\n%s", strings.Join(args, " "), got, code, out)
		return
	}
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("up %s printed no %q:\n%s", strings.Join(args, " "), w, out)
		}
	}
}

// TestProbeDNSTarget: up probe dns://... against an in-process DNS
// server prints the rcode, the phases, the answer and the assertions
// given in the query, and exits 1 when one fails.
func TestProbeDNSTarget(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		if q.Question[0].Name != "app.up.test." {
			m.Rcode = dns.RcodeNameError
		} else {
			for _, ip := range []string{"10.0.0.7", "10.0.0.8"} {
				rr, _ := dns.NewRR("app.up.test. 60 IN A " + ip)
				m.Answer = append(m.Answer, rr)
			}
		}
		_ = w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { _ = srv.Shutdown() })
	addr := pc.LocalAddr().String()

	wantOutput(t, []string{"probe", "dns://" + addr + "/app.up.test?min_answers=2&answer_contains=10.0.0.8"}, 0,
		"success  dns NOERROR  total ", "  server "+addr+"  resolve ", "  answer 2  authority 0  additional 0",
		"  values: 10.0.0.7, 10.0.0.8", `  passed: min_answers 2, answer_contains "10.0.0.8"`)
	wantOutput(t, []string{"probe", "dns://" + addr + "/app.up.test?answer_contains=10.0.0.9"}, 1,
		"failure  dns NOERROR", `error: answer_contains "10.0.0.9" failed: no A record contains it; got "10.0.0.7", "10.0.0.8"`)
	wantOutput(t, []string{"probe", "dns://" + addr + "/gone.up.test?rcode=NXDOMAIN"}, 0, "success  dns NXDOMAIN")
	wantOutput(t, []string{"probe", "dns://" + addr + "/app.up.test?min_answers=many"}, 2, "min_answers=many: invalid syntax")
}

// TestProbeGRPCTarget: up probe grpc://... asks an in-process health
// server and prints the status it answered with the phases.
func TestProbeGRPCTarget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := health.NewServer()
	hs.SetServingStatus("acme.Orders", healthpb.HealthCheckResponse_SERVING)
	hs.SetServingStatus("acme.Billing", healthpb.HealthCheckResponse_NOT_SERVING)
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, hs)
	go srv.Serve(ln)
	t.Cleanup(srv.Stop)
	addr := ln.Addr().String()

	wantOutput(t, []string{"probe", "grpc://" + addr + "/acme.Orders"}, 0,
		"success  grpc SERVING  total ", "grpc://"+addr+"/acme.Orders", "  resolve ", "  connect ", "  exchange ")
	wantOutput(t, []string{"probe", "grpc://" + addr + "/acme.Billing"}, 1,
		"failure  grpc NOT_SERVING", `error: service "acme.Billing" is NOT_SERVING`)
}

// TestProbeWebSocketTarget: up probe ws://... wants the upgrade and
// prints its status with the phases.
func TestProbeWebSocketTarget(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/live" {
			http.NotFound(w, r)
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		// Held open until the prober drops the socket.
		_, _, _ = c.Read(r.Context())
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)

	wantOutput(t, []string{"probe", "ws://" + u.Host + "/live"}, 0, "success  websocket 101  total ", "  resolve ", "  connect ")
	wantOutput(t, []string{"probe", "ws://" + u.Host + "/nope"}, 1, "failure  websocket 404", "want 101")
}

// TestProbeTLSTarget: up probe tls://... shakes hands, and a certificate
// it cannot verify fails the probe with the phases and the certificate's
// expiry still printed.
func TestProbeTLSTarget(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)

	wantOutput(t, []string{"probe", "tls://" + u.Host}, 1,
		"failure  tls  total ", "error: ", "certificate", "  resolve ", "  tls ", "earliest certificate expiry ")
}

// TestProbeConfiguredCheck: up probe --config FILE --check ID runs the
// file's check with all it says (here a password from the environment
// and JSON assertions), prints no secret, and says why it will not run
// a push check or an id the file lacks.
func TestProbeConfiguredCheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, pw, ok := r.BasicAuth(); !ok || user != "monitor" || pw != "pw-s3cret-0123" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status": "ok", "queue": {"depth": 150}}`)
	}))
	t.Cleanup(srv.Close)
	t.Setenv("UP_TEST_PROBE_PASSWORD", "pw-s3cret-0123")
	cfg := filepath.Join(t.TempDir(), "up.yaml")
	writeFile(t, cfg, fmt.Sprintf(`components:
  - id: api
    checks:
      - name: health
        timeout: 5s
        http:
          url: %[1]q
          basic_auth: {username: monitor, password: "${UP_TEST_PROBE_PASSWORD}"}
          expect_json: [{path: $.status, equals: ok}]
      - name: queue
        http:
          url: %[1]q
          basic_auth: {username: monitor, password: "${UP_TEST_PROBE_PASSWORD}"}
          expect_json: [{path: $.queue.depth, "<": 100}]
      - name: backup
        push: {token: backup-push-token-0123456789, period: 24h}
`, srv.URL+"/health"))

	wantOutput(t, []string{"probe", "--config", cfg, "--check", "api.health"}, 0, "success  http 200  total ", `  passed: json $.status equals "ok"`)
	wantOutput(t, []string{"probe", "--config", cfg, "--check", "api.queue"}, 1,
		"failure  http 200", "error: json $.queue.depth: got 150, want < 100")
	wantOutput(t, []string{"probe", "--config", cfg, "--check", "api.backup"}, 2, "api.backup is a push check")
	wantOutput(t, []string{"probe", "--config", cfg, "--check", "api.nope"}, 2, `has no check "api.nope"; its checks: api.health, api.queue, api.backup`)
	wantOutput(t, []string{"probe", "--check", "api.health"}, 2, "--check ID goes with --config FILE and no TARGET")
	for _, id := range []string{"api.health", "api.queue"} {
		if _, out := runUp(t, "probe", "--config", cfg, "--check", id); strings.Contains(out, "pw-s3cret") {
			t.Errorf("up probe --check %s prints the password:\n%s", id, out)
		}
	}
}
