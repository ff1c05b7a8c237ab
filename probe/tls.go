package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strconv"
	"time"
)

// tlsFacts reports what the handshake showed. The earliest expiry is
// taken over the whole presented chain, not only the leaf, because an
// expiring intermediate breaks clients just the same
// (probe_ssl_earliest_cert_expiry has the same meaning in blackbox_exporter).
func tlsFacts(cs *tls.ConnectionState) *TLSResult {
	t := &TLSResult{Version: tls.VersionName(cs.Version)}
	t.EarliestCertExpiry, t.EarliestCertName = earliestExpiry(cs.PeerCertificates)
	if len(cs.PeerCertificates) > 0 {
		t.Leaf = cs.PeerCertificates[0]
	}
	// Of the chains that verified, the one that lasts longest is the
	// one clients keep working with longest (as blackbox_exporter's
	// probe_ssl_last_chain_expiry_timestamp_seconds).
	for _, chain := range cs.VerifiedChains {
		if end, _ := earliestExpiry(chain); end.After(t.LastChainExpiry) {
			t.LastChainExpiry = end
		}
	}
	if len(cs.VerifiedChains) == 0 {
		// Nothing was verified (tls_skip_verify): the presented chain
		// is the only one known.
		t.LastChainExpiry = t.EarliestCertExpiry
	}
	return t
}

// earliestExpiry returns the smallest NotAfter of certs and the name of
// that certificate (zero and "" when none).
func earliestExpiry(certs []*x509.Certificate) (time.Time, string) {
	var first *x509.Certificate
	for _, c := range certs {
		if first == nil || c.NotAfter.Before(first.NotAfter) {
			first = c
		}
	}
	if first == nil {
		return time.Time{}, ""
	}
	return first.NotAfter, certName(first)
}

// certName names a certificate the way its owner knows it: by its first
// DNS name, else its subject's common name, else its serial number.
func certName(c *x509.Certificate) string {
	switch {
	case len(c.DNSNames) > 0:
		return c.DNSNames[0]
	case c.Subject.CommonName != "":
		return c.Subject.CommonName
	case len(c.IPAddresses) > 0:
		return c.IPAddresses[0].String()
	}
	return "serial " + c.SerialNumber.String()
}

// failedTLSFacts keeps the certificate facts of a handshake that failed
// verification: an expired certificate is exactly when its expiry matters.
func failedTLSFacts(err error) *TLSResult {
	var v *tls.CertificateVerificationError
	if !errors.As(err, &v) || len(v.UnverifiedCertificates) == 0 {
		return nil
	}
	t := &TLSResult{}
	t.EarliestCertExpiry, t.EarliestCertName = earliestExpiry(v.UnverifiedCertificates)
	return t
}

// expiryRule judges how close the presented certificates are to their
// end: within warn the probe is a degraded success, within critical a
// failure. A zero limit is off.
type expiryRule struct {
	warn, critical time.Duration
}

// judge applies the rule to a probe that succeeded otherwise. A failed
// probe keeps its own error: it says more than the certificate's date.
func (e expiryRule) judge(res *Result, now time.Time) {
	t := res.TLS
	if !res.Success || t == nil || t.EarliestCertExpiry.IsZero() {
		return
	}
	left := t.EarliestCertExpiry.Sub(now)
	switch {
	case e.critical > 0 && left < e.critical:
		res.Success = false
		res.Err = expiryText(t, left) + ", under the " + days(e.critical) + " of tls_expiry_critical"
	case e.warn > 0 && left < e.warn:
		res.Degraded = expiryText(t, left) + ", under the " + days(e.warn) + " of tls_expiry_warn"
	}
}

// expiryText says when the earliest certificate ends:
// "certificate for acme.example expires in 2 days (2026-03-01 12:00 UTC)".
func expiryText(t *TLSResult, left time.Duration) string {
	when := " (" + t.EarliestCertExpiry.UTC().Format("2006-01-02 15:04 UTC") + ")"
	name := "certificate for " + t.EarliestCertName
	if left < 0 {
		return name + " expired " + days(-left) + " ago" + when
	}
	return name + " expires in " + days(left) + when
}

// days spells a span the way certificate lifetimes are counted: whole
// days, or hours under a day.
func days(d time.Duration) string {
	switch n := int(d / (24 * time.Hour)); {
	case n > 1:
		return strconv.Itoa(n) + " days"
	case n == 1:
		return "1 day"
	}
	switch n := int(d / time.Hour); n {
	case 0:
		return "under an hour"
	case 1:
		return "1 hour"
	default:
		return strconv.Itoa(n) + " hours"
	}
}

// clientTLSConfig is the per-check TLS setup shared by every run.
func clientTLSConfig(serverName string, skipVerify bool, roots *x509.CertPool) *tls.Config {
	return &tls.Config{
		ServerName:         serverName,
		InsecureSkipVerify: skipVerify, //nolint:gosec // opt-in per check, for self-signed targets
		RootCAs:            roots,
		// Every probe opens a fresh connection on purpose (the handshake
		// time is one of the facts we report), so resumption is off.
		SessionTicketsDisabled: true,
	}
}

// handshake runs the TLS client handshake on conn. The caller bounds it
// with conn's deadline (and ends that deadline early on cancellation)
// rather than with a context: HandshakeContext would start a watcher
// goroutine for every probe. On failure it closes conn and returns a
// *handshakeError (or the certificate error as is, which describe
// explains on its own), plus whatever certificate facts were seen.
func handshake(conn net.Conn, cfg *tls.Config) (*tls.Conn, time.Duration, *TLSResult, error) {
	start := time.Now()
	tc := tls.Client(conn, cfg)
	err := tc.Handshake()
	took := time.Since(start)
	if err != nil {
		conn.Close()
		if facts := failedTLSFacts(err); facts != nil {
			return nil, took, facts, err
		}
		if isTimeout(err) || errors.Is(err, context.Canceled) {
			return nil, took, nil, err
		}
		return nil, took, nil, &handshakeError{err}
	}
	cs := tc.ConnectionState()
	return tc, took, tlsFacts(&cs), nil
}
