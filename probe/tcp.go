package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
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
	conn    connector
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
	p := &tcpProber{identity: identityOf(check), ep: ep, conn: *newConnector(opts.Resolver)}
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
	p.expiry.judge(&res, start)
	return res
}

func (p *tcpProber) run(ctx context.Context, res *Result, t *TCPResult, limit time.Duration) string {
	conn, resolve, connect, err := p.conn.connect(ctx, p.ep, nil)
	t.Resolve, t.Connect = resolve, connect
	if err != nil {
		return res.connectFailure(ctx, err, limit, p.ep.host)
	}
	defer func() { conn.Close() }()
	if p.tlsConf == nil && p.send == nil && p.expect == nil {
		return ""
	}
	// Socket deadlines bound the handshake and the exchange.
	stop := bind(ctx, conn)
	defer stop()

	if p.tlsConf != nil {
		tc, took, facts, err := handshake(conn, p.tlsConf)
		t.TLS, res.TLS = took, facts
		if err != nil {
			return res.failure(ctx, err, limit, "during the TLS handshake")
		}
		conn = tc
	}
	if p.send == nil && p.expect == nil {
		return ""
	}

	xstart := time.Now()
	defer func() { t.Exchange = time.Since(xstart) }()
	if p.send != nil {
		if _, err := conn.Write(p.send); err != nil {
			return res.failure(ctx, err, limit, "while sending")
		}
	}
	if p.expect == nil {
		return ""
	}
	return p.await(ctx, res, conn, limit)
}

// maxEmptyReads ends a read loop on a connection that keeps returning
// nothing without an error, which only a broken peer or stack does.
const maxEmptyReads = 100

// await reads until Expect appears, the peer closes, the deadline passes
// or maxExpectBytes have been read, whichever comes first.
func (p *tcpProber) await(ctx context.Context, res *Result, conn net.Conn, limit time.Duration) string {
	bp := answerBuffers.Get().(*[]byte)
	buf := (*bp)[:0]
	defer func() {
		*bp = buf[:0]
		answerBuffers.Put(bp)
	}()
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
			return "connection closed before " + p.want() + " arrived (got " + strconv.Itoa(len(buf)) + " bytes)"
		case err != nil:
			return res.failure(ctx, err, limit, "waiting for "+p.want())
		}
	}
	return "response lacks " + p.want() + " in its first " + strconv.Itoa(len(buf)) + " bytes"
}

// want spells Expect for error messages.
func (p *tcpProber) want() string { return strconv.Quote(string(p.expect)) }

// answerBuffers holds the buffers that answers are searched in, shared
// by all TCP checks: most answers are short, and a buffer that grew for
// a long one serves the next run as well.
var answerBuffers = sync.Pool{New: func() any {
	b := make([]byte, 0, 1024)
	return &b
}}
