package probe

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/up-status/up/config"
)

// testProxy is a forward proxy on loopback, as Squid or Tinyproxy would
// be: it relays absolute-form requests for http targets and opens
// CONNECT tunnels for https ones, after checking Proxy-Authorization.
// It sends every target name to 127.0.0.1, as a proxy with DNS of its
// own would, so a name the probe cannot resolve is reached through it
// only. It records what it was asked.
type testProxy struct {
	url  string // with the wanted credentials
	addr string // host:port
	user string // wanted user and password; "" for none
	pass string

	mu    sync.Mutex
	seen  []string // "GET http://app.up.test:1234/", "CONNECT app.up.test:443"
	conns []net.Conn
	wg    sync.WaitGroup
}

// startProxy starts a proxy speaking TLS with cert, or plain HTTP when
// cert is nil, that wants user and pass.
func startProxy(t *testing.T, cert *tls.Certificate, user, pass string) *testProxy {
	t.Helper()
	tp := &testProxy{user: user, pass: pass}
	srv := httptest.NewUnstartedServer(tp)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are some tests' point
	scheme := "http://"
	if cert != nil {
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{*cert}}
		srv.StartTLS()
		scheme = "https://"
	} else {
		srv.Start()
	}
	tp.addr = srv.Listener.Addr().String()
	tp.url = scheme + user + ":" + pass + "@" + tp.addr
	t.Cleanup(func() {
		srv.Close()
		tp.mu.Lock()
		for _, c := range tp.conns {
			c.Close()
		}
		tp.mu.Unlock()
		tp.wg.Wait()
	})
	return tp
}

// asked is what the proxy was asked so far.
func (tp *testProxy) asked() []string {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return slices.Clone(tp.seen)
}

func (tp *testProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Host
	if r.Method != http.MethodConnect {
		target = r.URL.String()
	}
	tp.mu.Lock()
	tp.seen = append(tp.seen, r.Method+" "+target)
	tp.mu.Unlock()
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(tp.user+":"+tp.pass))
	if tp.user != "" && r.Header.Get("Proxy-Authorization") != want {
		w.Header().Set("Proxy-Authenticate", `Basic realm="test"`)
		w.WriteHeader(http.StatusProxyAuthRequired)
		return
	}
	if r.Method == http.MethodConnect {
		tp.connect(w, r)
		return
	}
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.Header.Del("Proxy-Authorization")
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, onLoopback(addr))
	}}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vv := range resp.Header {
		w.Header()[k] = vv
	}
	w.Header().Set("Via", "1.1 test-proxy")
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// connect opens a tunnel and relays both ways until either side hangs up.
func (tp *testProxy) connect(w http.ResponseWriter, r *http.Request) {
	up, err := net.DialTimeout("tcp", onLoopback(r.Host), 5*time.Second)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	down, rw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		up.Close()
		return
	}
	tp.mu.Lock()
	tp.conns = append(tp.conns, up, down)
	tp.mu.Unlock()
	io.WriteString(down, "HTTP/1.1 200 Connection established\r\n\r\n")
	tp.wg.Add(1)
	go func() {
		defer tp.wg.Done()
		io.Copy(down, up)
		down.Close()
	}()
	io.Copy(up, rw) // what the client sent after CONNECT, then the rest
	up.Close()
}

// onLoopback is addr with its host replaced by 127.0.0.1.
func onLoopback(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return net.JoinHostPort("127.0.0.1", port)
}

