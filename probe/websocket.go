package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/up-status/up/config"
)

// maxWebSocketMessages bounds how many messages a probe reads while
// looking for the expected one; the timeout bounds it too.
const maxWebSocketMessages = 100

// wsProber probes one websocket check: an HTTP/1.1 upgrade on a fresh
// connection, then optionally one message out and one looked for.
//
// The connection is dialled by our connector and shaken hands with by
// our TLS code, as for HTTP checks, so that phases are timed and the
// certificate's expiry is judged the same way; the upgrade itself and
// the framing are github.com/coder/websocket's.
type wsProber struct {
	identity
	url     string
	ep      endpoint
	conn    connector
	tlsConf *tls.Config // nil for ws://
	header  http.Header
	host    string // Host header from the check's headers, "" for the URL's
	send    []byte
	expect  []byte
	re      *regexp.Regexp
}

func newWebSocket(check *config.Check, opts Options) (Prober, error) {
	c := check.WebSocket
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, err
	}
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "ws" && scheme != "wss") || u.Hostname() == "" {
		return nil, fmt.Errorf("url %q: want a ws:// or wss:// URL", c.URL)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"ws": "80", "wss": "443"}[scheme]
	}
	ep, err := parseEndpoint(net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return nil, err
	}
	p := &wsProber{identity: identityOf(check), url: c.URL, ep: ep, conn: *newConnector(opts.Resolver), header: http.Header{}}
	for k, v := range c.Headers {
		if http.CanonicalHeaderKey(k) == "Host" {
			p.host = string(v)
			continue
		}
		p.header.Set(k, string(v))
	}
	if p.header.Get("User-Agent") == "" {
		p.header.Set("User-Agent", "up")
		if opts.Version != "" {
			p.header.Set("User-Agent", "up/"+opts.Version)
		}
	}
	if scheme == "wss" {
		roots := opts.RootCAs
		if r := c.RootCAs(); r != nil {
			roots = r // ca_file replaces the system's authorities
		}
		p.tlsConf = clientTLSConfig(ep.host, c.TLSSkipVerify, roots)
		// The upgrade is an HTTP/1.1 request.
		p.tlsConf.NextProtos = []string{"http/1.1"}
		if cert := c.ClientCertificate(); cert != nil {
			p.tlsConf.Certificates = []tls.Certificate{*cert}
		}
	}
	if c.Send != "" {
		p.send = []byte(c.Send)
	}
	if c.Expect != "" {
		p.expect = []byte(c.Expect)
	}
	if c.ExpectRegex != nil && c.ExpectRegex.Regexp != nil {
		p.re = c.ExpectRegex.Regexp
	}
	return p, nil
}

// wsDial is what the transport's dial saw; it runs on the transport's
// goroutine, hence the lock.
type wsDial struct {
	mu                        sync.Mutex
	resolve, connect, tlsTook time.Duration
	facts                     *TLSResult
	stage                     string // where the dial failed
	err                       error
	// current is the stage a dial is in while it runs, "" otherwise:
	// the transport gives up on a dial at the deadline without waiting
	// for it, and the probe must still say where time ran out.
	current string
}

func (d *wsDial) enter(stage string) {
	d.mu.Lock()
	d.current = stage
	d.mu.Unlock()
}

// Probe upgrades, sends, and waits for the expected message.
func (p *wsProber) Probe(ctx context.Context) Result {
	start := time.Now()
	res := p.result(start)
	ctx, cancel, limit := p.budget(ctx, start)
	defer cancel()
	t := &TCPResult{}
	res.TCP = t
	res.WebSocket = &WebSocketResult{}
	res.Err = p.run(ctx, &res, t, limit)
	res.Success = res.Err == ""
	res.Duration = time.Since(start)
	p.expiry.judge(&res, start)
	return res
}

