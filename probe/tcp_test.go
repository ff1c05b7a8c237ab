package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/config"
)

func tcpCheck(addr string, timeout time.Duration, mod func(*config.TCPCheck)) *config.Check {
	c := &config.Check{
		ID: "db.port", Component: "db", Name: "port", Timeout: timeout,
		TCP: &config.TCPCheck{Address: addr},
	}
	if mod != nil {
		mod(c.TCP)
	}
	return c
}

// pong answers "+PONG" to a "PING" line, like a Redis server.
func pong(c net.Conn) {
	line, err := bufio.NewReader(c).ReadString('\n')
	if err == nil && strings.TrimSpace(line) == "PING" {
		io.WriteString(c, "+PONG\r\n")
	}
	silent(c)
}

func TestTCPConnect(t *testing.T) {
	srv := serveTCP(t, silent)
	c := tcpCheck(srv.addr, 5*time.Second, nil)
	before := time.Now()
	r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if !r.Success || r.Err != "" {
		t.Fatalf("Success=%v Err=%q", r.Success, r.Err)
	}
	if r.CheckID != "db.port" || r.Component != "db" || r.Check != "port" || r.Type != "tcp" || r.Target != srv.addr {
		t.Errorf("identity = %q %q %q %q %q", r.CheckID, r.Component, r.Check, r.Type, r.Target)
	}
	if r.Start.Before(before) || r.Duration <= 0 {
		t.Errorf("Start=%v Duration=%v", r.Start, r.Duration)
	}
	if r.TCP == nil || r.TCP.Connect <= 0 || r.TCP.Resolve != 0 || r.TCP.Exchange != 0 || r.TLS != nil {
		t.Errorf("TCP=%+v TLS=%+v", r.TCP, r.TLS)
	}
}

func TestTCPSendExpect(t *testing.T) {
	chatty := serveTCP(t, pong)
	banner := serveTCP(t, func(c net.Conn) {
		io.WriteString(c, "220 mail.up.test ESMTP\r\n")
		silent(c)
	})
	quitter := serveTCP(t, func(c net.Conn) {
		io.WriteString(c, "nope")
		c.Close()
	})
	endless := serveTCP(t, func(c net.Conn) {
		chunk := []byte(strings.Repeat("z", 4096))
		for i := 0; i < 1000; i++ { // bounded: far beyond what the probe reads
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	})
	hang := serveTCP(t, silent)

	tests := []struct {
		name, addr, send, expect, want string
	}{
		{"ping pong", chatty.addr, "PING\r\n", "+PONG", ""},
		{"banner", banner.addr, "", "220 ", ""},
		{"send only", hang.addr, "hello\n", "", ""},
		{"wrong banner", banner.addr, "", "SSH-", `timeout after 300ms waiting for "SSH-"`},
		{"closed early", quitter.addr, "", "+OK", `connection closed before "+OK" arrived (got 4 bytes)`},
		{"endless", endless.addr, "", "+OK", `response lacks "+OK" in its first 65536 bytes`},
		{"silent", hang.addr, "PING\r\n", "+PONG", `timeout after 300ms waiting for "+PONG"`},
		{"refused", closedPort(t), "PING\r\n", "+PONG", "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tcpCheck(tt.addr, timeoutFor(tt.want), func(c *config.TCPCheck) { c.Send, c.Expect = tt.send, tt.expect })
			r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
			if r.Err != tt.want || r.Success != (tt.want == "") {
				t.Errorf("Success=%v Err=%q, want %q", r.Success, r.Err, tt.want)
			}
			if tt.want == "" && (tt.send != "" || tt.expect != "") && r.TCP.Exchange <= 0 {
				t.Errorf("Exchange = %v", r.TCP.Exchange)
			}
		})
	}
}

// The expected text may arrive split over reads; net.Pipe delivers each
// write as its own read, so the split is certain.
func TestTCPExpectAcrossReads(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	go func() {
		defer server.Close()
		for _, part := range []string{"xx+P", "O", "NG\r\n"} {
			if _, err := io.WriteString(server, part); err != nil {
				return
			}
		}
	}()
	p := &tcpProber{expect: []byte("+PONG")}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	client.SetDeadline(time.Now().Add(5 * time.Second))
	if got := p.await(ctx, &Result{}, client, 5*time.Second); got != "" {
		t.Fatalf("await = %q", got)
	}
}

