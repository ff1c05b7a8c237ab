package config

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// tlsFiles is what a check's ca_file, cert_file and key_file held
// when the configuration loaded. Reading them then, not at the first
// probe, makes a missing or broken file a configuration error that names
// the key, and keeps a file changed on disk from taking effect halfway
// through a run.
type tlsFiles struct {
	roots *x509.CertPool
	cert  *tls.Certificate
	// sum is the SHA-256 of the three files' contents, so that a reload
	// after a file changed makes a different check (see Equal).
	sum [sha256.Size]byte
}

// RootCAs is the pool of ca_file, nil when the check trusts the
// system's authorities (or LoadTLSFiles was not called).
func (h *HTTPCheck) RootCAs() *x509.CertPool { return h.tlsFiles.roots }

// ClientCertificate is the certificate of cert_file and key_file, nil
// when the check has none (or LoadTLSFiles was not called).
func (h *HTTPCheck) ClientCertificate() *tls.Certificate { return h.tlsFiles.cert }

// TLSFileError says which of ca_file, cert_file or key_file could not be
// used and why.
type TLSFileError struct {
	Key string // "ca_file", "cert_file" or "key_file"
	Err error
}

func (e *TLSFileError) Error() string { return e.Err.Error() }

func (e *TLSFileError) Unwrap() error { return e.Err }

// LoadTLSFiles reads ca_file, cert_file and key_file, relative paths
// from dir, and keeps what they hold for RootCAs and ClientCertificate.
// Loading a configuration calls it; a check built in code calls it
// itself. Errors are *TLSFileError.
func (h *HTTPCheck) LoadTLSFiles(dir string) error {
	loaded, err := loadTLSFiles(dir, h.CAFile, h.CertFile, h.KeyFile)
	if err != nil {
		return err
	}
	h.tlsFiles = loaded
	return nil
}

// RootCAs is the pool of ca_file, nil when the check trusts the
// system's authorities (or LoadTLSFiles was not called).
func (w *WebSocketCheck) RootCAs() *x509.CertPool { return w.tlsFiles.roots }

// ClientCertificate is the certificate of cert_file and key_file, nil
// when the check has none (or LoadTLSFiles was not called).
func (w *WebSocketCheck) ClientCertificate() *tls.Certificate { return w.tlsFiles.cert }

// LoadTLSFiles is HTTPCheck.LoadTLSFiles for a wss:// check.
func (w *WebSocketCheck) LoadTLSFiles(dir string) error {
	loaded, err := loadTLSFiles(dir, w.CAFile, w.CertFile, w.KeyFile)
	if err != nil {
		return err
	}
	w.tlsFiles = loaded
	return nil
}

// loadTLSFiles reads the three files of a check, relative paths from
// dir; empty names are left out.
func loadTLSFiles(dir, caFile, certFile, keyFile string) (tlsFiles, error) {
	var loaded tlsFiles
	sum := sha256.New()
	read := func(key, path string) ([]byte, error) {
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err // the path is in the message already
			}
			return nil, &TLSFileError{key, fmt.Errorf("cannot read %s: %w", path, err)}
		}
		sum.Write(b)
		sum.Write([]byte{0})
		return b, nil
	}
	if caFile != "" {
		b, err := read("ca_file", caFile)
		if err != nil {
			return loaded, err
		}
		loaded.roots = x509.NewCertPool()
		if !loaded.roots.AppendCertsFromPEM(b) {
			return loaded, &TLSFileError{"ca_file", fmt.Errorf("%s holds no PEM certificate", caFile)}
		}
	}
	switch {
	case certFile != "" && keyFile != "":
		certPEM, err := read("cert_file", certFile)
		if err != nil {
			return loaded, err
		}
		keyPEM, err := read("key_file", keyFile)
		if err != nil {
			return loaded, err
		}
		if !bytes.Contains(certPEM, []byte("-----BEGIN")) {
			return loaded, &TLSFileError{"cert_file", fmt.Errorf("%s is not PEM", certFile)}
		}
		if !bytes.Contains(keyPEM, []byte("-----BEGIN")) {
			return loaded, &TLSFileError{"key_file", fmt.Errorf("%s is not PEM", keyFile)}
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return loaded, &TLSFileError{"key_file", fmt.Errorf("%s and %s do not make a client certificate: %w", certFile, keyFile, err)}
		}
		loaded.cert = &cert
	case certFile != "":
		return loaded, &TLSFileError{"cert_file", errors.New("needs key_file, the certificate's private key")}
	case keyFile != "":
		return loaded, &TLSFileError{"key_file", errors.New("needs cert_file, the certificate of the key")}
	}
	copy(loaded.sum[:], sum.Sum(nil))
	return loaded, nil
}

// validateTLSFiles loads a check's certificate files with load,
// reporting a problem at the key that names the file.
func (p *parser) validateTLSFiles(path string, caFile, certFile, keyFile string, load func(dir string) error) {
	if caFile == "" && certFile == "" && keyFile == "" {
		return
	}
	var fe *TLSFileError
	if err := load(filepath.Dir(p.source)); errors.As(err, &fe) {
		p.fail(path+"."+fe.Key, "%s", fe.Err)
	}
}
