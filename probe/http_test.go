package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/up-status/up/config"
)

func httpCheck(url string, timeout time.Duration, mod func(*config.HTTPCheck)) *config.Check {
	c := &config.Check{
		ID: "web.home", Component: "web", Name: "home", Timeout: timeout,
		HTTP: &config.HTTPCheck{URL: url},
	}
	if mod != nil {
		mod(c.HTTP)
	}
	return c
}

func TestHTTPSuccessReportsWhatItSaw(t *testing.T) {
	type seen struct{ method, ua, token, body string }
	got := make(chan seen, 1)
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case got <- seen{r.Method, r.UserAgent(), r.Header.Get("X-Token"), string(b)}:
		default:
		}
		io.WriteString(w, "<h1>Welcome home</h1>")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	c := httpCheck(srv.URL+"/", 5*time.Second, func(h *config.HTTPCheck) {
		h.Method = "POST"
		h.Headers = map[string]config.Secret{"X-Token": "s3cret"}
		h.Body = "ping"
		h.BodyContains = "Welcome"
	})
	p := mustNew(t, c, testOptions(t))
	before := time.Now()
	r := probeWithin(t, p, c.Timeout)
	if !r.Success || r.Err != "" {
		t.Fatalf("Success=%v Err=%q", r.Success, r.Err)
	}
	if r.CheckID != "web.home" || r.Component != "web" || r.Check != "home" || r.Type != "http" || r.Target != srv.URL+"/" {
		t.Errorf("identity = %q %q %q %q %q", r.CheckID, r.Component, r.Check, r.Type, r.Target)
	}
	if r.Start.Before(before) || r.Duration <= 0 || r.Start.Add(r.Duration).After(time.Now()) {
		t.Errorf("Start=%v Duration=%v outside the call", r.Start, r.Duration)
	}
	h := r.HTTP
	if h.StatusCode != 200 || h.BodyBytes != int64(len("<h1>Welcome home</h1>")) || h.Redirects != 0 {
		t.Errorf("HTTP = %+v", *h)
	}
	if h.Resolve != 0 || h.Connect <= 0 || h.Processing <= 0 || h.TLS != 0 {
		t.Errorf("phases = %+v: want no resolve for an IP, connect and processing measured, no TLS", *h)
	}
	if r.TLS != nil {
		t.Errorf("TLS = %+v on plain HTTP", *r.TLS)
	}
	if s := <-got; s != (seen{"POST", "up/1.2.3", "s3cret", "ping"}) {
		t.Errorf("server saw %+v", s)
	}

	// Every probe opens its own connection, so connect time is real.
	probeWithin(t, p, c.Timeout)
	if n := conns.Load(); n != 2 {
		t.Errorf("two probes opened %d connections, want 2", n)
	}
}

func TestHTTPDefaultUserAgentAndHostHeader(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.UserAgent() + " " + r.Host
	}))
	defer srv.Close()
	c := httpCheck(srv.URL, time.Second, func(h *config.HTTPCheck) {
		h.Headers = map[string]config.Secret{"host": "vhost.up.test"}
	})
	r := probeWithin(t, mustNew(t, c, Options{Resolver: testResolver(t, nil)}), c.Timeout)
	if !r.Success {
		t.Fatal(r.Err)
	}
	if s := <-got; s != "up vhost.up.test" {
		t.Errorf("server saw %q, want User-Agent up and the configured Host", s)
	}
}

func TestHTTPStatus(t *testing.T) {
	tests := []struct {
		code   int
		expect []config.StatusRange
		want   string
	}{
		{503, nil, "status 503, want 200-299"},
		{204, nil, ""},
		{404, []config.StatusRange{{Low: 200, High: 299}, {Low: 404, High: 404}}, ""},
		{200, []config.StatusRange{{Low: 500, High: 599}, {Low: 304, High: 304}}, "status 200, want 500-599, 304"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.code)
			}))
			defer srv.Close()
			c := httpCheck(srv.URL, 5*time.Second, func(h *config.HTTPCheck) { h.ExpectStatus = tt.expect })
			r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
			if r.Err != tt.want || r.Success != (tt.want == "") || r.HTTP.StatusCode != tt.code {
				t.Errorf("Success=%v Err=%q Status=%d; want Err %q", r.Success, r.Err, r.HTTP.StatusCode, tt.want)
			}
		})
	}
}

