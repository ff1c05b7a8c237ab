package config

import (
	"os"
	"path/filepath"
	"testing"
)

// TestHTTPTLSFilesLoadFromConfigDir: relative paths start at the
// configuration file's directory (for HTTP and WebSocket checks alike), the files are read at load, and a
// reload after a file changed is a different check.
func TestHTTPTLSFilesLoadFromConfigDir(t *testing.T) {
	dir := t.TempDir()
	copyFile := func(from, to string) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("..", "examples", "tls", from))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, to), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	copyFile("ca.pem", "ca.pem")
	copyFile("client.pem", "client.pem")
	copyFile("client-key.pem", "client-key.pem")
	path := filepath.Join(dir, "up.yaml")
	err := os.WriteFile(path, []byte(`components:
  - id: c
    checks:
      - name: mtls
        http: {url: "https://h.example/", ca_file: ca.pem, cert_file: client.pem, key_file: client-key.pem}
      - name: live
        websocket: {url: "wss://h.example/live", ca_file: ca.pem, cert_file: client.pem, key_file: client-key.pem}
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	first, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	h := first.Checks()[0].HTTP
	if h.RootCAs() == nil || h.ClientCertificate() == nil || h.ClientCertificate().Leaf == nil ||
		h.ClientCertificate().Leaf.Subject.CommonName != "up monitor" {
		t.Fatalf("files not loaded: roots %v cert %v", h.RootCAs(), h.ClientCertificate())
	}
	if w := first.Checks()[1].WebSocket; w.RootCAs() == nil || w.ClientCertificate() == nil {
		t.Fatalf("the WebSocket check's files not loaded: roots %v cert %v", w.RootCAs(), w.ClientCertificate())
	}
	same, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Checks()[0].Equal(same.Checks()[0]) {
		t.Error("two loads of unchanged files differ")
	}
	copyFile("client.pem", "ca.pem") // another certificate, still PEM
	changed, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range first.Checks() {
		if c.Equal(changed.Checks()[i]) {
			t.Errorf("%s: a changed ca_file leaves the check equal, so a reload would keep the old authorities", c.ID)
		}
	}
}
