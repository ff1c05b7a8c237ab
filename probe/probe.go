// Package probe runs one check against its target and reports what it saw.
// Each protocol lives in its own file and implements Prober; New picks the
// prober by check type, and the scheduler (package schedule) runs checks at
// their intervals and hands every Result on.
//
// What counts as success:
//   - http: the last response's status is in expect_status (200-299 by
//     default; with follow_redirects false a 3xx is that last response),
//     and body_contains and body_regex match within the first
//     max_body_bytes, and every expect_headers and expect_json assertion
//     holds (assert.go). Reading stops at
//     that cap without failing; only a match that needs more fails, and its
//     error says the body was cut.
//   - tcp: the connection (and the TLS handshake with tls) succeeds, Send
//     is written and Expect appears within the first 64 KiB of the answer.
//   - icmp: at least one echo reply arrives. Loss is reported in
//     ICMPResult.LossRatio, as a metric to alert on, not as a failure.
//   - dns: the server answers with the wanted rcode and the answer
//     records of the asked type pass every assertion of the check.
//   - tls: the TLS handshake succeeds (chain and name verified unless
//     tls_skip_verify) at min_version or newer.
//   - grpc: the standard health service (grpc.health.v1.Health/Check)
//     answers SERVING for the check's service.
//   - websocket: the upgrade is answered with 101, Send is written, and
//     a message that contains Expect (or matches ExpectRegex) arrives.
//
// Every check that shakes hands over TLS also judges the certificates:
// the earliest to expire within tls_expiry_critical fails the probe, and
// within tls_expiry_warn makes it a degraded success (Result.Degraded).
//
// Every probe is bounded by the check's timeout and opens fresh
// connections, so that the phase timings are real measurements.
package probe

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/up-status/up/config"
)

// Prober probes the target of the check it was made for (see New). It must
// return by the context's deadline, never panic on bad input from the
// network, and describe a failure in Result.Err in words an on-call
// engineer understands. A Prober is built once per check and reused for
// every run, so that per-probe work stays small; Probe may be called
// concurrently for different runs.
type Prober interface {
	Probe(ctx context.Context) Result
}

// Options holds what a Prober takes from its surroundings rather than from
// the check, so that tests and embedders can swap it.
type Options struct {
	// Resolver resolves target names; nil means net.DefaultResolver. Tests
	// point it at a DNS server on loopback so that nothing leaves the host.
	Resolver *net.Resolver
	// RootCAs verifies server certificates; nil means the system pool.
	RootCAs *x509.CertPool
	// ResolvConf is the resolver configuration a dns check without a
	// server takes its server from; empty means /etc/resolv.conf.
	ResolvConf string
	// Version goes into the User-Agent "up/<Version>"; empty sends "up".
	Version string
}

// constructors maps a check type to the function that builds its Prober.
// A new protocol is one new file plus one line here.
var constructors = map[string]func(*config.Check, Options) (Prober, error){
	"http": newHTTP,
	"tcp":  newTCP,
	"icmp": newICMP,
	"dns":  newDNS,
	"tls":  newTLS,
	"grpc": newGRPC,

	"websocket": newWebSocket,
}

// New returns the Prober for check, chosen by its type. It does once
// what can be done once (parsing, TLS and transport setup), so that
// every run only does the network work. The Prober keeps check's values
// as they are now: after a reload, build a new one.
func New(check *config.Check, opts Options) (Prober, error) {
	if check == nil {
		return nil, errors.New("probe: nil check")
	}
	typ := check.Type()
	build, ok := constructors[typ]
	if !ok {
		return nil, fmt.Errorf("probe %s: no probe type set (want http, tcp, icmp, dns, tls, grpc or websocket)", check.ID)
	}
	p, err := build(check, opts)
	if err != nil {
		return nil, fmt.Errorf("probe %s: %s: %w", check.ID, typ, err)
	}
	return p, nil
}

// identity is the part of a Result that is the same on every run of a
// check; probers copy it into each Result.
type identity struct {
	id, component, name, typ, target string
	timeout                          time.Duration
	expiry                           expiryRule
}

func identityOf(c *config.Check) identity {
	t := c.Timeout
	if t <= 0 {
		// Only a check built in code has none: config.Load always sets one.
		t = config.DefaultTimeout
	}
	return identity{id: c.ID, component: c.Component, name: c.Name, typ: c.Type(), target: c.Target(), timeout: t,
		expiry: expiryRule{warn: c.TLSExpiryWarn, critical: c.TLSExpiryCritical}}
}

func (i *identity) result(start time.Time) Result {
	return Result{CheckID: i.id, Component: i.component, Check: i.name, Type: i.typ, Target: i.target, Start: start}
}

// budget bounds one run by the check's timeout (or the caller's earlier
// deadline) and says how long that is, for "timeout after 2s".
func (i *identity) budget(ctx context.Context, start time.Time) (context.Context, context.CancelFunc, time.Duration) {
	deadline := start.Add(i.timeout)
	limit := i.timeout
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
		limit = max(0, d.Sub(start).Round(time.Millisecond))
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	return ctx, cancel, limit
}

