package probe

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/config"
)

const day = 24 * time.Hour

// tlsCheck is a tls check with the configuration's default expiry rules.
func tlsCheck(addr string, timeout time.Duration, mod func(*config.TLSCheck)) *config.Check {
	c := &config.Check{ID: "cert.tls", Component: "cert", Name: "tls", Timeout: timeout,
		TLSExpiryWarn: config.DefaultTLSExpiryWarn, TLSExpiryCritical: config.DefaultTLSExpiryCritical,
		TLS: &config.TLSCheck{Address: addr, MinVersion: "1.2"}}
	if mod != nil {
		mod(c.TLS)
	}
	return c
}

// serveTLS accepts TLS on loopback with cert and completes handshakes.
func serveTLS(t *testing.T, cert tls.Certificate, maxVersion uint16) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: maxVersion})
	if err != nil {
		t.Fatal(err)
	}
	return serveListener(t, ln, func(c net.Conn) {
		c.(*tls.Conn).Handshake()
		silent(c)
	}).addr
}

// selfSigned makes a certificate that is its own issuer.
func selfSigned(t *testing.T, name string) tls.Certificate {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * day),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

func TestTLSCheckJudgesCertificates(t *testing.T) {
	ca := newPKI(t)
	now := time.Now()
	// An hour of slack keeps "10 days" from reading "9 days" a moment later.
	valid := serveTLS(t, ca.issue(t, certSpec{names: []string{"app.up.test"}}), 0)
	in10 := serveTLS(t, ca.issue(t, certSpec{names: []string{"app.up.test"}, notAfter: now.Add(10*day + time.Hour)}), 0)
	in2 := serveTLS(t, ca.issue(t, certSpec{names: []string{"app.up.test"}, notAfter: now.Add(2*day + time.Hour)}), 0)
	expired := serveTLS(t, ca.issue(t, certSpec{names: []string{"app.up.test"}, notBefore: now.Add(-30 * day), notAfter: now.Add(-day - time.Hour)}), 0)
	self := serveTLS(t, selfSigned(t, "app.up.test"), 0)
	tls12 := serveTLS(t, ca.issue(t, certSpec{names: []string{"app.up.test"}}), tls.VersionTLS12)
	opts := testOptions(t)
	opts.RootCAs = ca.pool

	tests := []struct {
		name, addr string
		mod        func(*config.TLSCheck)
		check      func(*config.Check)
		want       string // Err, "" for success
		degraded   string // prefix of Degraded
	}{
		{name: "valid", addr: valid},
		{name: "expires in 10 days", addr: in10, degraded: "certificate for app.up.test expires in 10 days ("},
		{name: "expires in 2 days", addr: in2, want: "certificate for app.up.test expires in 2 days ("},
		{name: "expired", addr: expired, want: "certificate expired (not after "},
		{name: "expired, not verified", addr: expired, mod: func(c *config.TLSCheck) { c.TLSSkipVerify = true },
			want: "certificate for app.up.test expired 1 day ago ("},
		{name: "wrong name", addr: valid, mod: func(c *config.TLSCheck) { c.ServerName = "other.up.test" },
			want: "x509: certificate is valid for app.up.test, not other.up.test"},
		{name: "self-signed", addr: self, want: "x509: certificate signed by unknown authority"},
		{name: "self-signed, not verified", addr: self, mod: func(c *config.TLSCheck) { c.TLSSkipVerify = true }},
		{name: "rules off", addr: in2, check: func(c *config.Check) { c.TLSExpiryWarn, c.TLSExpiryCritical = 0, 0 }},
		{name: "own limits", addr: in10, check: func(c *config.Check) { c.TLSExpiryCritical = 11 * day },
			want: "certificate for app.up.test expires in 10 days ("},
		{name: "min_version 1.3", addr: tls12, mod: func(c *config.TLSCheck) { c.MinVersion = "1.3" },
			want: "tls: handshake failed: remote error: tls: protocol version not supported"},
		{name: "refused", addr: closedPort(t), want: "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, port, _ := net.SplitHostPort(tt.addr)
			c := tlsCheck("app.up.test:"+port, timeoutFor(tt.want), tt.mod)
			if tt.check != nil {
				tt.check(c)
			}
			r := probeWithin(t, mustNew(t, c, opts), c.Timeout)
			if r.Success != (tt.want == "") || !strings.HasPrefix(r.Err, tt.want) || (tt.want == "" && r.Err != "") {
				t.Fatalf("Success=%v Err=%q, want %q", r.Success, r.Err, tt.want)
			}
			if !strings.HasPrefix(r.Degraded, tt.degraded) || (tt.degraded == "") != (r.Degraded == "") {
				t.Errorf("Degraded = %q, want %q", r.Degraded, tt.degraded)
			}
			if tt.want == "" && (r.TLS == nil || r.TLS.EarliestCertName != "app.up.test" || r.TCP.TLS <= 0 || r.TCP.Resolve <= 0) {
				t.Errorf("TLS=%+v TCP=%+v", r.TLS, r.TCP)
			}
		})
	}
}

