package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"
)

// errTooManyRedirects stops a redirect chain (see httpProber.do).
var errTooManyRedirects = errors.New("too many redirects")

// maxRedirects matches browsers and curl's default order of magnitude: a
// longer chain is a loop or a misconfiguration worth reporting.
const maxRedirects = 10

// handshakeError marks an error of the TLS handshake itself (not of the
// TCP connection under it), so that it reads "tls: handshake failed: ...".
type handshakeError struct{ err error }

func (e *handshakeError) Error() string { return "tls: handshake failed: " + e.err.Error() }
func (e *handshakeError) Unwrap() error { return e.err }

// timeoutText says that the probe ran out of time and, when known, what
// it was waiting for, because "timeout" alone leaves on-call guessing
// whether DNS, the network or the application is slow.
func timeoutText(limit time.Duration, phase string) string {
	if phase == "" {
		return "timeout after " + limit.String()
	}
	return "timeout after " + limit.String() + " " + phase
}

// isTimeout reports whether err comes from a deadline rather than from
// the peer.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// describe turns an error from the network stack into the short words an
// on-call engineer reads on the status page and in alerts. Timeouts are
// not described here: the prober knows the budget and the phase and uses
// timeoutText. Unknown errors keep their own text without the wrappers
// that repeat the URL and the operation.
func describe(err error) string {
	if err == nil {
		return ""
	}
	if errors.Is(err, errTooManyRedirects) {
		return "too many redirects"
	}
	if pe, ok := errors.AsType[*proxyError](err); ok {
		return "proxy " + pe.proxy + ": " + describe(pe.err)
	}
	if errors.Is(err, context.Canceled) {
		return "canceled"
	}
	if s := describeCertificate(err); s != "" {
		return s
	}
	if _, s := localErrno(err); s != "" {
		if dnsErr, ok := errors.AsType[*net.DNSError](err); ok {
			return "lookup " + dnsErr.Name + ": " + s
		}
		return s
	}
	var he *handshakeError
	if errors.As(err, &he) {
		return "tls: handshake failed: " + handshakeReason(he.err)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsNotFound {
			return "no such host " + dnsErr.Name
		}
		return "lookup " + dnsErr.Name + ": " + dnsErr.Err
	}
	if s := describeErrno(err); s != "" {
		return s
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "connection closed by peer"
	}
	return strings.TrimPrefix(innermost(err).Error(), "net/http: ")
}

// failureText describes err, with the stage when the budget ran out. A
// cancelled caller is asked about first: bind turns cancellation into a
// passed socket deadline, which would otherwise read as a timeout. A
// failure of up itself comes next, since it explains the probe even when
// the budget also ran out.
func failureText(ctx context.Context, err error, limit time.Duration, stage string) string {
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return "canceled"
	case isLocal(err):
		return describe(err)
	case isTimeout(err) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return timeoutText(limit, stage)
	}
	return describe(err)
}

// describeErrno names the socket errors a prober meets in practice.
func describeErrno(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by peer"
	case errors.Is(err, syscall.EPIPE):
		return "connection closed by peer"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	}
	return ""
}

// describeCertificate explains why a certificate was refused. An expired
// certificate is the commonest reason and gets its date; the others keep
// Go's x509 wording, which already names hosts and authorities.
func describeCertificate(err error) string {
	var invalid x509.CertificateInvalidError
	if errors.As(err, &invalid) && invalid.Reason == x509.Expired && invalid.Cert != nil {
		c := invalid.Cert
		if time.Now().Before(c.NotBefore) {
			return "certificate not yet valid (not before " + c.NotBefore.UTC().Format(time.RFC3339) + ")"
		}
		return "certificate expired (not after " + c.NotAfter.UTC().Format(time.RFC3339) + ")"
	}
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		system   x509.SystemRootsError
	)
	switch {
	case errors.As(err, &invalid):
		return invalid.Error()
	case errors.As(err, &unknown):
		return unknown.Error()
	case errors.As(err, &hostname):
		return hostname.Error()
	case errors.As(err, &system):
		return system.Error()
	}
	var verify *tls.CertificateVerificationError
	if errors.As(err, &verify) {
		return verify.Err.Error()
	}
	return ""
}

// handshakeReason is the part after "tls: handshake failed: ".
func handshakeReason(err error) string {
	if s := describeErrno(err); s != "" {
		return s
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "connection closed by peer"
	}
	var rec tls.RecordHeaderError
	if errors.As(err, &rec) {
		return rec.Msg
	}
	// Alerts from the peer read "remote error: tls: ...", which says who
	// refused; keep that, drop only a leading "tls: " we would repeat.
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" {
		return "remote error: " + op.Err.Error()
	}
	return strings.TrimPrefix(innermost(err).Error(), "tls: ")
}

// innermost strips the wrappers whose text only repeats what the Result
// already says (URL, operation, addresses).
func innermost(err error) error {
	for {
		switch e := err.(type) {
		case *url.Error:
			err = e.Err
		case *net.OpError:
			if e.Op == "remote error" {
				return err
			}
			err = e.Err
		case *os.SyscallError:
			return fmt.Errorf("%s: %w", e.Syscall, e.Err)
		default:
			return err
		}
	}
}
