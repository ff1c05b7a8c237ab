package probe

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/config"
)

// startTLS starts a loopback HTTPS server with cert that speaks HTTP/2
// when h2 is true and HTTP/1.1 only otherwise, and with clientCAs
// requires a client certificate they signed.
func startTLS(t *testing.T, cert tls.Certificate, h2 bool, clientCAs *x509.CertPool, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = h2
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	if clientCAs != nil {
		srv.TLS.ClientCAs, srv.TLS.ClientAuth = clientCAs, tls.RequireAndVerifyClientCert
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// sawHandler answers with what it saw: the protocol, the method, the
// User-Agent and the request body, gzipped when the client asks for it
// and the path says so. /hop redirects to /.
func sawHandler(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/hop" {
		http.Redirect(w, r, "/", http.StatusFound)
		return
	}
	body, _ := io.ReadAll(r.Body)
	text := "saw " + r.Proto + " " + r.Method + " ua=" + r.UserAgent() + " body=" + string(body)
	if r.URL.Path == "/gzip" && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, text)
		zw.Close()
		return
	}
	io.WriteString(w, text)
}

// TestHTTP2: an https target that speaks HTTP/2 gets it, agreed on in
// the handshake, with the request the check describes, redirects, gzip,
// phases and certificate facts as over HTTP/1.1; one that speaks only
// HTTP/1.1 gets that. http_version "1.1" keeps to HTTP/1.1 and "2" fails
// a probe that did not get HTTP/2.
func TestHTTP2(t *testing.T) {
	ca := newPKI(t)
	cert := ca.issue(t, certSpec{names: []string{"127.0.0.1"}})
	h2 := startTLS(t, cert, true, nil, http.HandlerFunc(sawHandler))
	h1 := startTLS(t, cert, false, nil, http.HandlerFunc(sawHandler))
	opts := Options{RootCAs: ca.pool, Version: "1.2.3"}

	tests := []struct {
		name    string
		url     string
		mod     func(*config.HTTPCheck)
		proto   string // of the response
		contain string // in the body
		err     string // "" for a success
	}{
		{"h2 server", h2.URL + "/", nil, "HTTP/2.0", "saw HTTP/2.0 GET ua=up/1.2.3 body=", ""},
		{"HTTP/1.1 server", h1.URL + "/", nil, "HTTP/1.1", "saw HTTP/1.1 GET", ""},
		{"POST with a body", h2.URL + "/", func(h *config.HTTPCheck) { h.Method, h.Body = "POST", `{"q":1}` },
			"HTTP/2.0", `saw HTTP/2.0 POST ua=up/1.2.3 body={"q":1}`, ""},
		{"redirect", h2.URL + "/hop", nil, "HTTP/2.0", "saw HTTP/2.0 GET", ""},
		{"gzip", h2.URL + "/gzip", nil, "HTTP/2.0", "saw HTTP/2.0 GET", ""},
		{"http_version 2, h2 server", h2.URL + "/", func(h *config.HTTPCheck) { h.HTTPVersion = "2" }, "HTTP/2.0", "saw HTTP/2.0", ""},
		{"http_version 2, HTTP/1.1 server", h1.URL + "/", func(h *config.HTTPCheck) { h.HTTPVersion = "2" }, "HTTP/1.1", "",
			"HTTP/1.1, want HTTP/2 (http_version)"},
		{"http_version 1.1, h2 server", h2.URL + "/", func(h *config.HTTPCheck) { h.HTTPVersion = "1.1" }, "HTTP/1.1", "saw HTTP/1.1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := httpCheck(tt.url, 5*time.Second, func(h *config.HTTPCheck) {
				h.BodyContains = tt.contain
				if tt.mod != nil {
					tt.mod(h)
				}
			})
			r := probeWithin(t, mustNew(t, c, opts), c.Timeout)
			if r.Success != (tt.err == "") || r.Err != tt.err {
				t.Fatalf("Success=%v Err=%q, want %q", r.Success, r.Err, tt.err)
			}
			if r.HTTP.Proto != tt.proto || r.HTTP.StatusCode != 200 {
				t.Errorf("Proto=%q status %d, want %s 200", r.HTTP.Proto, r.HTTP.StatusCode, tt.proto)
			}
			if r.TLS == nil || r.TLS.Version != "TLS 1.3" {
				t.Errorf("TLS = %+v", r.TLS)
			}
			if h := r.HTTP; h.Connect <= 0 || h.TLS <= 0 || h.Processing <= 0 || h.BodyBytes == 0 {
				t.Errorf("phases = %+v", *h)
			}
			if strings.HasSuffix(tt.url, "/hop") && r.HTTP.Redirects != 1 {
				t.Errorf("Redirects = %d, want 1", r.HTTP.Redirects)
			}
		})
	}
}

