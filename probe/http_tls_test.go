package probe

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/config"
)

// writePEM writes certs, and key when not nil, as PEM files in dir and
// returns their paths.
func writePEM(t *testing.T, dir, name string, certs [][]byte, key any) (certFile, keyFile string) {
	t.Helper()
	var b []byte
	for _, der := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	certFile = filepath.Join(dir, name+".pem")
	if err := os.WriteFile(certFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if key == nil {
		return certFile, ""
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile = filepath.Join(dir, name+"-key.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestHTTPCAFileAndClientCertificate: ca_file replaces the authorities
// the prober would trust otherwise, and cert_file/key_file answer a
// server that requires a client certificate signed by its own CA.
func TestHTTPCAFileAndClientCertificate(t *testing.T) {
	serverCA, clientCA := newPKI(t), newPKI(t)
	dir := t.TempDir()
	caFile, _ := writePEM(t, dir, "ca", [][]byte{serverCA.cert.Raw}, nil)
	client := clientCA.issue(t, certSpec{client: true})
	certFile, keyFile := writePEM(t, dir, "client", client.Certificate, client.PrivateKey)
	stranger := newPKI(t).issue(t, certSpec{client: true})
	strangerCert, strangerKey := writePEM(t, dir, "stranger", stranger.Certificate, stranger.PrivateKey)

	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello "+r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
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
	tests := []struct {
		name                string
		ca, cert, key, want string // want: prefix of the error, "" for success
	}{
		{"ca_file and client certificate", caFile, certFile, keyFile, ""},
		{"no ca_file", "", certFile, keyFile, "x509: certificate signed by unknown authority"},
		{"no client certificate", caFile, "", "", "remote error: tls: certificate required"},
		{"client certificate of another CA", caFile, strangerCert, strangerKey, "remote error: tls: unknown certificate authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := httpCheck(srv.URL, 5*time.Second, func(h *config.HTTPCheck) {
				h.CAFile, h.CertFile, h.KeyFile = tt.ca, tt.cert, tt.key
				h.BodyContains = "hello up test client"
			})
			if err := c.HTTP.LoadTLSFiles(""); err != nil {
				t.Fatal(err)
			}
			r := probeWithin(t, mustNew(t, c, opts), c.Timeout)
			if r.Success != (tt.want == "") || !strings.HasPrefix(r.Err, tt.want) {
				t.Fatalf("Success=%v Err=%q, want %q", r.Success, r.Err, tt.want)
			}
		})
	}
}