func TestHTTPBodyMatching(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok 42\n")
	}))
	defer srv.Close()
	tests := []struct {
		name     string
		contains string
		re       string
		want     string
	}{
		{"contains", "ok 4", "", ""},
		{"lacks", "Welcome", "", `body lacks "Welcome"`},
		{"regex", "", `(?m)^ok \d+$`, ""},
		{"regex mismatch", "", `^fail`, "body does not match /^fail/"},
		{"both, regex fails", "ok", `^fail`, "body does not match /^fail/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := httpCheck(srv.URL, 5*time.Second, func(h *config.HTTPCheck) {
				h.BodyContains = tt.contains
				if tt.re != "" {
					h.BodyRegex = &config.Regexp{Regexp: regexp.MustCompile(tt.re)}
				}
			})
			r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
			if r.Err != tt.want || r.Success != (tt.want == "") {
				t.Errorf("Success=%v Err=%q, want %q", r.Success, r.Err, tt.want)
			}
		})
	}
}

func TestHTTPRedirects(t *testing.T) {
	final := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "arrived")
	}))
	defer final.Close()
	mux := http.NewServeMux()
	mux.Handle("/a", http.RedirectHandler("/b", http.StatusFound))
	// The second hop goes to another host (by name, resolved by the test
	// DNS server) and the third to yet another address.
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) {
		_, port, _ := net.SplitHostPort(r.Host)
		http.Redirect(w, r, "http://app.up.test:"+port+"/c", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/c", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, final.URL+"/done", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	opts := testOptions(t)

	t.Run("followed", func(t *testing.T) {
		c := httpCheck(srv.URL+"/a", 5*time.Second, func(h *config.HTTPCheck) { h.BodyContains = "arrived" })
		r := probeWithin(t, mustNew(t, c, opts), c.Timeout)
		if !r.Success || r.HTTP.StatusCode != 200 || r.HTTP.Redirects != 3 {
			t.Fatalf("Success=%v Err=%q HTTP=%+v; want 200 after 3 redirects", r.Success, r.Err, *r.HTTP)
		}
		// Phases are the last request's: a literal IP, so no lookup,
		// although the second hop needed one.
		if r.HTTP.Resolve != 0 {
			t.Errorf("Resolve = %v, want the last hop's 0", r.HTTP.Resolve)
		}
	})
	t.Run("not followed", func(t *testing.T) {
		no := false
		c := httpCheck(srv.URL+"/a", 5*time.Second, func(h *config.HTTPCheck) { h.FollowRedirects = &no })
		r := probeWithin(t, mustNew(t, c, opts), c.Timeout)
		if r.Success || r.Err != "status 302, want 200-299" || r.HTTP.Redirects != 0 {
			t.Errorf("Success=%v Err=%q Redirects=%d", r.Success, r.Err, r.HTTP.Redirects)
		}
		c.HTTP.ExpectStatus = []config.StatusRange{{Low: 302, High: 302}}
		if r := probeWithin(t, mustNew(t, c, opts), c.Timeout); !r.Success {
			t.Errorf("expect_status 302: %q", r.Err)
		}
	})
	t.Run("loop", func(t *testing.T) {
		c := httpCheck(srv.URL+"/loop", 5*time.Second, nil)
		r := probeWithin(t, mustNew(t, c, opts), c.Timeout)
		if r.Success || r.Err != "too many redirects" {
			t.Errorf("Success=%v Err=%q", r.Success, r.Err)
		}
	})
}

func TestHTTPBadPeers(t *testing.T) {
	hang := serveTCP(t, silent)
	garbage := serveTCP(t, func(c net.Conn) {
		readRequest(c)
		io.WriteString(c, "garbage, not HTTP\r\n\r\n")
		c.Close()
	})
	speaksFirst := serveTCP(t, func(c net.Conn) {
		io.WriteString(c, "SSH-2.0-OpenSSH_9.6\r\n")
		silent(c)
	})
	hangup := serveTCP(t, func(c net.Conn) {
		readRequest(c)
		c.Close()
	})
	headersOnly := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(200)
		io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer headersOnly.Close()
	slowHeaders := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer slowHeaders.Close()

	tests := []struct {
		name, url string
		opts      Options
		want      string
	}{
		{"refused", "http://" + closedPort(t) + "/", testOptions(t), "connection refused"},
		{"accepts and never answers", "http://" + hang.addr + "/", testOptions(t), "timeout after 300ms waiting for the response"},
		{"handler never answers", slowHeaders.URL, testOptions(t), "timeout after 300ms waiting for the response"},
		{"body stalls", headersOnly.URL, testOptions(t), "timeout after 300ms while reading the body"},
		{"garbage", "http://" + garbage.addr + "/", testOptions(t), `malformed HTTP status code "not"`},
		{"speaks first", "http://" + speaksFirst.addr + "/", testOptions(t), "malformed HTTP response"},
		{"hangs up", "http://" + hangup.addr + "/", testOptions(t), "connection closed by peer"},
		{"no such host", "http://nope.invalid/", testOptions(t), "no such host nope.invalid"},
		{"resolver hangs", "http://slow.up.test/", Options{Resolver: hangingResolver()}, "timeout after 300ms while resolving slow.up.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			timeout := timeoutFor(tt.want)
			c := httpCheck(tt.url, timeout, nil)
			r := probeWithin(t, mustNew(t, c, tt.opts), timeout)
			// A peer that speaks first races the request: both outcomes
			// start alike, and the rest names what it said if known.
			if r.Success || r.Err != tt.want && !(tt.name == "speaks first" && strings.HasPrefix(r.Err, tt.want)) {
				t.Errorf("Success=%v Err=%q, want %q", r.Success, r.Err, tt.want)
			}
			if strings.HasPrefix(tt.want, "timeout") && r.Duration < timeout {
				t.Errorf("timed out after %v, before the %v timeout", r.Duration, timeout)
			}
		})
	}
}

