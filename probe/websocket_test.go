package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/up-status/up/config"
)

// wsEcho upgrades, then answers each text message: "ping" with three
// messages of which the last is "pong 42", "close" by closing, anything
// else not at all. It records the request headers of the upgrade.
func wsEcho(t *testing.T, seen chan<- http.Header) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/plain" {
			w.Write([]byte("not a socket"))
			return
		}
		if seen != nil {
			select {
			case seen <- r.Header.Clone():
			default:
			}
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if r.URL.Path == "/greet" {
			c.Write(ctx, websocket.MessageText, []byte("hello from the server"))
		}
		for range 10 {
			_, msg, err := c.Read(ctx)
			if err != nil {
				return
			}
			switch string(msg) {
			case "ping":
				for _, m := range []string{"tick", "tock", "pong 42"} {
					c.Write(ctx, websocket.MessageText, []byte(m))
				}
			case "close":
				c.Close(websocket.StatusGoingAway, "maintenance")
				return
			}
		}
	})
}

func wsCheck(url string, mod func(*config.WebSocketCheck)) *config.Check {
	c := &config.Check{ID: "live.websocket", Component: "live", Name: "websocket", Timeout: 5 * time.Second,
		TLSExpiryWarn: config.DefaultTLSExpiryWarn, TLSExpiryCritical: config.DefaultTLSExpiryCritical,
		WebSocket: &config.WebSocketCheck{URL: url}}
	if mod != nil {
		mod(c.WebSocket)
	}
	return c
}

func TestWebSocketUpgradeAndExchange(t *testing.T) {
	seen := make(chan http.Header, 1)
	srv := httptest.NewServer(wsEcho(t, seen))
	defer srv.Close()
	ws := "ws" + strings.TrimPrefix(srv.URL, "http")

	c := wsCheck(ws+"/", func(w *config.WebSocketCheck) { w.Headers = map[string]config.Secret{"X-Token": "t0k"} })
	r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if !r.Success || r.WebSocket.StatusCode != 101 || r.Type != "websocket" || r.Target != ws+"/" || r.TCP.Connect <= 0 {
		t.Fatalf("Success=%v Err=%q %+v %+v", r.Success, r.Err, r.WebSocket, r.TCP)
	}
	h := <-seen
	if h.Get("X-Token") != "t0k" || h.Get("User-Agent") != "up/1.2.3" {
		t.Errorf("upgrade headers %v", h)
	}
	if !strings.HasPrefix(r.Summary(), "success  websocket 101  total ") {
		t.Errorf("summary %q", r.Summary())
	}

	tests := []struct {
		name, path, send, expect, re, want string
	}{
		{"expect", "/", "ping", "pong", "", ""},
		{"regex", "/", "ping", "", `^pong \d+$`, ""},
		{"greeting, nothing sent", "/greet", "", "hello", "", ""},
		{"never comes", "/", "ping", "pang", "", `timeout after 300ms waiting for a message that contains "pang"; last message "pong 42"`},
		{"closed", "/", "close", "pong", "", `the server closed the socket (1001 "maintenance") before a message that contains "pong"`},
		{"not a socket", "/plain", "", "", "", "status 200, want 101 (a WebSocket upgrade)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := wsCheck(ws+tt.path, func(w *config.WebSocketCheck) {
				w.Send, w.Expect = tt.send, tt.expect
				if tt.re != "" {
					w.ExpectRegex = &config.Regexp{Regexp: regexp.MustCompile(tt.re)}
				}
			})
			c.Timeout = 300 * time.Millisecond
			r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
			if r.Err != tt.want || r.Success != (tt.want == "") {
				t.Errorf("Success=%v Err=%q, want %q", r.Success, r.Err, tt.want)
			}
		})
	}
}

func TestWebSocketOverTLS(t *testing.T) {
	ca := newPKI(t)
	cert := ca.issue(t, certSpec{names: []string{"app.up.test"}, notAfter: time.Now().Add(2 * day)})
	srv := httptest.NewUnstartedServer(wsEcho(t, nil))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	opts := testOptions(t)
	opts.RootCAs = ca.pool

	c := wsCheck("wss://app.up.test:"+port+"/", func(w *config.WebSocketCheck) { w.Send, w.Expect = "ping", "pong" })
	c.TLSExpiryCritical = 0
	r := probeWithin(t, mustNew(t, c, opts), c.Timeout)
	if !r.Success || r.TLS == nil || r.TCP.TLS <= 0 || !strings.HasPrefix(r.Degraded, "certificate for app.up.test expires in ") {
		t.Fatalf("Success=%v Err=%q Degraded=%q TLS %+v", r.Success, r.Err, r.Degraded, r.TLS)
	}
	// Two days left is inside the default 3 days of tls_expiry_critical.
	c.TLSExpiryCritical = config.DefaultTLSExpiryCritical
	r = probeWithin(t, mustNew(t, c, opts), c.Timeout)
	if r.Success || !strings.Contains(r.Err, "tls_expiry_critical") {
		t.Errorf("critical: Err=%q", r.Err)
	}
	// The IP is not on the certificate.
	c = wsCheck("wss://"+srv.Listener.Addr().String()+"/", nil)
	if r = probeWithin(t, mustNew(t, c, opts), c.Timeout); r.Success || !strings.Contains(r.Err, "certificate") {
		t.Errorf("wrong name: Err=%q", r.Err)
	}
	c = wsCheck("wss://"+srv.Listener.Addr().String()+"/", func(w *config.WebSocketCheck) { w.TLSSkipVerify = true })
	c.TLSExpiryCritical = 0
	if r = probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout); !r.Success {
		t.Errorf("tls_skip_verify: Err=%q", r.Err)
	}
}

