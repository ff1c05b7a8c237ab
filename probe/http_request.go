package probe

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// hop is one request of a redirect chain, in the bytes that go on the
// wire. The check's first hop is built once and shared by all its runs,
// so it must not be changed after newHTTP.
type hop struct {
	url    *url.URL // nil for the check's first hop (see httpProber.url)
	method string
	host   string   // Host header as set on the request, for redirects
	ep     endpoint // the target's, whether or not a proxy is in between
	https  bool
	via    *route // through a proxy; nil for none
	// gzip says the request asked for gzip itself: such a body is
	// then uncompressed before it is counted and matched, as
	// http.Transport did.
	gzip bool
	wire []byte // request head and body
}

// newHop prepares a request the way http.Client and http.Transport
// would send it with keep-alive off: credentials of the URL as Basic
// authentication unless the header has its own, gzip asked for unless
// the header says otherwise, "Connection: close"; through a proxy, an
// http request in absolute-form with the proxy's credentials, an https
// one behind a CONNECT. It takes header over.
func (p *httpProber) newHop(method string, u *url.URL, host string, header http.Header, withBody bool) (*hop, error) {
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("unsupported protocol scheme %q", u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("http: no Host in request URL")
	}
	if u.User != nil && header.Get("Authorization") == "" {
		password, _ := u.User.Password()
		header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+password)))
	}
	h := &hop{url: u, method: method, host: host, https: u.Scheme == "https"}
	// Not for HEAD (nginx answered it wrongly) nor ranges, whose pieces
	// do not uncompress; the same rules as http.Transport.
	if header.Get("Accept-Encoding") == "" && header.Get("Range") == "" && method != http.MethodHead {
		h.gzip = true
		header.Set("Accept-Encoding", "gzip")
	}
	req := &http.Request{Method: method, URL: u, Host: host, Header: header, Close: true}
	if withBody && p.body != "" {
		req.Body = io.NopCloser(strings.NewReader(p.body))
		req.ContentLength = int64(len(p.body))
	}
	ep, err := endpointOf(u)
	if err != nil {
		return nil, err
	}
	h.ep = ep
	pr, err := p.proxyFor(u)
	if err != nil {
		return nil, err
	}
	write := req.Write
	switch {
	case pr != nil && h.https:
		h.via = &route{proxy: pr}
		if h.via.tunnel, err = pr.connectRequest(ep, header.Get("User-Agent")); err != nil {
			return nil, err
		}
	case pr != nil:
		h.via = &route{proxy: pr}
		if pr.auth != "" {
			header.Set("Proxy-Authorization", pr.auth)
		}
		write = req.WriteProxy
	}
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return nil, err
	}
	h.wire = slices.Clip(b.Bytes())
	return h, nil
}

// endpointOf is where a request to u connects: the host name in ASCII
// and the port, the scheme's when u names none.
func endpointOf(u *url.URL) (endpoint, error) {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return parseEndpoint(net.JoinHostPort(asciiHostname(u.Hostname()), port))
}

// asciiHostname is a host name as DNS and TLS need it: a name in
// Unicode (IDN) is spelled in Punycode, as http.Transport dials it. The
// standard library keeps that conversion to itself but applies it to
// the Host header it writes, so the name is taken from there.
func asciiHostname(name string) string {
	if isASCII(name) {
		return name
	}
	var b bytes.Buffer
	req := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/"}, Host: strings.ToLower(name)}
	if req.Write(&b) != nil {
		return name
	}
	_, rest, _ := strings.Cut(b.String(), "\r\nHost: ")
	if ascii, _, _ := strings.Cut(rest, "\r\n"); ascii != "" {
		return ascii
	}
	return name
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// invalidHeader says why http.Transport would refuse to send header
// ("" when it would not). Such a check fails every run with these words
// without dialling, as it did through the transport. Names are checked
// in order, so that the same check always names the same header.
func invalidHeader(header http.Header) string {
	for _, k := range slices.Sorted(maps.Keys(header)) {
		if !isToken(k) {
			return fmt.Sprintf("invalid header field name %q", k)
		}
		for _, v := range header[k] {
			for i := 0; i < len(v); i++ {
				// Control characters but tab are not allowed in values.
				if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
					return fmt.Sprintf("invalid header field value for %q", k)
				}
			}
		}
	}
	return ""
}

// validMethod reports whether method is a token, as net/http requires.
func validMethod(method string) bool { return isToken(method) }

// isToken reports whether s is a non-empty RFC 9110 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