// readRequest reads a request head, so that closing afterwards is a
// clean close rather than a reset over unread bytes.
func readRequest(c net.Conn) {
	buf := make([]byte, 0, 4096)
	for len(buf) < cap(buf) && !strings.Contains(string(buf), "\r\n\r\n") {
		n, err := c.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			return
		}
	}
}

func TestHTTPEndlessBodyStopsAtCap(t *testing.T) {
	chunk := strings.Repeat("x", 32<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Bounded by the client: it hangs up after the cap.
		for r.Context().Err() == nil {
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	const capBytes = 64 << 10

	c := httpCheck(srv.URL, 10*time.Second, func(h *config.HTTPCheck) { h.MaxBodyBytes = capBytes })
	r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if !r.Success || r.HTTP.BodyBytes != capBytes {
		t.Errorf("no matcher: Success=%v Err=%q BodyBytes=%d; want success after %d bytes", r.Success, r.Err, r.HTTP.BodyBytes, capBytes)
	}
	if r.HTTP.Transfer <= 0 {
		t.Errorf("Transfer = %v", r.HTTP.Transfer)
	}

	c.HTTP.BodyContains = "needle"
	r = probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if want := `body lacks "needle" in its first 65536 bytes (max_body_bytes)`; r.Success || r.Err != want {
		t.Errorf("Err = %q, want %q", r.Err, want)
	}

	c.HTTP.BodyContains = "xxx"
	if r = probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout); !r.Success {
		t.Errorf("match inside the cap: %q", r.Err)
	}
}

func TestHTTPCancelledByCaller(t *testing.T) {
	hang := serveTCP(t, silent)
	c := httpCheck("http://"+hang.addr+"/", time.Minute, nil)
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

// A dial that is still running when its probe gives up must end with the
// probe: http.Transport would let it run on.
func TestHTTPLeavesNoDialBehind(t *testing.T) {
	var inFlight atomic.Int32
	stuck := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		inFlight.Add(1)
		defer inFlight.Add(-1)
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	c := httpCheck("http://stuck.up.test/", time.Minute, nil)
	p := mustNew(t, c, Options{Resolver: stuck})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	if r := p.Probe(ctx); r.Err != "canceled" {
		t.Fatalf("Err = %q", r.Err)
	}
	for deadline := time.Now().Add(margin); inFlight.Load() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d DNS dials still running %v after the probe returned", inFlight.Load(), margin)
		}
	}
}

