package probe

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/up-status/up/internal/testenv"
)

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in, host, addr string
		port           uint16
	}{
		{"127.0.0.1:80", "127.0.0.1", "127.0.0.1:80", 80},
		{"[::1]:443", "::1", "[::1]:443", 443},
		{"app.up.test:5432", "app.up.test", "", 5432},
	}
	for _, tt := range tests {
		ep, err := parseEndpoint(tt.in)
		if err != nil || ep.host != tt.host || ep.port != tt.port || ep.addr != tt.addr || ep.ip.IsValid() != (tt.addr != "") {
			t.Errorf("parseEndpoint(%q) = %+v, %v", tt.in, ep, err)
		}
	}
	for _, bad := range []string{"", "host", ":80", "host:0", "host:65536", "host:ssh"} {
		if ep, err := parseEndpoint(bad); err == nil {
			t.Errorf("parseEndpoint(%q) = %+v, want an error", bad, ep)
		}
	}
}

// A name with several addresses is tried address by address: the first
// refuses, the second accepts.
func TestConnectTriesEveryAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		testenv.SkipOrFail(t, "no 127.0.0.2 on loopback: %v", err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	// The port was free on 127.0.0.2; another process holding the same
	// number on 127.0.0.1 is chance, not a missing capability, and
	// another run draws another port.
	if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
		c.Close()
		t.Skipf("127.0.0.1:%s is taken by something else", port)
	}
	r := testResolver(t, map[string][]netip.Addr{
		"multi.up.test": {netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")},
	})
	ep, err := parseEndpoint("multi.up.test:" + port)
	if err != nil {
		t.Fatal(err)
	}
	var heard time.Duration
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, resolve, connect, err := newConnector(r).connect(ctx, ep, func(d time.Duration) { heard = d })
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if got := conn.RemoteAddr().(*net.TCPAddr).IP.String(); got != "127.0.0.2" {
		t.Errorf("connected to %s, want 127.0.0.2", got)
	}
	if resolve <= 0 || connect <= 0 || heard != resolve {
		t.Errorf("resolve=%v connect=%v heard=%v", resolve, connect, heard)
	}
}
