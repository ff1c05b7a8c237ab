package config

import (
	"testing"
	"time"
)

func TestDNSAndTLSChecksGetDefaults(t *testing.T) {
	cfg := mustParse(t, `defaults:
  tls_expiry_warn: 21d
components:
  - id: dns
    checks:
      - name: a
        dns: {name: acme.example}
      - name: mx
        tls_expiry_critical: 1d12h
        dns: {server: "127.0.0.1:853", name: acme.example, type: mx, transport: TLS, rcode: nxdomain}
      - name: cert
        tls: {address: "acme.example:443"}
`)
	checks := cfg.Checks()
	a, mx, cert := checks[0], checks[1], checks[2]
	if d := a.DNS; d.Type != "A" || d.Transport != "udp" || d.Rcode != "NOERROR" || d.Server != "" {
		t.Errorf("dns defaults: %+v", *d)
	}
	if got := a.Target(); got != "dns:///acme.example?type=A" {
		t.Errorf("target of a check on the system resolver = %q", got)
	}
	if d := mx.DNS; d.Type != "MX" || d.Transport != "tls" || d.Rcode != "NXDOMAIN" {
		t.Errorf("names are not made canonical: %+v", *d)
	}
	if got := mx.Target(); got != "dns://127.0.0.1:853/acme.example?type=MX" {
		t.Errorf("target = %q", got)
	}
	if mx.TLSExpiryWarn != 21*24*time.Hour || mx.TLSExpiryCritical != 36*time.Hour {
		t.Errorf("mx expiry limits %v/%v, want 504h inherited and 36h own", mx.TLSExpiryWarn, mx.TLSExpiryCritical)
	}
	if cert.Type() != "tls" || cert.Target() != "acme.example:443" || cert.TLS.MinVersion != "1.2" ||
		cert.TLSExpiryCritical != DefaultTLSExpiryCritical {
		t.Errorf("tls check: type %q target %q %+v critical %v", cert.Type(), cert.Target(), *cert.TLS, cert.TLSExpiryCritical)
	}
}

func TestDNSTargetHidesSecrets(t *testing.T) {
	cfg, err := ParseWithEnv([]byte(`components:
  - id: dns
    checks:
      - name: a
        dns: {server: "${NS}:53", name: acme.example}
`), "t.yaml", func(k string) (string, bool) { return "10.1.2.3", k == "NS" })
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Checks()[0].Target(); got != "dns://<secret>:53/acme.example?type=A" {
		t.Errorf("target = %q", got)
	}
}

func TestDurationsTakeDays(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"14d": 14 * 24 * time.Hour, "1d12h": 36 * time.Hour, "0d": 0, "-2d": -48 * time.Hour,
		"90m": 90 * time.Minute, "1.5h": 90 * time.Minute,
	} {
		got, err := parseDuration(in)
		if err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"d", "1dd", "1d-1h", "14 days", "123456d"} {
		if got, err := parseDuration(in); err == nil {
			t.Errorf("parseDuration(%q) = %v, want an error", in, got)
		}
	}
}
