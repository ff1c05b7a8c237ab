package probe

import (
	"context"
	"crypto/tls"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"

	"github.com/up-status/up/config"
)

// grpcPeer is an in-process gRPC server with the standard health
// service on loopback. It keeps the metadata of the last health call.
type grpcPeer struct {
	addr   string
	health *health.Server
	mu     sync.Mutex
	md     metadata.MD
}

func serveGRPC(t *testing.T, cert *tls.Certificate) *grpcPeer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	peer := &grpcPeer{addr: ln.Addr().String(), health: health.NewServer()}
	opts := []grpc.ServerOption{grpc.UnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		md, _ := metadata.FromIncomingContext(ctx)
		peer.mu.Lock()
		peer.md = md
		peer.mu.Unlock()
		return h(ctx, req)
	})}
	if cert != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{*cert}})))
	}
	srv := grpc.NewServer(opts...)
	healthpb.RegisterHealthServer(srv, peer.health)
	go srv.Serve(ln)
	t.Cleanup(srv.Stop)
	return peer
}

func grpcCheck(addr, service string, mod func(*config.GRPCCheck)) *config.Check {
	c := &config.Check{ID: "rpc.grpc", Component: "rpc", Name: "grpc", Timeout: 5 * time.Second,
		TLSExpiryWarn: config.DefaultTLSExpiryWarn, TLSExpiryCritical: config.DefaultTLSExpiryCritical,
		GRPC: &config.GRPCCheck{Address: addr, Service: service}}
	if mod != nil {
		mod(c.GRPC)
	}
	return c
}

func TestGRPCHealthStatuses(t *testing.T) {
	peer := serveGRPC(t, nil)
	peer.health.SetServingStatus("acme.Orders", healthpb.HealthCheckResponse_SERVING)
	peer.health.SetServingStatus("acme.Billing", healthpb.HealthCheckResponse_NOT_SERVING)
	peer.health.SetServingStatus("acme.Lost", healthpb.HealthCheckResponse_UNKNOWN)
	tests := []struct{ service, status, err string }{
		{"", "SERVING", ""},
		{"acme.Orders", "SERVING", ""},
		{"acme.Billing", "NOT_SERVING", `service "acme.Billing" is NOT_SERVING`},
		{"acme.Lost", "UNKNOWN", `service "acme.Lost" is UNKNOWN`},
		{"acme.Nobody", "SERVICE_UNKNOWN", `service "acme.Nobody" is SERVICE_UNKNOWN (the server does not know it)`},
	}
	for _, tt := range tests {
		t.Run(tt.service, func(t *testing.T) {
			c := grpcCheck(peer.addr, tt.service, nil)
			r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
			if r.Err != tt.err || r.Success != (tt.err == "") || r.GRPC.Status != tt.status {
				t.Errorf("Success=%v Err=%q status %q; want %q, %q", r.Success, r.Err, r.GRPC.Status, tt.err, tt.status)
			}
			if !strings.HasPrefix(r.Summary(), map[bool]string{true: "success", false: "failure"}[r.Success]+"  grpc "+tt.status+"  total ") {
				t.Errorf("summary %q", r.Summary())
			}
			if r.Type != "grpc" || r.Target != "grpc://"+peer.addr+"/"+tt.service || r.TCP.Connect <= 0 {
				t.Errorf("type %q target %q connect %v", r.Type, r.Target, r.TCP.Connect)
			}
		})
	}
	peer.health.Shutdown() // every service NOT_SERVING, the server too
	r := probeWithin(t, mustNew(t, grpcCheck(peer.addr, "", nil), testOptions(t)), 5*time.Second)
	if r.Err != "server is NOT_SERVING" {
		t.Errorf("after shutdown: Err=%q", r.Err)
	}
}

// Metadata reaches the server, and a name resolves through the
// injected resolver, not the system's.
func TestGRPCSendsMetadataAndResolves(t *testing.T) {
	peer := serveGRPC(t, nil)
	_, port, _ := net.SplitHostPort(peer.addr)
	c := grpcCheck("app.up.test:"+port, "", func(g *config.GRPCCheck) {
		g.Metadata = map[string]config.Secret{"Authorization": "Bearer s3cret"}
	})
	r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if !r.Success {
		t.Fatalf("Err=%q", r.Err)
	}
	peer.mu.Lock()
	defer peer.mu.Unlock()
	if got := peer.md.Get("authorization"); len(got) != 1 || got[0] != "Bearer s3cret" {
		t.Errorf("metadata seen by the server: %v", peer.md)
	}
	if ua := strings.Join(peer.md.Get("user-agent"), ""); !strings.HasPrefix(ua, "up/1.2.3") {
		t.Errorf("user agent %q", ua)
	}
}

