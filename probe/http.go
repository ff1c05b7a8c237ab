package probe

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/up-status/up/config"
)

// maxResponseHeaderBytes bounds a server that sends headers forever; real
// responses stay far below it.
const maxResponseHeaderBytes = 256 << 10

// httpProber probes one HTTP check. Everything that does not change
// between runs (the first request as it goes on the wire, its endpoint,
// the matchers) is built once in newHTTP, so that a run only does the
// network work and allocates little beyond its Result and the response
// headers.
//
// It speaks HTTP/1.1 itself, one fresh connection per request (see
// exchange), instead of going through http.Client and http.Transport:
// a transport starts goroutines and passes channels for every request
// to serve connection reuse, which a probe never uses, and that
// bookkeeping was a third of a probe's CPU time. The wire format still
// comes from net/http ((*http.Request).Write, http.ReadResponse), and
// redirects follow http.Client's rules (http_redirect.go). Only when an
// https server picks HTTP/2 does net/http's client take over, on the
// connection the prober opened (http2.go); proxies are in proxy.go.
type httpProber struct {
	identity
	conn connector

	first   hop         // the check's own request, ready for the wire
	url     string      // the check's URL, base of the first redirect
	header  http.Header // configured headers but Host; nil when none
	ua      string      // User-Agent sent when the check sets none
	body    string
	invalid string // why every run fails before dialling (bad header)

	// proxy is proxy_url's, proxyEnv picks one per request URL with
	// proxy_from_environment; both nil to connect directly.
	proxy    *proxy
	proxyEnv func(*url.URL) (*url.URL, error)

	skipTLS bool
	// only11 and want2 are http_version's "1.1" and "2".
	only11, want2 bool
	roots         *x509.CertPool
	cert          *tls.Certificate               // client certificate, nil when none
	h2            atomic.Pointer[http.Transport] // see h2Transport
	// tlsConf serves the check's own host. It is made on the first
	// handshake: most checks never need one, and it is the biggest
	// thing a prober would otherwise hold.
	tlsConf atomic.Pointer[tls.Config]

	expect   []config.StatusRange
	contains []byte
	re       *regexp.Regexp
	maxBody  int64
	follow   bool
	assert   *assertions // nil without expect_json and expect_headers
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
		method = config.DefaultMethod // a check built in code; a loaded one has its method
	}
	if !validMethod(method) {
		return nil, fmt.Errorf("net/http: invalid method %q", method)
	}
	// As http.NewRequest does: "host:" means the scheme's port.
	u.Host = strings.TrimSuffix(u.Host, ":")
	if _, err := endpointOf(u); err != nil {
		return nil, err
	}

	p := &httpProber{
		identity: identityOf(check),
		conn:     *newConnector(opts.Resolver),
		url:      c.URL,
		body:     c.Body,
		skipTLS:  c.TLSSkipVerify,
		roots:    opts.RootCAs,
		cert:     c.ClientCertificate(),
		maxBody:  c.MaxBodyBytes,
		follow:   c.FollowRedirects == nil || *c.FollowRedirects,
		only11:   c.HTTPVersion == "1.1",
		want2:    c.HTTPVersion == "2",
	}
	switch c.HTTPVersion {
	case "", "1.1", "2":
	default:
		return nil, fmt.Errorf("http_version %q: want 1.1 or 2", c.HTTPVersion)
	}
	if p.conn.family, err = parseIPFamily(c.IPVersion); err != nil {
		return nil, err
	}
	if roots := c.RootCAs(); roots != nil {
		p.roots = roots // ca_file replaces the system's authorities
	}
	if err := p.setProxy(c); err != nil {
		return nil, err
	}
	host := u.Host
	for k, v := range c.Headers {
		if http.CanonicalHeaderKey(k) == "Host" {
			host = string(v)
			continue
		}
		if p.header == nil {
			p.header = make(http.Header, len(c.Headers))
		}
		p.header.Set(k, string(v))
	}
	if auth := authorization(c); auth != "" {
		if p.header == nil {
			p.header = make(http.Header, 1)
		}
		p.header.Set("Authorization", auth)
	}
	if p.header.Get("User-Agent") == "" {
		p.ua = "up"
		if opts.Version != "" {
			p.ua = "up/" + opts.Version
		}
	}
	header := p.initialHeader()
	p.invalid = invalidHeader(header)
	if first, err := p.newHop(method, u, host, header, true); err != nil {
		// The transport refused such a request on every run, not
		// when the check was loaded; so do we.
		if p.invalid == "" {
			p.invalid = describe(err)
		}
	} else {
		first.url = nil // parsed again when a redirect needs it: most never do
		p.first = *first
	}

	p.expect = append([]config.StatusRange(nil), c.ExpectStatus...)
	if len(p.expect) == 0 {
		p.expect = config.DefaultExpectStatus()
	}
	if c.BodyContains != "" {
		p.contains = []byte(c.BodyContains)
	}
	if c.BodyRegex != nil && c.BodyRegex.Regexp != nil {
		p.re = c.BodyRegex.Regexp
	}
	p.assert = newAssertions(c)
	if p.maxBody <= 0 {
		// Only a check built in code has no cap: config.Load sets one.
		// Reading stops at the cap without failing the probe.
		p.maxBody = config.DefaultMaxBodyBytes
	}
	return p, nil
}