// resolverOr returns r, or the default resolver when r is nil.
func resolverOr(r *net.Resolver) *net.Resolver {
	if r == nil {
		return net.DefaultResolver
	}
	return r
}

// Result is what one probe observed.
type Result struct {
	CheckID   string // "<component>.<check>"
	Component string
	Check     string // check name
	Type      string // http | tcp | icmp | dns | tls | grpc | websocket
	Target    string

	// Region is where the probe ran from, in a cluster with several
	// regions (set by the daemon, "" on a single instance): the engine
	// runs each region's thresholds apart and combines them by the
	// check's quorum.
	Region string `json:",omitempty"`

	Start time.Time
	// Duration is how long the target took: the whole probe, wall
	// clock, for HTTP and TCP and for a ping without replies; the average
	// round trip of the replies for a ping that got any, since the pauses
	// between its echo requests say nothing about the host.
	Duration time.Duration
	Success  bool
	// Degraded, on a success, says why the target is worse than it
	// should be although it answered ("certificate for acme.example
	// expires in 10 days, ..."): such a result counts as SLOW, whatever
	// its latency.
	Degraded string
	// Err describes why the probe failed ("" on success), e.g.
	// "status 503, want 200-299" or "timeout after 2s".
	Err string
	// Local is true when the probe could not be made because of up
	// itself: it ran out of file descriptors, socket buffers, memory or
	// local ports, or may not send ICMP. Such a failure says nothing
	// about the target, so it should not count against it; Err says what
	// up lacks.
	Local bool
	// LocalCause is the error behind a Local result, for errors.Is: the
	// syscall.Errno (syscall.EMFILE, ENFILE, ENOBUFS, ENOMEM,
	// EADDRNOTAVAIL) or ErrICMPNotPermitted. It is nil when Local is
	// false, and not part of the JSON form.
	LocalCause error `json:"-"`

	HTTP *HTTPResult
	TCP  *TCPResult
	TLS  *TLSResult
	ICMP *ICMPResult
	DNS  *DNSResult
	GRPC *GRPCResult

	WebSocket *WebSocketResult
}

// WebSocketResult holds WebSocket facts of a probe; the connection's
// phases are in Result.TCP (Exchange from the upgrade to the expected
// message), its TLS facts in Result.TLS.
type WebSocketResult struct {
	StatusCode int // of the upgrade response, 101 when it succeeded
	Messages   int // messages read while looking for the expected one
}

// GRPCResult holds gRPC facts of a probe; the connection's phases are in
// Result.TCP, its TLS facts in Result.TLS.
type GRPCResult struct {
	// Status is the health status answered: SERVING, NOT_SERVING,
	// UNKNOWN, or SERVICE_UNKNOWN for a service the server does not
	// know; "" when no answer came.
	Status string
}

// HTTPResult holds HTTP facts of a probe.
type HTTPResult struct {
	StatusCode int
	// Proto is the HTTP version of the last response, "HTTP/1.1" or
	// "HTTP/2.0" as in net/http; "" when none came.
	Proto string
	// Phases of the last request (after redirects): resolve, connect, tls,
	// processing (request written to first byte), transfer (body read).
	Resolve, Connect, TLS, Processing, Transfer time.Duration
	Redirects                                   int
	BodyBytes                                   int64
	// Passed names the expect_headers and expect_json assertions that
	// held, in the order they were tried (headers first). Shared
	// between probes: never modify it.
	Passed []string
}

// TCPResult holds TCP facts of a probe.
type TCPResult struct {
	// Resolve, Connect and TLS are the phases of opening the connection;
	// Exchange runs from writing Send until Expect was found (0 when the
	// check sends and expects nothing).
	Resolve, Connect, TLS, Exchange time.Duration
}

// TLSResult holds facts of a TLS handshake.
type TLSResult struct {
	Version string // "TLS 1.3"
	// EarliestCertExpiry is the NotAfter of the certificate in the
	// presented chain that expires first, EarliestCertName that
	// certificate's first DNS name (else its common name).
	EarliestCertExpiry time.Time
	EarliestCertName   string
	// LastChainExpiry is when the verified chain that lasts longest
	// stops being valid (the earliest NotAfter in it); with
	// tls_skip_verify, when the presented chain does. Zero when the
	// handshake failed.
	LastChainExpiry time.Time
	// Leaf is the certificate the server presented first, the one every
	// chain starts from, for what identifies the chain
	// (probe_ssl_last_chain_info); nil when the handshake failed.
	Leaf *x509.Certificate
}

// ICMPResult holds facts of a ping.
type ICMPResult struct {
	Sent, Received int
	LossRatio      float64
	// Resolve and Setup are the times to resolve the host and open the
	// socket; RTT is the average round trip of the replies.
	Resolve, Setup, RTT time.Duration
}
