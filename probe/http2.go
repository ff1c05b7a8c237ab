package probe

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync/atomic"
	"time"
)

// HTTP/2 is offered to https targets in the TLS handshake (ALPN), as
// browsers do, so that a check sees the protocol its users get. Over
// h2 a request goes through net/http's HTTP/2 client on the connection
// the prober opened and shook hands on itself, so the phases, the TLS
// facts and a proxy's tunnel stay as for HTTP/1.1; only the exchange
// differs. Plain http:// is always HTTP/1.1.

// alpn lists the protocols offered: both, h2 first, unless the check
// keeps to HTTP/1.1 (http_version "1.1").
func alpn(only11 bool) []string {
	if only11 {
		return []string{"http/1.1"}
	}
	return []string{"h2", "http/1.1"}
}

// h2ConnKey carries the connection to speak HTTP/2 on, already past its
// handshake, to the transport's DialTLSContext.
type h2ConnKey struct{}

// h2Transport is the prober's HTTP/2 client, made when the first server
// agrees to h2. It only ever wraps connections it is handed, so it pools
// nothing and may serve concurrent runs.
func (p *httpProber) h2Transport() *http.Transport {
	if t := p.h2.Load(); t != nil {
		return t
	}
	p.h2.CompareAndSwap(nil, &http.Transport{
		// A custom dialer turns HTTP/2 off unless this says otherwise.
		ForceAttemptHTTP2: true,
		// The prober asks for gzip itself and undoes it in readBody.
		DisableCompression:     true,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
		DialTLSContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			if c, ok := ctx.Value(h2ConnKey{}).(*tls.Conn); ok {
				return c, nil
			}
			return nil, errors.New("no connection to speak HTTP/2 on")
		},
	})
	return p.h2.Load()
}

// roundTripH2 sends h's request over tc, on which the server chose h2,
// and returns the response with its body still to read. The request is
// read back from the bytes the hop keeps for HTTP/1.1, so that both
// versions send the same method, headers and body.
func (x *exchange) roundTripH2(p *httpProber, h *hop, tc *tls.Conn) (*http.Response, error) {
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(h.wire)))
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort(h.ep.host, strconv.Itoa(int(h.ep.port)))
	req.RequestURI = ""
	req.URL.Scheme, req.URL.Host = "https", addr

	// The client writes and reads on goroutines of its own, so the time
	// stamps come back through atomics, as offsets from start.
	start := time.Now()
	var wrote, first atomic.Int64
	trace := &httptrace.ClientTrace{
		WroteRequest:         func(httptrace.WroteRequestInfo) { wrote.Store(int64(time.Since(start))) },
		GotFirstResponseByte: func() { first.Store(int64(time.Since(start))) },
	}
	ctx := httptrace.WithClientTrace(context.WithValue(x.ctx, h2ConnKey{}, tc), trace)
	x.stage = stageSend
	cc, err := p.h2Transport().NewClientConn(ctx, "https", addr)
	if err != nil {
		return nil, err
	}
	x.h2 = cc
	x.stage = stageWait
	sent := time.Now()
	resp, err := cc.RoundTrip(req.WithContext(ctx))
	// The writer may report after the answer is in, or not at all: the
	// request was out by then, and handing it over is the nearest time
	// known.
	x.wrote = sent
	w, f := wrote.Load(), first.Load()
	if w > 0 && (f == 0 || w <= f) {
		x.wrote = start.Add(time.Duration(w))
	}
	if f > 0 {
		x.firstByte = start.Add(time.Duration(f))
	}
	if err != nil {
		return nil, err
	}
	if x.firstByte.IsZero() {
		x.firstByte = time.Now()
	}
	return resp, nil
}
