package probe

import (
	"compress/gzip"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/up-status/up/config"
)

// seenRequest is what a server saw of one request.
type seenRequest struct {
	Method, URI, Host, Body string
	Header                  http.Header
}

func (s seenRequest) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s Host=%q body=%q", s.Method, s.URI, s.Host, s.Body)
	for _, k := range slices.Sorted(maps.Keys(s.Header)) {
		fmt.Fprintf(&b, "\n\t%s: %q", k, s.Header[k])
	}
	return b.String()
}

// compatServer answers the routes of TestHTTPBehavesLikeNetHTTPClient and
// records every request it gets.
type compatServer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []seenRequest
}

func newCompatServer(t *testing.T) *compatServer {
	s := &compatServer{}
	mux := http.NewServeMux()
	// /r/CODE?to=LOCATION redirects; without "to" it sends no Location.
	mux.HandleFunc("/r/{code}", func(w http.ResponseWriter, r *http.Request) {
		var code int
		fmt.Sscan(r.PathValue("code"), &code)
		if to, ok := r.URL.Query()["to"]; ok {
			w.Header()["Location"] = to
		}
		w.WriteHeader(code)
		io.WriteString(w, "moved")
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/final", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "arrived")
	})
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			io.WriteString(w, "plain page")
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, strings.Repeat("compressed page ", 100))
		zw.Close()
	})
	mux.HandleFunc("/gzip-empty", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
	})
	mux.HandleFunc("/gzip-broken", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		io.WriteString(w, "not gzip at all")
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for i := range 5 {
			fmt.Fprintf(w, "chunk %d;", i)
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/early-hints", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusProcessing)
		io.WriteString(w, "after hints")
	})
	mux.HandleFunc("/big-head", func(w http.ResponseWriter, r *http.Request) {
		for i := range 40 {
			w.Header().Set(fmt.Sprintf("X-Filler-%d", i), strings.Repeat("f", 8<<10))
		}
	})
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.seen = append(s.seen, seenRequest{r.Method, r.RequestURI, r.Host, string(body), r.Header.Clone()})
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	s.Config.MaxHeaderBytes = 1 << 20
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *compatServer) take() []seenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := s.seen
	s.seen = nil
	return seen
}

// referenceOutcome is what the probe reported before it had its own
// client: http.Client over an http.Transport set up as the prober did.
type referenceOutcome struct {
	status    int
	bodyBytes int64
	redirects int
	err       string
}

func referenceProbe(c *config.HTTPCheck, opts Options) referenceOutcome {
	method := c.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, c.URL, nil)
	if err != nil {
		return referenceOutcome{err: err.Error()}
	}
	for k, v := range c.Headers {
		if http.CanonicalHeaderKey(k) == "Host" {
			req.Host = string(v)
			continue
		}
		req.Header.Set(k, string(v))
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "up/"+opts.Version)
	}
	if c.Body != "" {
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(c.Body)), nil }
		req.Body, _ = req.GetBody()
		req.ContentLength = int64(len(c.Body))
	}
	var out referenceOutcome
	dialer := &net.Dialer{Resolver: opts.Resolver}
	client := &http.Client{
		Transport: &http.Transport{
			DialContext:            dialer.DialContext,
			DisableKeepAlives:      true,
			MaxResponseHeaderBytes: maxResponseHeaderBytes,
		},
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if c.FollowRedirects != nil && !*c.FollowRedirects {
				return http.ErrUseLastResponse
			}
			if len(via) >= maxRedirects {
				return errTooManyRedirects
			}
			out.redirects = len(via)
			return nil
		},
	}
	resp, err := client.Do(req)
	if err != nil {
		// describe also took off the words of the transport's own
		// goroutines, which the prober no longer has.
		out.err = strings.TrimPrefix(describe(err), "HTTP/1.x transport connection broken: ")
		return out
	}
	defer resp.Body.Close()
	out.status = resp.StatusCode
	out.bodyBytes, err = io.Copy(io.Discard, io.LimitReader(resp.Body, config.DefaultMaxBodyBytes))
	if err != nil {
		out.err = "reading the body: " + describe(err)
	}
	return out
}