// TestHTTPThroughProxy: with proxy_url, an http target's request goes to
// the proxy whole and an https target is reached through a CONNECT
// tunnel, over an http:// or an https:// proxy, with the credentials of
// the proxy URL given to the proxy and never to the target. The target's
// name is one only the proxy resolves, so a success proves the way.
func TestHTTPThroughProxy(t *testing.T) {
	ca := newPKI(t)
	proxyCert := ca.issue(t, certSpec{names: []string{"127.0.0.1"}})
	targetCert := ca.issue(t, certSpec{names: []string{"app.up.test"}})

	var leaked sync.Map // target paths that saw a Proxy-Authorization
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Proxy-Authorization") != "" {
			leaked.Store(r.URL.Path, true)
		}
		io.WriteString(w, "hello from the target")
	})
	plain := httptest.NewServer(handler)
	t.Cleanup(plain.Close)
	secure := httptest.NewUnstartedServer(handler)
	secure.TLS = &tls.Config{Certificates: []tls.Certificate{targetCert}}
	secure.StartTLS()
	t.Cleanup(secure.Close)

	opts := Options{Resolver: testResolver(t, nil), RootCAs: ca.pool}
	for _, proxyTLS := range []*tls.Certificate{nil, &proxyCert} {
		tp := startProxy(t, proxyTLS, "monitor", "pw-s3cret")
		for _, target := range []*httptest.Server{plain, secure} {
			scheme, _, _ := strings.Cut(target.URL, "://")
			name := scheme + " target via " + tp.url[:strings.Index(tp.url, ":")] + " proxy"
			t.Run(name, func(t *testing.T) {
				u := scheme + "://app.up.test:" + port(target) + "/" + strings.ReplaceAll(name, " ", "-")
				c := httpCheck(u, 5*time.Second, func(h *config.HTTPCheck) {
					h.ProxyURL = config.Secret(tp.url)
					h.BodyContains = "hello from the target"
				})
				r := probeWithin(t, mustNew(t, c, opts), c.Timeout)
				if !r.Success {
					t.Fatalf("failed: %s", r.Err)
				}
				want := "GET " + u
				if scheme == "https" {
					want = "CONNECT app.up.test:" + port(target)
				}
				if got := tp.asked(); !slices.Contains(got, want) {
					t.Errorf("the proxy was asked %q, want %q among them", got, want)
				}
				if _, ok := leaked.Load(strings.TrimPrefix(u, scheme+"://app.up.test:"+port(target))); ok {
					t.Error("the target got the proxy's credentials")
				}
				// The certificate judged is the target's, never the proxy's.
				switch {
				case scheme == "https" && (r.TLS == nil || r.TLS.EarliestCertName != "app.up.test"):
					t.Errorf("TLS = %+v, want the target's certificate", r.TLS)
				case scheme == "http" && r.TLS != nil:
					t.Errorf("TLS = %+v for an http target", r.TLS)
				}
				if r.HTTP.Connect <= 0 {
					t.Errorf("phases = %+v", *r.HTTP)
				}
			})
		}
	}
}

