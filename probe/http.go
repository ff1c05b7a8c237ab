package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/up-status/up/config"
)

// DefaultMaxBodyBytes caps the body an HTTP probe reads when the check
// sets no cap. config.Load applies the same default. Reading stops at the
// cap without failing the probe; see the package doc for matches.
const DefaultMaxBodyBytes = 1 << 20

// maxResponseHeaderBytes bounds a server that sends headers forever; real
// responses stay far below it.
const maxResponseHeaderBytes = 256 << 10

// httpProber probes one HTTP check. Everything that does not change
// between runs (request template, transport, TLS setup, matchers) is
// built once in newHTTP; a run allocates only its own request and trace.
type httpProber struct {
	identity
	tmpl    *http.Request // method, URL, headers, Host; copied per run
	body    string
	getBody func() (io.ReadCloser, error)
	client  http.Client
	conn    *connector

	hostport string   // the URL's host:port as http.Transport spells it
	ep       endpoint // hostport, parsed once
	tlsConf  *tls.Config
	opts     Options
	skipTLS  bool

	expect     []config.StatusRange
	expectText string // "200-299, 304"
	contains   []byte
	re         *regexp.Regexp
	maxBody    int64
	follow     bool

	// bufs keeps body buffers of this check between runs: a check that
	// matches its body reads the same size each time.
	bufs sync.Pool
}

func newHTTP(check *config.Check, opts Options) (Prober, error) {
	c := check.HTTP
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("url %q: scheme must be http or https", c.URL)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("url %q: missing host", c.URL)
	}
	method := c.Method
	if method == "" {
		method = http.MethodGet
	}
	tmpl, err := http.NewRequest(method, c.URL, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range c.Headers {
		if http.CanonicalHeaderKey(k) == "Host" {
			tmpl.Host = string(v)
			continue
		}
		tmpl.Header.Set(k, string(v))
	}
	if tmpl.Header.Get("User-Agent") == "" {
		ua := "up"
		if opts.Version != "" {
			ua = "up/" + opts.Version
		}
		tmpl.Header.Set("User-Agent", ua)
	}

	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	hostport := net.JoinHostPort(u.Hostname(), port)
	ep, err := parseEndpoint(hostport)
	if err != nil {
		return nil, err
	}

	p := &httpProber{
		identity: identityOf(check),
		tmpl:     tmpl,
		body:     c.Body,
		conn:     newConnector(opts.Resolver),
		hostport: hostport,
		ep:       ep,
		opts:     opts,
		skipTLS:  c.TLSSkipVerify,
		tlsConf:  clientTLSConfig(ep.host, c.TLSSkipVerify, opts.RootCAs),
		expect:   append([]config.StatusRange(nil), c.ExpectStatus...),
		maxBody:  c.MaxBodyBytes,
		follow:   c.FollowRedirects == nil || *c.FollowRedirects,
	}
	if p.body != "" {
		p.getBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(p.body)), nil }
	}
	if len(p.expect) == 0 {
		p.expect = []config.StatusRange{{Low: 200, High: 299}}
	}
	p.expectText = statusRangesText(p.expect)
	if c.BodyContains != "" {
		p.contains = []byte(c.BodyContains)
	}
	if c.BodyRegex != nil && c.BodyRegex.Regexp != nil {
		p.re = c.BodyRegex.Regexp
	}
	if p.maxBody <= 0 {
		p.maxBody = DefaultMaxBodyBytes
	}
	p.client = http.Client{
		Transport: &http.Transport{
			// No Proxy: a monitor measures the target, not whatever proxy
			// the daemon's environment happens to name.
			DialContext:    p.dial,
			DialTLSContext: p.dialTLS,
			// A fresh connection per probe makes resolve, connect and TLS
			// real measurements instead of zeros from a pooled connection.
			DisableKeepAlives:      true,
			MaxResponseHeaderBytes: maxResponseHeaderBytes,
		},
		CheckRedirect: p.checkRedirect,
	}
	return p, nil
}

// statusRangesText spells ranges as a config file does ("200-299, 304").
func statusRangesText(rs []config.StatusRange) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(r.Low))
		if r.High != r.Low {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(r.High))
		}
	}
	return b.String()
}