// TestWebSocketCAFileAndClientCertificate: a wss:// check takes ca_file
// and a client certificate as an HTTP check does.
func TestWebSocketCAFileAndClientCertificate(t *testing.T) {
	serverCA, clientCA := newPKI(t), newPKI(t)
	dir := t.TempDir()
	caFile, _ := writePEM(t, dir, "ca", [][]byte{serverCA.cert.Raw}, nil)
	client := clientCA.issue(t, certSpec{client: true})
	certFile, keyFile := writePEM(t, dir, "client", client.Certificate, client.PrivateKey)
	srv := httptest.NewUnstartedServer(wsEcho(t, nil))
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{serverCA.issue(t, certSpec{names: []string{"127.0.0.1"}})},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    clientCA.pool,
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	srv.StartTLS()
	defer srv.Close()

	// The options trust another CA: only ca_file can make the server's
	// certificate good.
	opts := testOptions(t)
	opts.RootCAs = newPKI(t).pool
	for _, tt := range []struct {
		name                string
		ca, cert, key, want string // want: what the error contains, "" for success
	}{
		{"ca_file and client certificate", caFile, certFile, keyFile, ""},
		{"no ca_file", "", certFile, keyFile, "certificate signed by unknown authority"},
		{"no client certificate", caFile, "", "", "websocket handshake: remote error: tls: certificate required"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := wsCheck("wss://"+srv.Listener.Addr().String()+"/", func(w *config.WebSocketCheck) {
				w.CAFile, w.CertFile, w.KeyFile = tt.ca, tt.cert, tt.key
				w.Send, w.Expect = "ping", "pong"
			})
			if err := c.WebSocket.LoadTLSFiles(""); err != nil {
				t.Fatal(err)
			}
			r := probeWithin(t, mustNew(t, c, opts), c.Timeout)
			if r.Success != (tt.want == "") || !strings.Contains(r.Err, tt.want) {
				t.Fatalf("Success=%v Err=%q, want %q", r.Success, r.Err, tt.want)
			}
		})
	}
}

// TestWebSocketHandshakeFailureSaysWhy: the reason of a failed upgrade
// survives the words the library and the transport wrap it in, however
// the alert arrived.
func TestWebSocketHandshakeFailureSaysWhy(t *testing.T) {
	alert := &net.OpError{Op: "remote error", Err: errors.New("tls: certificate required")}
	get := func(err error) error {
		return fmt.Errorf("failed to WebSocket dial: failed to send handshake request: %w",
			&url.Error{Op: "Get", URL: "https://127.0.0.1:1/", Err: err})
	}
	for _, err := range []error{get(alert), get(fmt.Errorf("readLoopPeekFailLocked: %w", alert))} {
		if got, want := handshakeFailure(err), "websocket handshake: remote error: tls: certificate required"; got != want {
			t.Errorf("%v: %q, want %q", err, got, want)
		}
	}
	refused := get(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})
	if got := handshakeFailure(refused); got != "websocket handshake: connection refused" {
		t.Errorf("%v: %q", refused, got)
	}
}

func TestWebSocketBadPeers(t *testing.T) {
	c := wsCheck("ws://"+closedPort(t)+"/", nil)
	r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if r.Success || !strings.Contains(r.Err, "connection refused") {
		t.Errorf("closed port: Err=%q", r.Err)
	}
	silentPeer := serveTCP(t, silent)
	c = wsCheck("ws://"+silentPeer.addr+"/", nil)
	c.Timeout = 300 * time.Millisecond
	r = probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if r.Err != "timeout after 300ms waiting for the upgrade" {
		t.Errorf("silent peer: Err=%q", r.Err)
	}
	c = wsCheck("wss://"+silentPeer.addr+"/", nil)
	c.Timeout = 300 * time.Millisecond
	r = probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if r.Err != "timeout after 300ms during the TLS handshake" {
		t.Errorf("silent peer over TLS: Err=%q", r.Err)
	}
}