// TestHTTPProxyFailures: whatever goes wrong on the way through a proxy
// says so and names the proxy by host and port, never with its password.
func TestHTTPProxyFailures(t *testing.T) {
	ca := newPKI(t)
	proxyCert := ca.issue(t, certSpec{names: []string{"127.0.0.1"}})
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(plain.Close)
	strict := startProxy(t, nil, "monitor", "the-right-one")
	strictTLS := startProxy(t, &proxyCert, "monitor", "the-right-one")
	open := startProxy(t, nil, "", "")
	hang := serveTCP(t, silent)
	dead := closedPort(t)
	opts := Options{Resolver: testResolver(t, nil), RootCAs: ca.pool}
	untrusted := Options{Resolver: opts.Resolver, RootCAs: newPKI(t).pool}

	tests := []struct {
		name, url, proxy string
		opts             Options
		want             string // prefix
	}{
		{"wrong password, http target", "http://app.up.test:" + port(plain) + "/", "http://monitor:pw-s3cret@" + strict.addr, opts,
			"proxy " + strict.addr + " refused the request: 407 Proxy Authentication Required"},
		{"wrong password, https target", "https://app.up.test:" + port(plain) + "/", "http://monitor:pw-s3cret@" + strict.addr, opts,
			"proxy " + strict.addr + ": refused the tunnel to app.up.test:" + port(plain) + ": 407 Proxy Authentication Required"},
		{"no tunnel to the target", "https://app.up.test:" + dead[strings.LastIndex(dead, ":")+1:] + "/", "http://" + open.addr, opts,
			"proxy " + open.addr + ": refused the tunnel to app.up.test:" + dead[strings.LastIndex(dead, ":")+1:] + ": 502 Bad Gateway"},
		{"proxy refuses connections", "http://app.up.test/", "http://monitor:pw-s3cret@" + dead, opts,
			"proxy " + dead + ": connection refused"},
		{"proxy name unknown", "http://app.up.test/", "http://monitor:pw-s3cret@nowhere.up.test:3128", opts,
			"proxy nowhere.up.test:3128: no such host nowhere.up.test"},
		{"proxy certificate untrusted", "https://app.up.test/", "https://monitor:pw-s3cret@" + strictTLS.addr, untrusted,
			"proxy " + strictTLS.addr + ": x509: certificate signed by unknown authority"},
		{"proxy not TLS", "https://app.up.test/", "https://monitor:pw-s3cret@" + open.addr, opts,
			"proxy " + open.addr + ": tls: handshake failed: first record does not look like a TLS handshake"},
		{"tunnel never opens", "https://app.up.test/", "http://monitor:pw-s3cret@" + hang.addr, opts,
			"timeout after 300ms waiting for the proxy " + hang.addr + " to open a tunnel to app.up.test:443"},
		{"proxy never answers", "http://app.up.test/", "http://monitor:pw-s3cret@" + hang.addr, opts,
			"timeout after 300ms waiting for the response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := httpCheck(tt.url, timeoutFor(tt.want), func(h *config.HTTPCheck) { h.ProxyURL = config.Secret(tt.proxy) })
			r := probeWithin(t, mustNew(t, c, tt.opts), c.Timeout)
			if r.Success || !strings.HasPrefix(r.Err, tt.want) {
				t.Fatalf("Success=%v Err=%q\nwant %q", r.Success, r.Err, tt.want)
			}
			if strings.Contains(r.Summary(), "pw-s3cret") || strings.Contains(r.Summary(), "monitor") {
				t.Errorf("the result shows the proxy's credentials: %s", r.Summary())
			}
		})
	}
}

// TestHTTPProxyFromEnvironment: proxy_from_environment takes the proxy
// from HTTP_PROXY and HTTPS_PROXY, spares the hosts of NO_PROXY, and
// decides for every request of a redirect chain; without it, the
// environment is ignored.
func TestHTTPProxyFromEnvironment(t *testing.T) {
	tp := startProxy(t, nil, "monitor", "pw-s3cret")
	spared := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "spared")
	}))
	t.Cleanup(spared.Close)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/away" {
			http.Redirect(w, r, "http://spared.up.test:"+port(spared)+"/", http.StatusFound)
			return
		}
		io.WriteString(w, "hello")
	}))
	t.Cleanup(target.Close)
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		t.Setenv(k, tp.url)
	}
	t.Setenv("NO_PROXY", "spared.up.test")
	t.Setenv("no_proxy", "spared.up.test")
	t.Setenv("REQUEST_METHOD", "") // as under CGI, which turns HTTP_PROXY off
	loopback := netip.MustParseAddr("127.0.0.1")
	opts := Options{Resolver: testResolver(t, map[string][]netip.Addr{"app.up.test": {loopback}, "spared.up.test": {loopback}})}
	app := "http://app.up.test:" + port(target)

	tests := []struct {
		name, url string
		fromEnv   bool
		asked     []string // what the proxy was asked
	}{
		{"off by default", app + "/direct", false, nil},
		{"on", app + "/proxied", true, []string{"GET " + app + "/proxied"}},
		{"NO_PROXY", "http://spared.up.test:" + port(spared) + "/", true, nil},
		{"redirect to a host NO_PROXY spares", app + "/away", true, []string{"GET " + app + "/away"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(tp.asked())
			c := httpCheck(tt.url, 5*time.Second, func(h *config.HTTPCheck) { h.ProxyFromEnvironment = tt.fromEnv })
			r := probeWithin(t, mustNew(t, c, opts), c.Timeout)
			if !r.Success {
				t.Fatalf("failed: %s", r.Err)
			}
			if got := tp.asked()[before:]; !slices.Equal(got, tt.asked) {
				t.Errorf("the proxy was asked %q, want %q", got, tt.asked)
			}
		})
	}
}