// The prober speaks HTTP itself; this holds it to what net/http's client
// sent and reported for the same checks, request by request, so that
// checks behave as they did: methods and bodies across redirects,
// credentials only within the first host's domain, Host, Referer,
// Basic authentication from the URL, gzip, informational responses and
// the errors on the way.
func TestHTTPBehavesLikeNetHTTPClient(t *testing.T) {
	srv := newCompatServer(t)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	lo := []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	opts := Options{
		Resolver: testResolver(t, map[string][]netip.Addr{
			"app.up.test": lo, "sub.app.up.test": lo, "other.up.test": lo,
		}),
		Version: "1.2.3",
	}
	base := "http://127.0.0.1:" + port
	app := "http://app.up.test:" + port
	no := false
	secrets := map[string]config.Secret{"Authorization": "Bearer s3cret", "Cookie": "session=1", "X-Token": "t"}

	tests := []struct {
		name string
		http config.HTTPCheck
	}{
		{"plain GET", config.HTTPCheck{URL: base + "/final?q=1"}},
		{"headers and Host", config.HTTPCheck{URL: base + "/final", Headers: map[string]config.Secret{"X-Token": "t", "host": "vhost.up.test", "User-Agent": "custom"}}},
		{"by name", config.HTTPCheck{URL: app + "/final"}},
		{"POST 302 becomes GET", config.HTTPCheck{URL: base + "/r/302?to=/final", Method: "POST", Body: "ping", Headers: map[string]config.Secret{"Content-Type": "text/plain", "X-Token": "t"}}},
		{"POST 301 becomes GET", config.HTTPCheck{URL: base + "/r/301?to=/final", Method: "POST", Body: "ping"}},
		{"PUT 303 becomes GET", config.HTTPCheck{URL: base + "/r/303?to=/final", Method: "PUT", Body: "ping"}},
		{"POST 307 keeps body", config.HTTPCheck{URL: base + "/r/307?to=/final", Method: "POST", Body: "ping", Headers: map[string]config.Secret{"Content-Type": "text/plain"}}},
		{"308 then 301 drops body for good", config.HTTPCheck{URL: base + "/r/308?to=" + url.QueryEscape("/r/301?to=/r/307?to=/final"), Method: "PATCH", Body: "ping"}},
		{"HEAD 302 stays HEAD", config.HTTPCheck{URL: base + "/r/302?to=/final", Method: "HEAD"}},
		{"empty POST", config.HTTPCheck{URL: base + "/final", Method: "POST"}},
		{"credentials stay in the domain", config.HTTPCheck{URL: app + "/r/302?to=" + url.QueryEscape("http://sub.app.up.test:"+port+"/final"), Headers: secrets}},
		{"credentials do not leave it", config.HTTPCheck{URL: app + "/r/302?to=" + url.QueryEscape("http://other.up.test:"+port+"/r/302?to="+url.QueryEscape(app+"/final")), Headers: secrets}},
		{"credentials in the URL", config.HTTPCheck{URL: "http://user:pa%20ss@127.0.0.1:" + port + "/r/302?to=/final"}},
		{"URL credentials and own Authorization", config.HTTPCheck{URL: "http://user:pw@127.0.0.1:" + port + "/final", Headers: map[string]config.Secret{"Authorization": "Bearer x"}}},
		{"Host kept on a relative redirect", config.HTTPCheck{URL: base + "/r/302?to=/final", Headers: map[string]config.Secret{"Host": "vhost.up.test"}}},
		{"Host dropped on an absolute one", config.HTTPCheck{URL: base + "/r/302?to=" + url.QueryEscape(app+"/final"), Headers: map[string]config.Secret{"Host": "vhost.up.test"}}},
		{"own Referer", config.HTTPCheck{URL: base + "/r/302?to=/final", Headers: map[string]config.Secret{"Referer": "http://ref.up.test/"}}},
		{"own Accept-Encoding", config.HTTPCheck{URL: base + "/gzip", Headers: map[string]config.Secret{"Accept-Encoding": "identity"}}},
		{"Range", config.HTTPCheck{URL: base + "/gzip", Headers: map[string]config.Secret{"Range": "bytes=0-3"}}},
		{"gzip", config.HTTPCheck{URL: base + "/gzip"}},
		{"gzip, empty", config.HTTPCheck{URL: base + "/gzip-empty"}},
		{"gzip, broken", config.HTTPCheck{URL: base + "/gzip-broken"}},
		{"chunked", config.HTTPCheck{URL: base + "/chunked"}},
		{"informational responses first", config.HTTPCheck{URL: base + "/early-hints"}},
		{"response head too big", config.HTTPCheck{URL: base + "/big-head"}},
		{"no Location", config.HTTPCheck{URL: base + "/r/302"}},
		{"bad Location", config.HTTPCheck{URL: base + "/r/302?to=" + url.QueryEscape("/%zz")}},
		{"bad Location, not followed", config.HTTPCheck{URL: base + "/r/302?to=" + url.QueryEscape("/%zz"), FollowRedirects: &no}},
		{"other scheme", config.HTTPCheck{URL: base + "/r/302?to=" + url.QueryEscape("ftp://127.0.0.1/")}},
		{"no host", config.HTTPCheck{URL: base + "/r/302?to=" + url.QueryEscape("http:///final")}},
		{"not followed", config.HTTPCheck{URL: base + "/r/301?to=/final", FollowRedirects: &no}},
		{"loop", config.HTTPCheck{URL: base + "/loop"}},
		{"bad header value", config.HTTPCheck{URL: base + "/final", Headers: map[string]config.Secret{"X-Bad": "a\x00b"}}},
		{"bad header name", config.HTTPCheck{URL: base + "/final", Headers: map[string]config.Secret{"X Bad": "a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := referenceProbe(&tt.http, opts)
			wantSeen := srv.take()

			c := &config.Check{ID: "web.compat", Component: "web", Name: "compat", Timeout: 10 * time.Second, HTTP: &tt.http}
			r := probeWithin(t, mustNew(t, c, opts), c.Timeout)
			got := referenceOutcome{status: r.HTTP.StatusCode, bodyBytes: r.HTTP.BodyBytes, redirects: r.HTTP.Redirects}
			if !strings.HasPrefix(r.Err, "status ") {
				got.err = r.Err
			}
			if got.err != "" {
				// Failed runs report no status and no body, whatever
				// the client had seen.
				want.status, want.bodyBytes = 0, 0
				got.status, got.bodyBytes = 0, 0
			}
			if tt.name == "response head too big" {
				// The one wording that changed: the transport's
				// package name no longer leads the message.
				want.err = strings.TrimPrefix(want.err, "net/http: ")
			}
			if got != want {
				t.Errorf("probe reported %+v, net/http %+v", got, want)
			}
			gotSeen := srv.take()
			if !reflect.DeepEqual(gotSeen, wantSeen) {
				t.Errorf("server saw from the probe:\n%s\nfrom net/http:\n%s", gotSeen, wantSeen)
			}
		})
	}
}

// A body cut short by the peer fails the probe after its status was seen.
func TestHTTPBodyCutShort(t *testing.T) {
	short := serveTCP(t, func(c net.Conn) {
		readRequest(c)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
		c.Close()
	})
	c := httpCheck("http://"+short.addr+"/", 5*time.Second, nil)
	r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if want := "reading the body: connection closed by peer"; r.Err != want || r.HTTP.StatusCode != 200 || r.HTTP.BodyBytes != 7 {
		t.Errorf("Err=%q Status=%d BodyBytes=%d, want %q after 7 bytes", r.Err, r.HTTP.StatusCode, r.HTTP.BodyBytes, want)
	}
}

// Names in Unicode are dialled, verified and sent in Punycode, as
// http.Transport does; everything else stays as written.
func TestASCIIHostname(t *testing.T) {
	for name, want := range map[string]string{
		"bücher.example":     "xn--bcher-kva.example",
		"BÜCHER.example":     "xn--bcher-kva.example",
		"app.up.test":        "app.up.test",
		"App.Up.Test":        "App.Up.Test",
		"127.0.0.1":          "127.0.0.1",
		"fe80::1%eth0":       "fe80::1%eth0",
		"xn--bcher-kva.test": "xn--bcher-kva.test",
	} {
		if got := asciiHostname(name); got != want {
			t.Errorf("asciiHostname(%q) = %q, want %q", name, got, want)
		}
	}
}
