package probe

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"time"
)

// localErrno returns the errno behind err and what it means for up when
// err is a failure of up's own resources rather than of the target; 0 and
// "" otherwise. These errnos come from the kernel of the machine up runs
// on and never from a peer:
//   - EMFILE and ENFILE: no file descriptor for a socket (process limit,
//     system limit);
//   - ENOBUFS and ENOMEM: no kernel memory for a socket or a packet;
//   - EADDRNOTAVAIL: connect found no source address or no free
//     ephemeral port (a peer cannot cause it: an unreachable or
//     refusing target gives EHOSTUNREACH, ENETUNREACH, ECONNREFUSED or a
//     timeout, which stay the target's).
//
// The resolver of package net keeps only the text of a socket error in a
// DNSError, so there the errno is recognised by its text.
func localErrno(err error) (syscall.Errno, string) {
	if err == nil {
		return 0, ""
	}
	var dnsErr *net.DNSError
	asDNS := errors.As(err, &dnsErr)
	for _, e := range [...]syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.EADDRNOTAVAIL} {
		if errors.Is(err, e) || asDNS && (dnsErr.Err == e.Error() || strings.HasSuffix(dnsErr.Err, ": "+e.Error())) {
			return e, localText(e)
		}
	}
	return 0, ""
}

// localText says what up ran out of, with the kernel's words in
// parentheses for searching, so that nobody goes looking at the target.
func localText(e syscall.Errno) string {
	var what string
	switch e {
	case syscall.EMFILE:
		what = "up itself is out of file descriptors"
	case syscall.ENFILE:
		what = "up's host is out of file descriptors"
	case syscall.ENOBUFS:
		what = "up's host is out of socket buffer memory"
	case syscall.ENOMEM:
		what = "up's host is out of memory"
	case syscall.EADDRNOTAVAIL:
		what = "up's host has no local address or port free to connect from"
	}
	return what + " (" + e.Error() + ")"
}

// isLocal reports whether err is a failure of up itself (see localErrno).
func isLocal(err error) bool {
	e, _ := localErrno(err)
	return e != 0
}

// noteLocal marks r as Local when err is a failure of up itself.
func (r *Result) noteLocal(err error) {
	if e, _ := localErrno(err); e != 0 {
		r.Local, r.LocalCause = true, e
	}
}

// failure describes err as failureText does and marks r Local when err
// is up's own failure.
func (r *Result) failure(ctx context.Context, err error, limit time.Duration, stage string) string {
	r.noteLocal(err)
	return failureText(ctx, err, limit, stage)
}