func TestTLSCheckReportsTheLastChainExpiry(t *testing.T) {
	ca := newPKI(t)
	interEnd := time.Now().Add(40 * day).Truncate(time.Second)
	addr := serveTLS(t, ca.issue(t, certSpec{names: []string{"app.up.test"}, intermediateNotAfter: interEnd}), 0)
	opts := testOptions(t)
	opts.RootCAs = ca.pool
	_, port, _ := net.SplitHostPort(addr)
	r := probeWithin(t, mustNew(t, tlsCheck("app.up.test:"+port, 10*time.Second, nil), opts), 10*time.Second)
	if !r.Success || !r.TLS.LastChainExpiry.Equal(interEnd) || !r.TLS.EarliestCertExpiry.Equal(interEnd) ||
		r.TLS.EarliestCertName != "up test intermediate" {
		t.Fatalf("Success=%v Err=%q TLS=%+v", r.Success, r.Err, r.TLS)
	}
	// The chain is known by its leaf, the certificate of the name.
	if l := r.TLS.Leaf; l == nil || len(l.DNSNames) != 1 || l.DNSNames[0] != "app.up.test" {
		t.Errorf("leaf %+v, want the certificate of app.up.test", l)
	}
	// Without verification no chain was built: the presented one counts.
	r = probeWithin(t, mustNew(t, tlsCheck("app.up.test:"+port, 10*time.Second, func(c *config.TLSCheck) { c.TLSSkipVerify = true }), opts), 10*time.Second)
	if !r.Success || !r.TLS.LastChainExpiry.Equal(interEnd) {
		t.Fatalf("skip verify: Success=%v TLS=%+v", r.Success, r.TLS)
	}
}

// The expiry rule holds on every check that shakes hands, not only on
// tls checks.
func TestExpiryRuleOnHTTPSAndTCP(t *testing.T) {
	ca := newPKI(t)
	cert := ca.issue(t, certSpec{names: []string{"app.up.test"}, notAfter: time.Now().Add(5*day + time.Hour)})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	opts := testOptions(t)
	opts.RootCAs = ca.pool
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())

	h := httpCheck("https://app.up.test:"+port+"/", 10*time.Second, nil)
	tc := tcpCheck("app.up.test:"+port, 10*time.Second, func(c *config.TCPCheck) { c.TLS = true })
	for _, c := range []*config.Check{h, tc} {
		c.TLSExpiryWarn, c.TLSExpiryCritical = config.DefaultTLSExpiryWarn, config.DefaultTLSExpiryCritical
		r := probeWithin(t, mustNew(t, c, opts), c.Timeout)
		if !r.Success || !strings.HasPrefix(r.Degraded, "certificate for app.up.test expires in 5 days (") ||
			!strings.HasSuffix(r.Degraded, "), under the 14 days of tls_expiry_warn") {
			t.Errorf("%s: Success=%v Err=%q Degraded=%q", c.Type(), r.Success, r.Err, r.Degraded)
		}
		c.TLSExpiryCritical = 6 * day
		r = probeWithin(t, mustNew(t, c, opts), c.Timeout)
		if r.Success || !strings.HasSuffix(r.Err, "), under the 6 days of tls_expiry_critical") || r.Degraded != "" {
			t.Errorf("%s critical: Success=%v Err=%q Degraded=%q", c.Type(), r.Success, r.Err, r.Degraded)
		}
	}
}

func TestDays(t *testing.T) {
	for d, want := range map[time.Duration]string{
		3 * day: "3 days", day + 5*time.Hour: "1 day", 5 * time.Hour: "5 hours", time.Hour: "1 hour", time.Minute: "under an hour",
	} {
		if got := days(d); got != want {
			t.Errorf("days(%v) = %q, want %q", d, got, want)
		}
	}
}