// httpRun is the state of one run, reached from trace hooks and dial
// functions through the request context. Those run on the transport's
// goroutines, and a dial may still finish after the run has given up, so
// every field is guarded by mu.
type httpRun struct {
	// ctx is the run's own context (the check's budget), without the
	// trace: dials use it so that they end when Probe returns.
	ctx context.Context

	mu        sync.Mutex
	stage     string // what the run is waiting for, for timeout errors
	resolve   time.Duration
	connect   time.Duration
	tlsTook   time.Duration
	tls       *TLSResult
	wrote     time.Time
	firstByte time.Time
	redirects int

	trace httptrace.ClientTrace
}

// runKey finds the httpRun in a request context. The transport keeps
// context values when it detaches a dial from the request, so dials see
// it too.
type runKey struct{}

func runOf(ctx context.Context) *httpRun {
	r, _ := ctx.Value(runKey{}).(*httpRun)
	return r
}

func (r *httpRun) setStage(s string) {
	r.mu.Lock()
	r.stage = s
	r.mu.Unlock()
}

// getConn starts a request of the chain: phases describe the last
// request, so a redirect starts them over.
func (r *httpRun) getConn(string) {
	r.mu.Lock()
	r.stage, r.resolve, r.connect, r.tlsTook, r.tls = "while connecting", 0, 0, 0, nil
	r.wrote, r.firstByte = time.Time{}, time.Time{}
	r.mu.Unlock()
}

func (r *httpRun) gotConn(httptrace.GotConnInfo) { r.setStage("while sending the request") }

func (r *httpRun) wroteRequest(httptrace.WroteRequestInfo) {
	r.mu.Lock()
	r.wrote = time.Now()
	r.stage = "waiting for the response"
	r.mu.Unlock()
}

func (r *httpRun) gotFirstResponseByte() {
	r.mu.Lock()
	r.firstByte = time.Now()
	r.stage = "while reading the response"
	r.mu.Unlock()
}

func (r *httpRun) resolved(d time.Duration) {
	r.mu.Lock()
	r.resolve = d
	r.stage = "while connecting"
	r.mu.Unlock()
}

// dial opens the TCP connection of one request. The transport is private
// to the prober and only ever sees requests made by Probe, so the run is
// always in ctx.
func (p *httpProber) dial(ctx context.Context, _, addr string) (net.Conn, error) {
	conn, _, err := p.open(runOf(ctx), addr)
	return conn, err
}

// open connects to addr within the run's own context rather than the one
// http.Transport passes: the transport detaches dials from the request
// so that a pooled connection may outlive it, which a probe never wants.
// Bound to the run, no dial outlives its Probe call.
func (p *httpProber) open(run *httpRun, addr string) (net.Conn, endpoint, error) {
	ep := p.ep
	if addr != p.hostport {
		var err error
		if ep, err = parseEndpoint(addr); err != nil {
			return nil, ep, err
		}
	}
	if !ep.ip.IsValid() {
		run.setStage("while resolving " + ep.host)
	}
	conn, resolve, connect, err := p.conn.connect(run.ctx, ep, run.resolved)
	run.mu.Lock()
	run.resolve, run.connect = resolve, connect
	run.mu.Unlock()
	return conn, ep, err
}

// dialTLS opens the connection and runs the handshake itself, rather than
// leaving it to http.Transport, so that the handshake is bound to the run
// too and its certificate facts survive a failed verification.
func (p *httpProber) dialTLS(ctx context.Context, _, addr string) (net.Conn, error) {
	run := runOf(ctx)
	conn, ep, err := p.open(run, addr)
	if err != nil {
		return nil, err
	}
	cfg := p.tlsConf
	if ep.host != p.ep.host {
		cfg = clientTLSConfig(ep.host, p.skipTLS, p.opts.RootCAs)
	}
	run.setStage("during the TLS handshake")
	tc, took, facts, err := handshake(run.ctx, conn, cfg)
	run.mu.Lock()
	run.tlsTook, run.tls = took, facts
	run.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return tc, nil
}

func (p *httpProber) checkRedirect(req *http.Request, via []*http.Request) error {
	if !p.follow {
		return http.ErrUseLastResponse
	}
	if len(via) >= maxRedirects {
		return errTooManyRedirects
	}
	if run := runOf(req.Context()); run != nil {
		run.mu.Lock()
		run.redirects = len(via)
		run.mu.Unlock()
	}
	return nil
}