func TestHTTPResolvesWithInjectedResolver(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	c := httpCheck("http://app.up.test:"+port+"/", 5*time.Second, nil)
	r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if !r.Success || r.HTTP.Resolve <= 0 {
		t.Errorf("Success=%v Err=%q Resolve=%v", r.Success, r.Err, r.HTTP.Resolve)
	}
}

func TestHTTPS(t *testing.T) {
	ca := newPKI(t)
	interExpiry := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Second)
	good := ca.issue(t, certSpec{names: []string{"127.0.0.1", "app.up.test"}, intermediateNotAfter: interExpiry})
	expiredAt := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	expired := ca.issue(t, certSpec{names: []string{"127.0.0.1"}, notBefore: expiredAt.Add(-time.Hour), notAfter: expiredAt})
	otherName := ca.issue(t, certSpec{names: []string{"other.up.test"}})

	start := func(cert tls.Certificate) *httptest.Server {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "secure")
		}))
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv
	}
	goodSrv, expiredSrv, otherSrv := start(good), start(expired), start(otherName)
	garbage := serveTCP(t, func(c net.Conn) {
		io.WriteString(c, "SSH-2.0-OpenSSH_9.6\r\n")
		c.Close()
	})
	hang := serveTCP(t, silent)

	trusted := testOptions(t)
	trusted.RootCAs = ca.pool
	untrusted := testOptions(t)
	untrusted.RootCAs = newPKI(t).pool

	t.Run("valid", func(t *testing.T) {
		c := httpCheck(goodSrv.URL, 5*time.Second, func(h *config.HTTPCheck) { h.BodyContains = "secure" })
		r := probeWithin(t, mustNew(t, c, trusted), c.Timeout)
		if !r.Success {
			t.Fatal(r.Err)
		}
		if r.TLS == nil || r.TLS.Version != "TLS 1.3" || !r.TLS.EarliestCertExpiry.Equal(interExpiry) {
			t.Errorf("TLS = %+v, want TLS 1.3 and the intermediate's expiry %v", r.TLS, interExpiry)
		}
		if r.HTTP.TLS <= 0 || r.HTTP.Connect <= 0 {
			t.Errorf("phases = %+v", *r.HTTP)
		}
	})
	t.Run("by name", func(t *testing.T) {
		c := httpCheck("https://app.up.test:"+port(goodSrv)+"/", 5*time.Second, nil)
		if r := probeWithin(t, mustNew(t, c, trusted), c.Timeout); !r.Success {
			t.Fatal(r.Err)
		}
	})
	tests := []struct {
		name   string
		url    string
		opts   Options
		skip   bool
		want   string // prefix
		expiry time.Time
	}{
		{"unknown authority", goodSrv.URL, untrusted, false, "x509: certificate signed by unknown authority", interExpiry},
		{"skip verify", goodSrv.URL, untrusted, true, "", interExpiry},
		{"expired", expiredSrv.URL, trusted, false, "certificate expired (not after " + expiredAt.UTC().Format(time.RFC3339) + ")", expiredAt},
		{"wrong name", "https://app.up.test:" + port(otherSrv) + "/", trusted, false, "x509: certificate is valid for other.up.test, not app.up.test", time.Time{}},
		{"not TLS", "https://" + garbage.addr + "/", trusted, false, "tls: handshake failed: first record does not look like a TLS handshake", time.Time{}},
		{"handshake hangs", "https://" + hang.addr + "/", trusted, false, "timeout after 300ms during the TLS handshake", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := httpCheck(tt.url, timeoutFor(tt.want), func(h *config.HTTPCheck) { h.TLSSkipVerify = tt.skip })
			r := probeWithin(t, mustNew(t, c, tt.opts), c.Timeout)
			if r.Success != (tt.want == "") || !strings.HasPrefix(r.Err, tt.want) || (tt.want == "" && r.Err != "") {
				t.Fatalf("Success=%v Err=%q, want %q", r.Success, r.Err, tt.want)
			}
			if !tt.expiry.IsZero() && (r.TLS == nil || !r.TLS.EarliestCertExpiry.Equal(tt.expiry)) {
				t.Errorf("TLS = %+v, want expiry %v", r.TLS, tt.expiry)
			}
		})
	}
}

