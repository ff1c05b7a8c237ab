package probe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// exchange is one run of an HTTP check: its requests, each over a fresh
// connection opened by the probing goroutine itself, and the facts of
// the last one. Phases are time stamps taken between the steps, so no
// trace hooks, locks or helper goroutines are involved. Exchanges are
// pooled for the read buffer that every run needs.
type exchange struct {
	ctx   context.Context
	stage stage
	host  string // the host being connected to, for stage texts
	proxy string // host:port of the proxy in between, "" for none

	resolve, connect, tlsTook time.Duration
	tls                       *TLSResult
	wrote, firstByte          time.Time
	redirects                 int

	conn net.Conn         // of the current request; nil when none is open
	stop func() bool      // ends the cancellation hook of conn
	h2   *http.ClientConn // the HTTP/2 client on conn, nil over HTTP/1.1

	head headerLimit
	br   bufio.Reader
}

var exchanges = sync.Pool{New: func() any { return new(exchange) }}

// newExchange starts a run bounded by ctx.
func newExchange(ctx context.Context) *exchange {
	x := exchanges.Get().(*exchange)
	x.ctx = ctx
	return x
}

// release closes what is open and returns x to the pool, holding on to
// nothing of the run.
func (x *exchange) release() {
	x.hangUp()
	x.br.Reset(nil)
	br := x.br
	*x = exchange{br: br}
	exchanges.Put(x)
}

// hangUp closes the current connection, if any.
func (x *exchange) hangUp() {
	if x.stop != nil {
		x.stop()
		x.stop = nil
	}
	if x.h2 != nil {
		x.h2.Close()
		x.h2 = nil
	}
	if x.conn != nil {
		x.conn.Close()
		x.conn = nil
	}
}

// stage is what a run is waiting for, named in timeout errors because
// "timeout" alone leaves on-call guessing whether DNS, the network or the
// application is slow.
type stage uint8

const (
	stageConnect stage = iota
	stageResolve
	stageProxyTLS
	stageTunnel
	stageTLS
	stageSend
	stageWait
	stageHead
	stageBody
)

func (x *exchange) stageText() string {
	switch x.stage {
	case stageResolve:
		if x.proxy != "" {
			return "while resolving the proxy " + x.host
		}
		return "while resolving " + x.host
	case stageConnect:
		if x.proxy != "" {
			return "while connecting to the proxy " + x.proxy
		}
	case stageProxyTLS:
		return "during the TLS handshake with the proxy " + x.proxy
	case stageTunnel:
		return "waiting for the proxy " + x.proxy + " to open a tunnel to " + x.host
	case stageTLS:
		return "during the TLS handshake"
	case stageSend:
		return "while sending the request"
	case stageWait:
		return "waiting for the response"
	case stageHead:
		return "while reading the response headers"
	case stageBody:
		return "while reading the body"
	}
	return "while connecting"
}

// failure describes an error of a request or of the body read.
func (x *exchange) failure(err error, limit time.Duration) string {
	return failureText(x.ctx, x.cause(err), limit, x.stageText())
}

// cause returns the deadline error of the connection when a read ran into
// it, instead of what the parser made of the bytes before it. A deadline
// that ends a read halfway through a line hands the parser that half
// line as if it were whole ("HTTP/1.1 2" is a malformed status code), and
// the context that would tell a timeout apart may not be done yet: its
// timer and the socket deadline fire at the same moment.
func (x *exchange) cause(err error) error {
	if x.head.err != nil && isTimeout(x.head.err) && !isTimeout(err) {
		return x.head.err
	}
	return err
}

