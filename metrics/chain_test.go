package metrics

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/config"
	"github.com/up-status/up/probe"
)

// leafCert makes a self-signed certificate for names with the serial.
func leafCert(t *testing.T, serial int64, names ...string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: names[0], Organization: []string{`ACME "Labs"`}},
		DNSNames:     names,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(90 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTLSChainInfo: with metrics.tls_chain_info, a tls check exports
// blackbox_exporter's probe_ssl_last_chain_info of the leaf it saw last,
// one series however often the certificate changes; other checks that
// shake hands, and every check without the option, export none.
func TestTLSChainInfo(t *testing.T) {
	tc := &config.Check{ID: "mail.cert", Component: "mail", Name: "cert", TLS: &config.TLSCheck{Address: "mx.acme.example:465"}}
	hc := httpCheck("web", "home", "https://acme.example/")
	first, second := leafCert(t, 0x1f2e, "mx.acme.example", "mail.acme.example"), leafCert(t, 0xabc, "mx.acme.example")
	observe := func(m *Metrics, leaf *x509.Certificate) {
		for _, c := range []*config.Check{tc, hc} {
			m.ObserveProbe(c.ID, probe.Result{Success: true, TLS: &probe.TLSResult{Version: "TLS 1.3", Leaf: leaf}})
		}
	}

	m := New(Options{TLSChainInfo: true})
	m.AddCheck(tc)
	m.AddCheck(hc)
	observe(m, first)
	observe(m, second)
	body := scrape(t, m)
	lines := grep(body, "probe_ssl_last_chain_info{")
	sum := sha256.Sum256(second.Raw)
	// The quotes RFC 2253 escapes in the subject are escaped again as
	// label values.
	want := `probe_ssl_last_chain_info{check="cert",component="mail",target="mx.acme.example:465",type="tls",` +
		`fingerprint_sha256="` + hex.EncodeToString(sum[:]) + `",subject="CN=mx.acme.example,O=ACME \\\"Labs\\\"",` +
		`issuer="CN=mx.acme.example,O=ACME \\\"Labs\\\"",subjectalternative="mx.acme.example",serialnumber="abc"} 1` + "\n"
	if lines != want {
		t.Errorf("chain info:\n%s\nwant\n%s", lines, want)
	}
	if !strings.Contains(body, "# TYPE probe_ssl_last_chain_info gauge\n") {
		t.Error("no TYPE line for probe_ssl_last_chain_info")
	}

	off := New(Options{})
	off.AddCheck(tc)
	observe(off, first)
	if body := scrape(t, off); strings.Contains(body, "probe_ssl_last_chain_info") {
		t.Errorf("chain info without the option:\n%s", grep(body, "probe_ssl_last_chain_info"))
	}
}
