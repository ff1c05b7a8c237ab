// Package probe runs one check against its target and reports what it saw.
// Each protocol lives in its own file and implements Prober; the Scheduler
// runs checks at their intervals and hands every Result on.
package probe

import (
	"context"
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

// Compile-time use of config keeps the import honest until New lands.
var _ = (*config.Check)(nil)

// Result is what one probe observed.
type Result struct {
	CheckID   string // "<component>.<check>"
	Component string
	Check     string // check name
	Type      string // http | tcp | icmp
	Target    string

	Start    time.Time
	Duration time.Duration // whole probe, wall clock
	Success  bool
	// Err describes why the probe failed ("" on success), e.g.
	// "status 503, want 200-299" or "timeout after 2s".
	Err string

	HTTP *HTTPResult
	TLS  *TLSResult
	ICMP *ICMPResult
}

// HTTPResult holds HTTP facts of a probe.
type HTTPResult struct {
	StatusCode int
	// Phases of the last request (after redirects): resolve, connect, tls,
	// processing (request written to first byte), transfer (body read).
	Resolve, Connect, TLS, Processing, Transfer time.Duration
	Redirects                                   int
	BodyBytes                                   int64
}

// TLSResult holds facts of a TLS handshake.
type TLSResult struct {
	Version string // "TLS 1.3"
	// EarliestCertExpiry is the NotAfter of the certificate in the
	// presented chain that expires first.
	EarliestCertExpiry time.Time
}

// ICMPResult holds facts of a ping.
type ICMPResult struct {
	Sent, Received int
	LossRatio      float64
	// Resolve and Setup are the times to resolve the host and open the
	// socket; RTT is the average round trip of the replies.
	Resolve, Setup, RTT time.Duration
}
