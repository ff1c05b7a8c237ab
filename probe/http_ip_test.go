package probe

import (
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/config"
	"github.com/up-status/up/internal/testenv"
)

// listenBothFamilies listens on [::1] and 127.0.0.1 at one port, so that
// one URL reaches either depending on the address family chosen.
func listenBothFamilies(t *testing.T) (v4, v6 net.Listener) {
	t.Helper()
	var lastErr error
	for range 20 { // another process may hold the port on 127.0.0.1
		l6, err := net.Listen("tcp6", "[::1]:0")
		if err != nil {
			testenv.SkipOrFail(t, "no ::1 on loopback: %v", err)
		}
		port := l6.Addr().(*net.TCPAddr).Port
		l4, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(port))
		if err == nil {
			return l4, l6
		}
		l6.Close()
		lastErr = err
	}
	t.Fatalf("no port free on both 127.0.0.1 and ::1: %v", lastErr)
	return nil, nil
}

// TestHTTPIPVersion: ip_version picks the address family among those a
// name resolves to, and refuses an address literal of the other family.
func TestHTTPIPVersion(t *testing.T) {
	l4, l6 := listenBothFamilies(t)
	for _, l := range []net.Listener{l4, l6} {
		family := "v4"
		if l == l6 {
			family = "v6"
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "served over "+family)
		}), ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(l)
		t.Cleanup(func() { srv.Close() })
	}
	port := strconv.Itoa(l4.Addr().(*net.TCPAddr).Port)
	resolver := testResolver(t, map[string][]netip.Addr{
		"dual.up.test": {netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")},
	})
	tests := []struct {
		host, version, want string // want: the body, or the error's prefix
	}{
		{"dual.up.test", "4", "served over v4"},
		{"dual.up.test", "6", "served over v6"},
		{"[::1]", "6", "served over v6"},
		{"127.0.0.1", "6", "127.0.0.1 is not an IPv6 address"},
	}
	for _, tt := range tests {
		t.Run(tt.host+" ip_version "+tt.version, func(t *testing.T) {
			c := httpCheck("http://"+tt.host+":"+port+"/", 5*time.Second, func(h *config.HTTPCheck) {
				h.IPVersion = tt.version
				h.BodyContains = "served over v" + tt.version
			})
			r := probeWithin(t, mustNew(t, c, Options{Resolver: resolver}), c.Timeout)
			if strings.HasPrefix(tt.want, "served") {
				if !r.Success {
					t.Fatalf("failed: %s", r.Err)
				}
				return
			}
			if r.Success || !strings.HasPrefix(r.Err, tt.want) {
				t.Fatalf("Success=%v Err=%q, want %q", r.Success, r.Err, tt.want)
			}
		})
	}
}

// TestHTTPIPVersionPreference: prefer-4 and prefer-6 connect over the
// preferred version when the name has an address of it, and over the
// other when it has none. A preferred address that refuses is a failure,
// not a reason to fall back: the check is there to see a broken path.
func TestHTTPIPVersionPreference(t *testing.T) {
	l4, l6 := listenBothFamilies(t)
	for _, l := range []net.Listener{l4, l6} {
		family := "v4"
		if l == l6 {
			family = "v6"
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "served over "+family)
		}), ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(l)
		t.Cleanup(func() { srv.Close() })
	}
	port := strconv.Itoa(l4.Addr().(*net.TCPAddr).Port)
	// A port where ::1 listens and 127.0.0.1 refuses.
	o4, o6 := listenBothFamilies(t)
	o4.Close()
	t.Cleanup(func() { o6.Close() })
	onlyV6Port := strconv.Itoa(o6.Addr().(*net.TCPAddr).Port)

	v4, v6 := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")
	resolver := testResolver(t, map[string][]netip.Addr{
		"dual.up.test": {v4, v6},
		"v4.up.test":   {v4},
		"v6.up.test":   {v6},
	})
	tests := []struct {
		host, port, version, want string // want: the family served, or the error's prefix
	}{
		{"dual.up.test", port, "prefer-6", "v6"},
		{"dual.up.test", port, "prefer-4", "v4"},
		{"v4.up.test", port, "prefer-6", "v4"},
		{"v6.up.test", port, "prefer-4", "v6"},
		{"v6.up.test", port, "prefer-6", "v6"},
		{"127.0.0.1", port, "prefer-6", "v4"},
		{"[::1]", port, "prefer-4", "v6"},
		{"dual.up.test", onlyV6Port, "prefer-4", "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.host+" "+tt.version, func(t *testing.T) {
			c := httpCheck("http://"+tt.host+":"+tt.port+"/", 5*time.Second, func(h *config.HTTPCheck) {
				h.IPVersion = tt.version
				h.BodyContains = "served over " + tt.want
			})
			r := probeWithin(t, mustNew(t, c, Options{Resolver: resolver}), c.Timeout)
			if strings.HasPrefix(tt.want, "v") {
				if !r.Success {
					t.Fatalf("want it served over %s: %s", tt.want, r.Err)
				}
				return
			}
			if r.Success || !strings.HasPrefix(r.Err, tt.want) {
				t.Fatalf("Success=%v Err=%q, want %q", r.Success, r.Err, tt.want)
			}
		})
	}
}