func TestTCPNames(t *testing.T) {
	srv := serveTCP(t, silent)
	_, port, _ := net.SplitHostPort(srv.addr)
	opts := testOptions(t)

	r := probeWithin(t, mustNew(t, tcpCheck("app.up.test:"+port, 5*time.Second, nil), opts), 5*time.Second)
	if !r.Success || r.TCP.Resolve <= 0 {
		t.Errorf("by name: Success=%v Err=%q Resolve=%v", r.Success, r.Err, r.TCP.Resolve)
	}
	r = probeWithin(t, mustNew(t, tcpCheck("nope.invalid:"+port, 5*time.Second, nil), opts), 5*time.Second)
	if r.Success || r.Err != "no such host nope.invalid" {
		t.Errorf("unknown name: Success=%v Err=%q", r.Success, r.Err)
	}
	c := tcpCheck("slow.up.test:"+port, 300*time.Millisecond, nil)
	r = probeWithin(t, mustNew(t, c, Options{Resolver: hangingResolver()}), c.Timeout)
	if r.Success || r.Err != "timeout after 300ms while resolving slow.up.test" {
		t.Errorf("resolver hangs: Success=%v Err=%q", r.Success, r.Err)
	}
}

func TestTCPTLS(t *testing.T) {
	ca := newPKI(t)
	cert := ca.issue(t, certSpec{names: []string{"app.up.test"}})
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	tlsSrv := serveListener(t, ln, pong).addr
	garbage := serveTCP(t, func(c net.Conn) {
		io.WriteString(c, strings.Repeat("garbage ", 100))
		silent(c)
	})
	hang := serveTCP(t, silent)
	trusted := testOptions(t)
	trusted.RootCAs = ca.pool
	_, port, _ := net.SplitHostPort(tlsSrv)

	tests := []struct {
		name, addr, serverName string
		skip                   bool
		opts                   Options
		want                   string
	}{
		{"by name", "app.up.test:" + port, "", false, trusted, ""},
		{"server_name", tlsSrv, "app.up.test", false, trusted, ""},
		{"IP without server_name", tlsSrv, "", false, trusted, "x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs"},
		{"skip verify", tlsSrv, "", true, testOptions(t), ""},
		{"unknown authority", tlsSrv, "app.up.test", false, testOptions(t), "x509: certificate signed by unknown authority"},
		{"not TLS", garbage.addr, "", true, trusted, "tls: handshake failed: first record does not look like a TLS handshake"},
		{"handshake hangs", hang.addr, "", true, trusted, "timeout after 300ms during the TLS handshake"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tcpCheck(tt.addr, timeoutFor(tt.want), func(c *config.TCPCheck) {
				c.TLS, c.ServerName, c.TLSSkipVerify = true, tt.serverName, tt.skip
				c.Send, c.Expect = "PING\r\n", "+PONG"
			})
			r := probeWithin(t, mustNew(t, c, tt.opts), c.Timeout)
			if r.Success != (tt.want == "") || !strings.HasPrefix(r.Err, tt.want) || (tt.want == "" && r.Err != "") {
				t.Fatalf("Success=%v Err=%q, want %q", r.Success, r.Err, tt.want)
			}
			if tt.want == "" {
				leaf := cert.Leaf
				if r.TLS == nil || r.TLS.Version != "TLS 1.3" || !r.TLS.EarliestCertExpiry.Equal(leaf.NotAfter) || r.TCP.TLS <= 0 {
					t.Errorf("TLS=%+v TCP=%+v, want TLS 1.3 expiring %v", r.TLS, r.TCP, leaf.NotAfter)
				}
			}
		})
	}
}

func TestTCPCancelledByCaller(t *testing.T) {
	hang := serveTCP(t, silent)
	c := tcpCheck(hang.addr, time.Minute, func(c *config.TCPCheck) { c.Expect = "never" })
	p := mustNew(t, c, testOptions(t))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	r := p.Probe(ctx)
	if took := time.Since(start); took > margin {
		t.Fatalf("cancelled probe took %v", took)
	}
	if r.Success || r.Err != "canceled" {
		t.Errorf("Success=%v Err=%q", r.Success, r.Err)
	}
}

func BenchmarkTCPProbe(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	defer func() {
		ln.Close()
		<-done
	}()
	c := tcpCheck(ln.Addr().String(), 5*time.Second, nil)
	p, err := New(c, Options{Resolver: &net.Resolver{PreferGo: true, Dial: refuseDNS}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	cpu := cpuTime(b)
	b.ResetTimer()
	for b.Loop() {
		if r := p.Probe(ctx); !r.Success {
			b.Fatal(r.Err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N), "cpu-ns/op")
}