// Probe sends the request, follows redirects if the check says so, reads
// the body up to the cap and judges status and body.
func (p *httpProber) Probe(ctx context.Context) Result {
	start := time.Now()
	res := p.result(start)
	ctx, cancel, limit := p.budget(ctx, start)
	defer cancel()

	run := &httpRun{ctx: ctx, stage: "while connecting"}
	run.trace = httptrace.ClientTrace{
		GetConn:              run.getConn,
		GotConn:              run.gotConn,
		WroteRequest:         run.wroteRequest,
		GotFirstResponseByte: run.gotFirstResponseByte,
	}
	ctx = httptrace.WithClientTrace(context.WithValue(ctx, runKey{}, run), &run.trace)
	req := p.tmpl.WithContext(ctx)
	if p.body != "" {
		req.Body, _ = p.getBody()
		req.GetBody = p.getBody
		req.ContentLength = int64(len(p.body))
	}

	h := &HTTPResult{}
	res.HTTP = h
	resp, err := p.client.Do(req)
	if err != nil {
		p.finish(&res, run, time.Time{})
		res.Err = p.failure(ctx, err, run, limit)
		return res
	}
	h.StatusCode = resp.StatusCode
	run.setStage("while reading the body")
	n, truncated, body, readErr := p.readBody(resp)
	end := time.Now()
	resp.Body.Close()
	h.BodyBytes = n
	p.finish(&res, run, end)

	switch {
	case !statusOK(p.expect, resp.StatusCode):
		res.Err = "status " + strconv.Itoa(resp.StatusCode) + ", want " + p.expectText
	case readErr != nil:
		res.Err = p.failure(ctx, readErr, run, limit)
		if !strings.HasPrefix(res.Err, "timeout") {
			res.Err = "reading the body: " + res.Err
		}
	default:
		res.Err = p.match(body, truncated)
	}
	if body != nil {
		p.bufs.Put(body)
	}
	res.Success = res.Err == ""
	res.Duration = time.Since(start)
	return res
}

// finish copies the phases of the last request into res.
func (p *httpProber) finish(res *Result, run *httpRun, end time.Time) {
	h := res.HTTP
	run.mu.Lock()
	h.Resolve, h.Connect, h.TLS = run.resolve, run.connect, run.tlsTook
	if !run.wrote.IsZero() && !run.firstByte.IsZero() {
		h.Processing = run.firstByte.Sub(run.wrote)
	}
	if !run.firstByte.IsZero() && !end.IsZero() {
		h.Transfer = end.Sub(run.firstByte)
	}
	h.Redirects = run.redirects
	res.TLS = run.tls
	run.mu.Unlock()
	res.Duration = time.Since(res.Start)
}

// failure describes an error of the request or of the body read.
func (p *httpProber) failure(ctx context.Context, err error, run *httpRun, limit time.Duration) string {
	if isTimeout(err) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		run.mu.Lock()
		stage := run.stage
		run.mu.Unlock()
		return timeoutText(limit, stage)
	}
	return describe(err)
}

// readBody reads at most maxBody bytes. It reads one byte more to learn
// whether the body was cut, so that a failed match can say it only saw
// the beginning. The body is kept only when a matcher needs it;
// otherwise it is counted and dropped.
func (p *httpProber) readBody(resp *http.Response) (n int64, truncated bool, body *bytes.Buffer, err error) {
	lr := &io.LimitedReader{R: resp.Body, N: p.maxBody + 1}
	if p.contains == nil && p.re == nil {
		n, err = io.Copy(io.Discard, lr)
	} else {
		body, _ = p.bufs.Get().(*bytes.Buffer)
		if body == nil {
			body = new(bytes.Buffer)
		}
		body.Reset()
		n, err = body.ReadFrom(lr)
	}
	if n > p.maxBody {
		n, truncated = p.maxBody, true
		if body != nil {
			body.Truncate(int(p.maxBody))
		}
	}
	return n, truncated, body, err
}

// match applies body_contains and body_regex to what was read. The body
// is matched as far as the cap let us read it: a page whose marker sits
// beyond max_body_bytes fails, and the error says so, because raising
// the cap is then the fix.
func (p *httpProber) match(body *bytes.Buffer, truncated bool) string {
	if body == nil {
		return ""
	}
	var why string
	switch {
	case p.contains != nil && !bytes.Contains(body.Bytes(), p.contains):
		why = "body lacks " + strconv.Quote(string(p.contains))
	case p.re != nil && !p.re.Match(body.Bytes()):
		why = "body does not match /" + p.re.String() + "/"
	default:
		return ""
	}
	if truncated {
		why += " in its first " + strconv.FormatInt(p.maxBody, 10) + " bytes (max_body_bytes)"
	}
	return why
}

func statusOK(expect []config.StatusRange, code int) bool {
	for _, r := range expect {
		if code >= r.Low && code <= r.High {
			return true
		}
	}
	return false
}
