package probe

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpproxy"

	"github.com/up-status/up/config"
)

// proxy is an HTTP proxy that requests of a check go through: an http
// target's request is sent to it whole (absolute-form), an https
// target is reached through a CONNECT tunnel. Its URL may hold a
// password, so nothing here keeps the URL: errors name the proxy by
// host and port only.
type proxy struct {
	ep   endpoint
	addr string // host:port, how errors and stage texts name the proxy
	// tls is the setup of the handshake with an https:// proxy, nil for
	// an http:// one.
	tls *tls.Config
	// auth is the Proxy-Authorization value for the URL's user and
	// password, "" without them.
	auth string
}

// route is the way one request takes through a proxy.
type route struct {
	*proxy
	// tunnel is the CONNECT request that reaches an https target, nil
	// for an http one, whose request goes to the proxy whole.
	tunnel []byte
}

// errEnvProxy stands for a proxy URL from the environment that does not
// parse. httpproxy's own error quotes the URL, password and all.
var errEnvProxy = errors.New("proxy_from_environment: HTTP_PROXY or HTTPS_PROXY is not a valid URL")

// setProxy reads the check's proxy settings into p: a proxy_url is
// parsed once, proxy_from_environment reads the environment once, as
// the prober is built, and picks a proxy per request URL since NO_PROXY
// may spare some hosts of a redirect chain. It is called after p.roots
// and p.skipTLS are set, which an https:// proxy's handshake uses too.
func (p *httpProber) setProxy(c *config.HTTPCheck) error {
	switch {
	case c.ProxyURL != "":
		u, err := url.Parse(string(c.ProxyURL))
		if err != nil {
			return errors.New("proxy_url is not a valid URL") // err quotes the URL
		}
		p.proxy, err = p.newProxy(u, "proxy_url")
		return err
	case c.ProxyFromEnvironment:
		p.proxyEnv = httpproxy.FromEnvironment().ProxyFunc()
	}
	return nil
}

// proxyFor is the proxy a request to u goes through, nil for none.
func (p *httpProber) proxyFor(u *url.URL) (*proxy, error) {
	if p.proxyEnv == nil {
		return p.proxy, nil
	}
	pu, err := p.proxyEnv(u)
	if err != nil {
		return nil, errEnvProxy
	}
	if pu == nil {
		return nil, nil // NO_PROXY, or a loopback target
	}
	return p.newProxy(pu, "proxy_from_environment")
}

// newProxy prepares the proxy at u; key names the setting it came from
// for errors, which never quote u.
func (p *httpProber) newProxy(u *url.URL, key string) (*proxy, error) {
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return nil, fmt.Errorf("%s: up speaks to http:// and https:// proxies only", key)
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if scheme == "https" {
			port = "443"
		}
	}
	ep, err := parseEndpoint(net.JoinHostPort(asciiHostname(u.Hostname()), port))
	if err != nil {
		return nil, fmt.Errorf("%s: the proxy needs a host and a port from 1 to 65535", key)
	}
	pr := &proxy{ep: ep, addr: net.JoinHostPort(ep.host, port)}
	if scheme == "https" {
		// The proxy's certificate is checked as the target's would be
		// (ca_file, tls_skip_verify). It gets no client certificate,
		// which is meant for the target, and speaks HTTP/1.1, the only
		// version CONNECT is written in here.
		pr.tls = clientTLSConfig(ep.host, p.skipTLS, p.roots)
		pr.tls.NextProtos = []string{"http/1.1"}
	}
	if u.User != nil {
		password, _ := u.User.Password()
		pr.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+password))
	}
	return pr, nil
}

// connectRequest is the CONNECT request that opens a tunnel to target.
func (pr *proxy) connectRequest(target endpoint, userAgent string) ([]byte, error) {
	addr := net.JoinHostPort(target.host, strconv.Itoa(int(target.port)))
	h := make(http.Header, 2)
	if pr.auth != "" {
		h.Set("Proxy-Authorization", pr.auth)
	}
	if userAgent != "" {
		h.Set("User-Agent", userAgent)
	}
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: addr}, Host: addr, Header: h}
	var b bytes.Buffer
	if err := req.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// proxyError is a failure on the way to the proxy or in it, before the
// target was reached.
type proxyError struct {
	proxy string // host:port
	err   error
}

func (e *proxyError) Error() string { return "proxy " + e.proxy + ": " + e.err.Error() }
func (e *proxyError) Unwrap() error { return e.err }

// tunnelRefused is a CONNECT the proxy answered with anything but 2xx.
type tunnelRefused struct {
	target string // host:port
	status string // "407 Proxy Authentication Required"
}

func (e *tunnelRefused) Error() string {
	return "refused the tunnel to " + e.target + ": " + e.status
}

// tunnel opens a tunnel through the proxy that x.conn is connected to,
// to h's target, and leaves x.conn speaking to the target.
func (x *exchange) tunnel(h *hop) error {
	if _, err := x.conn.Write(h.via.tunnel); err != nil {
		return err
	}
	x.head = headerLimit{r: x.conn, n: maxResponseHeaderBytes}
	x.br.Reset(&x.head)
	resp, err := http.ReadResponse(&x.br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		if x.head.n <= 0 {
			err = errHeadersTooLong
		}
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &tunnelRefused{target: net.JoinHostPort(h.ep.host, strconv.Itoa(int(h.ep.port))), status: resp.Status}
	}
	// The target speaks first only after the client hello, so nothing
	// should follow the proxy's answer yet; if something does, it is
	// the target's and must not be lost with the buffer.
	if n := x.br.Buffered(); n > 0 {
		early, _ := x.br.Peek(n)
		x.conn = &prefixedConn{Conn: x.conn, r: io.MultiReader(bytes.NewReader(bytes.Clone(early)), x.conn)}
	}
	return nil
}

// prefixedConn reads what was read ahead before the rest of Conn.
type prefixedConn struct {
	net.Conn
	r io.Reader
}

func (c *prefixedConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// authRequired words a 407 that came through the proxy: the proxy wants
// credentials, or others, whatever the target would have said.
func (pr *proxy) authRequired(resp *http.Response) string {
	return "proxy " + pr.addr + " refused the request: " + resp.Status
}
