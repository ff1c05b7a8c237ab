package probe

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"testing"
	"time"
)

func TestEarliestExpiry(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	chain := []*x509.Certificate{{NotAfter: now.Add(90 * 24 * time.Hour)}, {NotAfter: now.Add(7 * 24 * time.Hour)}, {NotAfter: now.Add(3650 * 24 * time.Hour)}}
	if got, _ := earliestExpiry(chain); !got.Equal(now.Add(7 * 24 * time.Hour)) {
		t.Errorf("earliestExpiry = %v, want the intermediate's", got)
	}
	if got, _ := earliestExpiry(nil); !got.IsZero() {
		t.Errorf("earliestExpiry(nil) = %v", got)
	}
	facts := tlsFacts(&tls.ConnectionState{Version: tls.VersionTLS12, PeerCertificates: chain})
	if facts.Version != "TLS 1.2" || !facts.EarliestCertExpiry.Equal(now.Add(7*24*time.Hour)) {
		t.Errorf("tlsFacts = %+v", facts)
	}
}

func TestFailedTLSFactsKeepTheExpiry(t *testing.T) {
	expired := &x509.Certificate{NotAfter: time.Now().Add(-time.Hour).Truncate(time.Second)}
	err := fmt.Errorf("dial: %w", &tls.CertificateVerificationError{
		UnverifiedCertificates: []*x509.Certificate{expired},
		Err:                    x509.CertificateInvalidError{Cert: expired, Reason: x509.Expired},
	})
	facts := failedTLSFacts(err)
	if facts == nil || !facts.EarliestCertExpiry.Equal(expired.NotAfter) {
		t.Errorf("failedTLSFacts = %+v", facts)
	}
	if want := "certificate expired (not after " + expired.NotAfter.UTC().Format(time.RFC3339) + ")"; describe(err) != want {
		t.Errorf("describe = %q, want %q", describe(err), want)
	}
	if failedTLSFacts(fmt.Errorf("plain")) != nil {
		t.Error("facts from an error without certificates")
	}
}
