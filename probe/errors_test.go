package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestDescribe(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, "connection refused"},
		{&net.DNSError{Err: "no such host", Name: "example.invalid", IsNotFound: true}, "no such host example.invalid"},
		{&net.DNSError{Err: "server misbehaving", Name: "example.com"}, "lookup example.com: server misbehaving"},
		{&handshakeError{tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}}, "tls: handshake failed: first record does not look like a TLS handshake"},
		{&handshakeError{&net.OpError{Op: "remote error", Err: errors.New("tls: handshake failure")}}, "tls: handshake failed: remote error: tls: handshake failure"},
		{context.Canceled, "canceled"},
		{errTooManyRedirects, "too many redirects"},
		{errors.New("something new"), "something new"},
	}
	for _, tt := range tests {
		if got := describe(tt.err); got != tt.want {
			t.Errorf("describe(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
	if got := timeoutText(2*time.Second, ""); got != "timeout after 2s" {
		t.Errorf("timeoutText = %q", got)
	}
}
