package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"time"
)

// tlsFacts reports what the handshake showed. The earliest expiry is
// taken over the whole presented chain, not only the leaf, because an
// expiring intermediate breaks clients just the same
// (probe_ssl_earliest_cert_expiry has the same meaning in blackbox_exporter).
func tlsFacts(cs *tls.ConnectionState) *TLSResult {
	return &TLSResult{
		Version:            tls.VersionName(cs.Version),
		EarliestCertExpiry: earliestExpiry(cs.PeerCertificates),
	}
}

// earliestExpiry returns the smallest NotAfter of certs (zero when none).
func earliestExpiry(certs []*x509.Certificate) time.Time {
	var earliest time.Time
	for _, c := range certs {
		if earliest.IsZero() || c.NotAfter.Before(earliest) {
			earliest = c.NotAfter
		}
	}
	return earliest
}

// failedTLSFacts keeps the certificate facts of a handshake that failed
// verification: an expired certificate is exactly when its expiry matters.
func failedTLSFacts(err error) *TLSResult {
	var v *tls.CertificateVerificationError
	if !errors.As(err, &v) || len(v.UnverifiedCertificates) == 0 {
		return nil
	}
	return &TLSResult{EarliestCertExpiry: earliestExpiry(v.UnverifiedCertificates)}
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