func port(s *httptest.Server) string {
	_, p, _ := net.SplitHostPort(s.Listener.Addr().String())
	return p
}

func TestHTTPConcurrentRunsOfOneProber(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %d", n.Add(1))
	}))
	defer srv.Close()
	c := httpCheck(srv.URL, 5*time.Second, func(h *config.HTTPCheck) {
		h.BodyRegex = &config.Regexp{Regexp: regexp.MustCompile(`^hello \d+$`)}
	})
	p := mustNew(t, c, testOptions(t))
	var wg sync.WaitGroup
	errs := make(chan string, 40)
	for range 8 {
		wg.Go(func() {
			for range 5 {
				if r := p.Probe(context.Background()); !r.Success {
					errs <- r.Err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// cpuTime is the process's user+system CPU time; benchmarks divide it by
// b.N to report CPU per probe (client and in-process server together, so
// an upper bound for the prober alone).
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkHTTPProbe(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html><body>Welcome</body></html>")
	}))
	defer srv.Close()
	c := httpCheck(srv.URL+"/", 5*time.Second, func(h *config.HTTPCheck) { h.BodyContains = "Welcome" })
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

// refuseDNS keeps benchmarks off the system resolver; they probe IPs.
func refuseDNS(context.Context, string, string) (net.Conn, error) {
	return nil, &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
}

func TestHTTPAuthorization(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, basic := r.BasicAuth()
		switch {
		case basic && user == "monitor" && pass == "p:ss w0rd":
		case r.Header.Get("Authorization") == "Bearer tok-123":
		default:
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	tests := []struct {
		name string
		mod  func(*config.HTTPCheck)
		want string
	}{
		{"basic", func(h *config.HTTPCheck) { h.BasicAuth = &config.BasicAuth{Username: "monitor", Password: "p:ss w0rd"} }, ""},
		{"basic wrong", func(h *config.HTTPCheck) { h.BasicAuth = &config.BasicAuth{Username: "monitor", Password: "nope"} }, "status 401"},
		{"bearer", func(h *config.HTTPCheck) { h.BearerToken = "tok-123" }, ""},
		{"none", nil, "status 401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := httpCheck(srv.URL, time.Second, tt.mod)
			r := probeWithin(t, mustNew(t, c, Options{Resolver: testResolver(t, nil)}), c.Timeout)
			if r.Success != (tt.want == "") || !strings.HasPrefix(r.Err, tt.want) {
				t.Fatalf("Success=%v Err=%q, want %q", r.Success, r.Err, tt.want)
			}
		})
	}
}