// TestHTTP2WithTheCheckTLSOptions: ca_file and a client certificate,
// which make the prober's own TLS setup, leave HTTP/2 on, as does a
// proxy's CONNECT tunnel.
func TestHTTP2WithTheCheckTLSOptions(t *testing.T) {
	serverCA, clientCA := newPKI(t), newPKI(t)
	dir := t.TempDir()
	caFile, _ := writePEM(t, dir, "ca", [][]byte{serverCA.cert.Raw}, nil)
	client := clientCA.issue(t, certSpec{client: true})
	certFile, keyFile := writePEM(t, dir, "client", client.Certificate, client.PrivateKey)
	cert := serverCA.issue(t, certSpec{names: []string{"127.0.0.1", "app.up.test"}})
	srv := startTLS(t, cert, true, clientCA.pool, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto+" "+r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	tp := startProxy(t, nil, "", "")

	for _, via := range []string{"", tp.url} {
		name := "direct"
		if via != "" {
			name = "through a proxy"
		}
		t.Run(name, func(t *testing.T) {
			url := srv.URL + "/"
			if via != "" {
				url = "https://app.up.test:" + port(srv) + "/"
			}
			c := httpCheck(url, 5*time.Second, func(h *config.HTTPCheck) {
				h.CAFile, h.CertFile, h.KeyFile = caFile, certFile, keyFile
				h.ProxyURL = config.Secret(via)
				h.BodyContains = "HTTP/2.0 up test client"
			})
			if err := c.HTTP.LoadTLSFiles(""); err != nil {
				t.Fatal(err)
			}
			r := probeWithin(t, mustNew(t, c, Options{Resolver: testResolver(t, nil)}), c.Timeout)
			if !r.Success || r.HTTP.Proto != "HTTP/2.0" {
				t.Fatalf("Success=%v Err=%q Proto=%q", r.Success, r.Err, r.HTTP.Proto)
			}
		})
	}
}

// TestHTTP2Timeout: a server that stalls over h2, before its answer or
// in the middle of the body, runs the probe out of time with the stage
// named, and the run returns on time.
func TestHTTP2Timeout(t *testing.T) {
	ca := newPKI(t)
	release := make(chan struct{})
	srv := startTLS(t, ca.issue(t, certSpec{names: []string{"127.0.0.1"}}), true, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/body" {
			io.WriteString(w, "the beginning")
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release) }) // before srv.Close, which waits for the handler
	for path, want := range map[string]string{
		"/":     "timeout after 300ms waiting for the response",
		"/body": "timeout after 300ms while reading the body",
	} {
		c := httpCheck(srv.URL+path, 300*time.Millisecond, nil)
		r := probeWithin(t, mustNew(t, c, Options{RootCAs: ca.pool}), c.Timeout)
		if r.Err != want || r.HTTP.Proto != "HTTP/2.0" && path == "/body" {
			t.Errorf("%s: Err = %q Proto %q, want %q over HTTP/2.0", path, r.Err, r.HTTP.Proto, want)
		}
	}
}

// BenchmarkHTTPSProbe compares a probe over HTTP/1.1 with one over
// HTTP/2 against the same loopback server: the TLS handshake dominates
// both, and the difference is what HTTP/2's client costs per probe.
func BenchmarkHTTPSProbe(b *testing.B) {
	ca := newPKI(b)
	cert := ca.issue(b, certSpec{names: []string{"127.0.0.1"}})
	for _, version := range []string{"1.1", "2"} {
		b.Run("HTTP/"+version, func(b *testing.B) {
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "<html><body>Welcome</body></html>")
			}))
			srv.EnableHTTP2 = version == "2"
			srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
			srv.StartTLS()
			defer srv.Close()
			c := httpCheck(srv.URL+"/", 5*time.Second, func(h *config.HTTPCheck) {
				h.BodyContains, h.HTTPVersion = "Welcome", version
			})
			p, err := New(c, Options{RootCAs: ca.pool, Resolver: &net.Resolver{PreferGo: true, Dial: refuseDNS}})
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
		})
	}
}