func TestGRPCOverTLS(t *testing.T) {
	ca := newPKI(t)
	cert := ca.issue(t, certSpec{names: []string{"app.up.test"}, notAfter: time.Now().Add(10 * day)})
	peer := serveGRPC(t, &cert)
	_, port, _ := net.SplitHostPort(peer.addr)
	opts := testOptions(t)
	opts.RootCAs = ca.pool

	c := grpcCheck("app.up.test:"+port, "", func(g *config.GRPCCheck) { g.TLS = true })
	r := probeWithin(t, mustNew(t, c, opts), c.Timeout)
	if !r.Success || r.TLS == nil || r.TLS.Version != "TLS 1.3" || r.TCP.TLS <= 0 {
		t.Fatalf("Success=%v Err=%q TLS %+v", r.Success, r.Err, r.TLS)
	}
	// Ten days left is inside the default 14 days of tls_expiry_warn.
	if !strings.HasPrefix(r.Degraded, "certificate for app.up.test expires in ") {
		t.Errorf("Degraded=%q", r.Degraded)
	}

	c = grpcCheck(peer.addr, "", func(g *config.GRPCCheck) { g.TLS = true })
	r = probeWithin(t, mustNew(t, c, opts), c.Timeout)
	if r.Success || !strings.Contains(r.Err, "certificate") {
		t.Errorf("a certificate without the IP verified: Err=%q", r.Err)
	}
	c = grpcCheck(peer.addr, "", func(g *config.GRPCCheck) { g.TLS, g.ServerName = true, "app.up.test" })
	if r = probeWithin(t, mustNew(t, c, opts), c.Timeout); !r.Success {
		t.Errorf("server_name: Err=%q", r.Err)
	}
	c = grpcCheck(peer.addr, "", func(g *config.GRPCCheck) { g.TLS, g.TLSSkipVerify = true, true })
	if r = probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout); !r.Success || r.TLS.EarliestCertExpiry.IsZero() {
		t.Errorf("tls_skip_verify: Err=%q", r.Err)
	}
	c.TLSExpiryCritical = 20 * day
	r = probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if r.Success || !strings.Contains(r.Err, "tls_expiry_critical") {
		t.Errorf("critical expiry: Success=%v Err=%q", r.Success, r.Err)
	}

	// Plaintext against a TLS server fails without hanging.
	c = grpcCheck(peer.addr, "", nil)
	if r = probeWithin(t, mustNew(t, c, opts), c.Timeout); r.Success || r.Err == "" {
		t.Errorf("plaintext to TLS: Err=%q", r.Err)
	}
}

func TestGRPCBadPeers(t *testing.T) {
	c := grpcCheck(closedPort(t), "", nil)
	r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if r.Success || !strings.Contains(r.Err, "connection refused") {
		t.Errorf("closed port: Err=%q", r.Err)
	}

	silentPeer := serveTCP(t, silent)
	c = grpcCheck(silentPeer.addr, "", nil)
	c.Timeout = 300 * time.Millisecond
	r = probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if r.Success || !strings.HasPrefix(r.Err, "timeout after 300ms") {
		t.Errorf("silent peer: Err=%q", r.Err)
	}

	c = grpcCheck(silentPeer.addr, "", func(g *config.GRPCCheck) { g.TLS = true })
	c.Timeout = 300 * time.Millisecond
	r = probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if r.Success || r.Err != "timeout after 300ms during the TLS handshake" {
		t.Errorf("silent peer with TLS: Err=%q", r.Err)
	}

	// A gRPC server without the health service.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	go srv.Serve(ln)
	defer srv.Stop()
	c = grpcCheck(ln.Addr().String(), "", nil)
	r = probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if r.Err != "the server has no health service (grpc.health.v1.Health: Unimplemented)" {
		t.Errorf("no health service: Err=%q", r.Err)
	}
}
