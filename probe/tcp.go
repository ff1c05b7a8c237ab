package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/up-status/up/config"
)

// maxExpectBytes bounds what a TCP probe reads while looking for Expect:
// banners and protocol greetings are short, and a peer that streams
// without ever saying it must not make us buffer without end.
const maxExpectBytes = 64 << 10

// tcpProber probes one TCP check: connect, optionally TLS, optionally
// send and wait for an expected answer.
type tcpProber struct {
	identity
	ep      endpoint
	conn    *connector
	tlsConf *tls.Config // nil without TLS
	send    []byte
	expect  []byte
}

func newTCP(check *config.Check, opts Options) (Prober, error) {
	c := check.TCP
	ep, err := parseEndpoint(c.Address)
	if err != nil {
		return nil, err
	}
	p := &tcpProber{identity: identityOf(check), ep: ep, conn: newConnector(opts.Resolver)}
	if c.TLS {
		name := c.ServerName
		if name == "" {
			name = ep.host
		}
		p.tlsConf = clientTLSConfig(name, c.TLSSkipVerify, opts.RootCAs)
	}
	if c.Send != "" {
		p.send = []byte(c.Send)
	}
	if c.Expect != "" {
		p.expect = []byte(c.Expect)
	}
	return p, nil
}

// Probe connects, shakes hands if the check wants TLS, then sends and
// expects. It succeeds when every step the check asks for worked.
func (p *tcpProber) Probe(ctx context.Context) Result {
	start := time.Now()
	res := p.result(start)
	ctx, cancel, limit := p.budget(ctx, start)
	defer cancel()
	t := &TCPResult{}
	res.TCP = t
	res.Err = p.run(ctx, &res, t, limit)
	res.Success = res.Err == ""
	res.Duration = time.Since(start)
	return res
}

func (p *tcpProber) run(ctx context.Context, res *Result, t *TCPResult, limit time.Duration) string {
	conn, resolve, connect, err := p.conn.connect(ctx, p.ep, nil)
	t.Resolve, t.Connect = resolve, connect
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			return failureText(err, limit, "while resolving "+p.ep.host)
		}
		return failureText(err, limit, "while connecting")
	}
	defer func() { conn.Close() }()

	if p.tlsConf != nil {
		tc, took, facts, err := handshake(ctx, conn, p.tlsConf)
		t.TLS, res.TLS = took, facts
		if err != nil {
			return failureText(err, limit, "during the TLS handshake")
		}
		conn = tc
	}
	if p.send == nil && p.expect == nil {
		return ""
	}

	// Socket deadlines bound the exchange; AfterFunc also ends it when
	// the caller cancels (shutdown) before the deadline.
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	xstart := time.Now()
	defer func() { t.Exchange = time.Since(xstart) }()
	if p.send != nil {
		if _, err := conn.Write(p.send); err != nil {
			return failureText(err, limit, "while sending")
		}
	}
	if p.expect == nil {
		return ""
	}
	return p.await(ctx, conn, limit)
}

// maxEmptyReads ends a read loop on a connection that keeps returning
// nothing without an error, which only a broken peer or stack does.
const maxEmptyReads = 100

// await reads until Expect appears, the peer closes, the deadline passes
// or maxExpectBytes have been read, whichever comes first.
func (p *tcpProber) await(ctx context.Context, conn net.Conn, limit time.Duration) string {
	want := strconv.Quote(string(p.expect))
	buf := make([]byte, 0, 1024)
	empty := 0
	for len(buf) < maxExpectBytes && empty < maxEmptyReads {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		room := buf[len(buf):min(cap(buf), maxExpectBytes)]
		n, err := conn.Read(room)
		// Search only where a new match can be: the new bytes plus the
		// tail of the old ones that a split match may start in.
		from := max(0, len(buf)-len(p.expect)+1)
		buf = buf[:len(buf)+n]
		if bytes.Contains(buf[from:], p.expect) {
			return ""
		}
		switch {
		case err == nil && n == 0:
			empty++
		case errors.Is(err, io.EOF):
			return "connection closed before " + want + " arrived (got " + strconv.Itoa(len(buf)) + " bytes)"
		case err != nil:
			// A cancelled caller also shows up as a socket timeout (see
			// AfterFunc above): ask the context first.
			if errors.Is(ctx.Err(), context.Canceled) {
				return "canceled"
			}
			return failureText(err, limit, "waiting for "+want)
		}
	}
	return "response lacks " + want + " in its first " + strconv.Itoa(len(buf)) + " bytes"
}

// failureText describes err, with the stage when the budget ran out.
func failureText(err error, limit time.Duration, stage string) string {
	if isTimeout(err) {
		return timeoutText(limit, stage)
	}
	return describe(err)
}
