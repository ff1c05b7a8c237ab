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

// tlsFiles is what an HTTP check's ca_file, cert_file and key_file held
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
	if h.CAFile != "" {
		b, err := read("ca_file", h.CAFile)
		if err != nil {
			return err
		}
		loaded.roots = x509.NewCertPool()
		if !loaded.roots.AppendCertsFromPEM(b) {
			return &TLSFileError{"ca_file", fmt.Errorf("%s holds no PEM certificate", h.CAFile)}
		}
	}
	switch {
	case h.CertFile != "" && h.KeyFile != "":
		certPEM, err := read("cert_file", h.CertFile)
		if err != nil {
			return err
		}
		keyPEM, err := read("key_file", h.KeyFile)
		if err != nil {
			return err
		}
		if !bytes.Contains(certPEM, []byte("-----BEGIN")) {
			return &TLSFileError{"cert_file", fmt.Errorf("%s is not PEM", h.CertFile)}
		}
		if !bytes.Contains(keyPEM, []byte("-----BEGIN")) {
			return &TLSFileError{"key_file", fmt.Errorf("%s is not PEM", h.KeyFile)}
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return &TLSFileError{"key_file", fmt.Errorf("%s and %s do not make a client certificate: %w", h.CertFile, h.KeyFile, err)}
		}
		loaded.cert = &cert
	case h.CertFile != "":
		return &TLSFileError{"cert_file", errors.New("needs key_file, the certificate's private key")}
	case h.KeyFile != "":
		return &TLSFileError{"key_file", errors.New("needs cert_file, the certificate of the key")}
	}
	copy(loaded.sum[:], sum.Sum(nil))
	h.tlsFiles = loaded
	return nil
}

// validateTLSFiles loads an HTTP check's certificate files, reporting a
// problem at the key that names the file.
func (p *parser) validateTLSFiles(path string, h *HTTPCheck) {
	if h.CAFile == "" && h.CertFile == "" && h.KeyFile == "" {
		return
	}
	var fe *TLSFileError
	if err := h.LoadTLSFiles(filepath.Dir(p.source)); errors.As(err, &fe) {
		p.fail(path+"."+fe.Key, "%s", fe.Err)
	}
}