// authorization is the Authorization header basic_auth or bearer_token
// asks for, "" when neither is set. It is a configured header like any
// other, so a redirect to another domain drops it as it drops headers.
func authorization(c *config.HTTPCheck) string {
	switch {
	case c.BasicAuth != nil:
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(c.BasicAuth.Username+":"+string(c.BasicAuth.Password)))
	case c.BearerToken != "":
		return "Bearer " + string(c.BearerToken)
	}
	return ""
}

// initialHeader is the header of the check's own request, as the first
// request of a redirect chain carries it and later ones copy it.
func (p *httpProber) initialHeader() http.Header {
	h := make(http.Header, len(p.header)+1)
	for k, vv := range p.header {
		h[k] = vv
	}
	if p.ua != "" {
		h.Set("User-Agent", p.ua)
	}
	return h
}

// tlsConfig returns the TLS setup for a connection to host: the check's
// own, shared by all its runs, or a new one for a host that a redirect
// leads to.
func (p *httpProber) tlsConfig(host string) *tls.Config {
	if host != p.first.ep.host {
		return p.newTLSConfig(host)
	}
	if c := p.tlsConf.Load(); c != nil {
		return c
	}
	p.tlsConf.CompareAndSwap(nil, p.newTLSConfig(host))
	return p.tlsConf.Load()
}