// roundTrip sends one request over a new connection and reads the
// response head. The connection stays open for the body until the next
// roundTrip or hangUp. Phases start over: they describe the last
// request of a chain.
func (x *exchange) roundTrip(p *httpProber, h *hop) (*http.Response, error) {
	x.hangUp()
	x.head = headerLimit{}
	x.resolve, x.connect, x.tlsTook, x.tls = 0, 0, 0, nil
	x.wrote, x.firstByte = time.Time{}, time.Time{}
	if err := x.open(p, h); err != nil {
		return nil, err
	}
	if h.https {
		x.stage = stageTLS
		tc, took, facts, err := handshake(x.conn, p.tlsConfig(h.ep.host))
		x.tlsTook, x.tls = took, facts
		if err != nil {
			x.conn = nil // closed by handshake
			return nil, err
		}
		x.conn = tc
		if tc.ConnectionState().NegotiatedProtocol == "h2" {
			return x.roundTripH2(p, h, tc)
		}
	}

	x.stage = stageSend
	if _, err := x.conn.Write(h.wire); err != nil {
		return nil, err
	}
	x.wrote = time.Now()
	x.stage = stageWait
	x.head = headerLimit{r: x.conn, n: maxResponseHeaderBytes}
	x.br.Reset(&x.head)
	if _, err := x.br.Peek(1); err != nil {
		return nil, err
	}
	x.firstByte = time.Now()
	x.stage = stageHead
	var req *http.Request // http.ReadResponse assumes GET
	if h.method == http.MethodHead {
		req = &http.Request{Method: http.MethodHead} // no body follows
	}
	for {
		resp, err := http.ReadResponse(&x.br, req)
		if err != nil {
			if x.head.n <= 0 {
				err = errHeadersTooLong
			}
			return nil, err
		}
		// Informational answers (103 Early Hints...) precede the real
		// one; 101 ends the exchange, as in http.Transport.
		if c := resp.StatusCode; c < 100 || c > 199 || c == http.StatusSwitchingProtocols {
			x.head.n = math.MaxInt64
			return resp, nil
		}
	}
}

// open connects x to h's target, or to its proxy and through it, up to
// where the target's TLS handshake would begin. Through a proxy, the
// resolve and connect phases are the proxy's, connect taking in the
// proxy's own handshake and the tunnel: the proxy resolves the target
// and connects to it, out of sight.
func (x *exchange) open(p *httpProber, h *hop) error {
	ep := h.ep
	x.host, x.proxy = h.ep.host, ""
	if h.via != nil {
		ep, x.host, x.proxy = h.via.ep, h.via.ep.host, h.via.addr
	}
	x.stage = stageConnect
	if !ep.ip.IsValid() {
		x.stage = stageResolve
	}
	conn, resolve, connect, err := p.conn.connect(x.ctx, ep, nil)
	x.resolve, x.connect = resolve, connect
	if err != nil {
		if _, ok := errors.AsType[*net.DNSError](err); !ok {
			x.stage = stageConnect
		}
		return x.viaProxy(err)
	}
	x.stage = stageConnect
	x.stop = bind(x.ctx, conn)
	x.conn = conn
	if h.via == nil {
		return nil
	}
	start := time.Now()
	defer func() { x.connect += time.Since(start) }()
	if h.via.tls != nil {
		x.stage = stageProxyTLS
		tc, _, _, err := handshake(conn, h.via.tls) // the proxy's certificate is not the target's
		if err != nil {
			x.conn = nil // closed by handshake
			return x.viaProxy(err)
		}
		x.conn = tc
	}
	x.host = h.ep.host
	if h.via.tunnel != nil {
		x.stage = stageTunnel
		x.host = net.JoinHostPort(h.ep.host, strconv.Itoa(int(h.ep.port)))
		if err := x.tunnel(h); err != nil {
			return x.viaProxy(err)
		}
		x.host = h.ep.host
	}
	return nil
}

// viaProxy marks err as the proxy's when there is one in between.
func (x *exchange) viaProxy(err error) error {
	if x.proxy == "" {
		return err
	}
	return &proxyError{proxy: x.proxy, err: err}
}

// errHeadersTooLong is http.Transport's error for a response head over
// its MaxResponseHeaderBytes.
var errHeadersTooLong = fmt.Errorf("server response headers exceeded %d bytes; aborted", maxResponseHeaderBytes)

// headerLimit stops reading after n bytes, so that a server sending an
// endless response head cannot make the parser buffer without end. The
// body is read through it too, with the limit lifted. It keeps the first
// error of the connection, which parsers may hide (see exchange.cause).
type headerLimit struct {
	r   io.Reader
	n   int64
	err error
}

func (l *headerLimit) Read(b []byte) (int, error) {
	if l.n <= 0 {
		return 0, errHeadersTooLong
	}
	if int64(len(b)) > l.n {
		b = b[:l.n]
	}
	n, err := l.r.Read(b)
	l.n -= int64(n)
	if err != nil && l.err == nil {
		l.err = err
	}
	return n, err
}