func (p *wsProber) run(ctx context.Context, res *Result, t *TCPResult, limit time.Duration) string {
	var seen wsDial
	dialed := func(conn net.Conn, resolve, connect, took time.Duration, facts *TLSResult, stage string, err error) (net.Conn, error) {
		seen.mu.Lock()
		defer seen.mu.Unlock()
		seen.resolve, seen.connect, seen.tlsTook, seen.facts, seen.stage, seen.err = resolve, connect, took, facts, stage, err
		seen.current = ""
		return conn, err
	}
	tr := &http.Transport{
		Proxy:             nil, // a probe measures the target, not a proxy
		DisableKeepAlives: true,
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			seen.enter("while connecting")
			conn, resolve, connect, err := p.conn.connect(ctx, p.ep, nil)
			return dialed(conn, resolve, connect, 0, nil, connectStage(err, p.ep.host), err)
		},
		DialTLSContext: func(context.Context, string, string) (net.Conn, error) {
			seen.enter("while connecting")
			conn, resolve, connect, err := p.conn.connect(ctx, p.ep, nil)
			if err != nil {
				return dialed(nil, resolve, connect, 0, nil, connectStage(err, p.ep.host), err)
			}
			seen.enter("during the TLS handshake")
			stop := bind(ctx, conn)
			tc, took, facts, err := handshake(conn, p.tlsConf)
			stop()
			if err != nil {
				return dialed(nil, resolve, connect, took, facts, "during the TLS handshake", err)
			}
			tc.SetDeadline(time.Time{})
			return dialed(tc, resolve, connect, took, facts, "", nil)
		},
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport: tr,
		// A redirect is an answer other than the upgrade: it is judged,
		// not followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c, resp, err := websocket.Dial(ctx, p.url, &websocket.DialOptions{HTTPClient: client, HTTPHeader: p.header, Host: p.host})
	opened := time.Now()
	seen.mu.Lock()
	t.Resolve, t.Connect, t.TLS, res.TLS = seen.resolve, seen.connect, seen.tlsTook, seen.facts
	stage, derr, current := seen.stage, seen.err, seen.current
	seen.mu.Unlock()
	if resp != nil {
		res.WebSocket.StatusCode = resp.StatusCode
	}
	switch {
	case derr != nil:
		return res.failure(ctx, derr, limit, stage)
	case err != nil && current != "":
		return res.failure(ctx, context.DeadlineExceeded, limit, current)
	case err != nil && resp != nil && resp.StatusCode != http.StatusSwitchingProtocols:
		return "status " + strconv.Itoa(resp.StatusCode) + ", want 101 (a WebSocket upgrade)"
	case err != nil && (isTimeout(err) || ctx.Err() != nil):
		return res.failure(ctx, err, limit, "waiting for the upgrade")
	case err != nil:
		return handshakeFailure(err)
	}
	// No closing handshake: waiting for the server's close frame would
	// only add its latency to the probe's.
	defer c.CloseNow()
	if p.send == nil && p.expect == nil && p.re == nil {
		return ""
	}
	defer func() { t.Exchange = time.Since(opened) }()
	if p.send != nil {
		if err := c.Write(ctx, websocket.MessageText, p.send); err != nil {
			return res.failure(ctx, err, limit, "while sending")
		}
	}
	if p.expect == nil && p.re == nil {
		return ""
	}
	return p.await(ctx, c, res, limit)
}

// await reads messages until one passes expect or expect_regex.
func (p *wsProber) await(ctx context.Context, c *websocket.Conn, res *Result, limit time.Duration) string {
	want := "a message that contains " + strconv.Quote(string(p.expect))
	if p.re != nil {
		want = "a message that matches /" + p.re.String() + "/"
	}
	c.SetReadLimit(maxExpectBytes)
	var last []byte
	lastText := func() string {
		if last == nil {
			return ""
		}
		return "; last message " + quoteShort(string(last))
	}
	for range maxWebSocketMessages {
		_, msg, err := c.Read(ctx)
		if err != nil {
			var closeErr websocket.CloseError
			switch {
			case errors.As(err, &closeErr):
				why := strconv.Itoa(int(closeErr.Code))
				if closeErr.Reason != "" {
					why += " " + quoteShort(closeErr.Reason)
				}
				return "the server closed the socket (" + why + ") before " + want + lastText()
			case isTimeout(err) || ctx.Err() != nil:
				return res.failure(ctx, err, limit, "waiting for "+want) + lastText()
			}
			return "reading a message: " + shorten(describe(err)) + lastText()
		}
		res.WebSocket.Messages++
		if (p.expect != nil && bytes.Contains(msg, p.expect)) || (p.re != nil && p.re.Match(msg)) {
			return ""
		}
		last = msg
	}
	return fmt.Sprintf("none of the first %d messages is %s%s", maxWebSocketMessages, want, lastText())
}

// handshakeFailure describes a failed upgrade. The library wraps the
// transport's error in its own words ("failed to WebSocket dial: failed
// to send handshake request: Get ..."), and the transport may wrap a TLS
// alert in its own ("readLoopPeekFailLocked: ..."): either would push the
// reason (a refused client certificate, say) out of the shortened text.
func handshakeFailure(err error) string {
	if oe, ok := errors.AsType[*net.OpError](err); ok && oe.Op == "remote error" {
		err = oe
	} else if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue
	}
	return "websocket handshake: " + shorten(describe(err))
}

// connectStage names where a failed connect stopped.
func connectStage(err error, host string) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "while resolving " + host
	}
	if err != nil {
		return "while connecting"
	}
	return ""
}