// newTLSConfig is the check's TLS setup for host. The client certificate
// goes to every host of a redirect chain, as http.Client's would.
func (p *httpProber) newTLSConfig(host string) *tls.Config {
	c := clientTLSConfig(host, p.skipTLS, p.roots)
	c.NextProtos = alpn(p.only11)
	if p.cert != nil {
		c.Certificates = []tls.Certificate{*p.cert}
	}
	return c
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

// Probe sends the request, follows redirects if the check says so, reads
// the body up to the cap and judges status and body.
func (p *httpProber) Probe(ctx context.Context) Result {
	start := time.Now()
	res := p.result(start)
	h := &HTTPResult{}
	res.HTTP = h
	if p.invalid != "" {
		res.Err = p.invalid
		res.Duration = time.Since(start)
		return res
	}
	ctx, cancel, limit := p.budget(ctx, start)
	defer cancel()

	x := newExchange(ctx)
	defer x.release()
	resp, last, err := p.do(x)
	if err != nil {
		p.finish(&res, x, time.Time{})
		res.Err = x.failure(err, limit)
		res.noteLocal(err)
		return res
	}
	h.StatusCode, h.Proto = resp.StatusCode, resp.Proto
	x.stage = stageBody
	n, truncated, body, readErr := p.readBody(last, resp)
	end := time.Now()
	x.hangUp()
	h.BodyBytes = n
	p.finish(&res, x, end)

	switch {
	case p.want2 && resp.ProtoMajor != 2:
		// Before the status: whatever it is, it came the wrong way.
		res.Err = resp.Proto + ", want HTTP/2 (http_version)"
	case !statusOK(p.expect, resp.StatusCode) && resp.StatusCode == http.StatusProxyAuthRequired && last.via != nil:
		res.Err = last.via.authRequired(resp)
	case !statusOK(p.expect, resp.StatusCode):
		res.Err = "status " + strconv.Itoa(resp.StatusCode) + ", want " + statusRangesText(p.expect)
	case readErr != nil:
		res.Err = x.failure(readErr, limit)
		res.noteLocal(readErr)
		if !strings.HasPrefix(res.Err, "timeout") {
			res.Err = "reading the body: " + res.Err
		}
	default:
		if res.Err = p.match(body, truncated); res.Err == "" && p.assert != nil {
			var b []byte
			if body != nil {
				b = body.Bytes()
			}
			res.Err, res.HTTP.Passed = p.assert.judge(resp.Header, b, truncated, p.maxBody)
		}
	}
	if body != nil {
		bodyBuffers.Put(body)
	}
	res.Success = res.Err == ""
	res.Duration = time.Since(start)
	p.expiry.judge(&res, start)
	return res
}

// finish copies the phases of the last request into res.
func (p *httpProber) finish(res *Result, x *exchange, end time.Time) {
	h := res.HTTP
	h.Resolve, h.Connect, h.TLS = x.resolve, x.connect, x.tlsTook
	if !x.wrote.IsZero() && !x.firstByte.IsZero() {
		h.Processing = x.firstByte.Sub(x.wrote)
	}
	if !x.firstByte.IsZero() && !end.IsZero() {
		h.Transfer = end.Sub(x.firstByte)
	}
	h.Redirects = x.redirects
	res.TLS = x.tls
	res.Duration = time.Since(res.Start)
}

// bodyBuffers holds the buffers of bodies that a matcher reads. They are
// shared by all checks: a prober's own would mostly be emptied by the
// garbage collector between two runs of its check.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// gzipReaders keeps decompressors (tens of KiB each) between the rare
// responses that need one.
var gzipReaders sync.Pool

// readBody reads at most maxBody bytes, uncompressed as http.Transport
// would when it asked for gzip itself. It reads one byte more to learn
// whether the body was cut, so that a failed match can say it only saw
// the beginning. The body is kept only when a matcher needs it;
// otherwise it is counted and dropped.
func (p *httpProber) readBody(h *hop, resp *http.Response) (n int64, truncated bool, body *bytes.Buffer, err error) {
	var r io.Reader = resp.Body
	if h.gzip && resp.ContentLength != 0 && strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		zr, _ := gzipReaders.Get().(*gzip.Reader)
		if zr == nil {
			zr, err = gzip.NewReader(r)
		} else {
			err = zr.Reset(r)
		}
		if err != nil {
			// An empty stream is an empty body, as for http.Transport.
			if err == io.EOF {
				err = nil
			}
			return 0, false, nil, err
		}
		defer gzipReaders.Put(zr)
		r = zr
	}
	lr := &io.LimitedReader{R: r, N: p.maxBody + 1}
	if p.contains == nil && p.re == nil && (p.assert == nil || len(p.assert.json) == 0) {
		n, err = io.Copy(io.Discard, lr)
	} else {
		body = bodyBuffers.Get().(*bytes.Buffer)
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
	if body == nil || (p.contains == nil && p.re == nil) {
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

// statusOK reports whether code is in expect.
func statusOK(expect []config.StatusRange, code int) bool {
	for _, r := range expect {
		if code >= r.Low && code <= r.High {
			return true
		}
	}
	return false
}
