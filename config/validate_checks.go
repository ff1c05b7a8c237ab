package config

import (
	"maps"
	"net"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
)

// The checks' own keys: what each protocol needs of its target and
// options. validateChecks (validate.go) calls these.

func (p *parser) validateHTTP(path string, h *HTTPCheck) {
	if h.URL == "" {
		p.fail(path+".url", "is required")
	} else if msg := httpURLProblem(h.URL); msg != "" {
		p.fail(path+".url", "%s %s", p.quote(path+".url", h.URL), msg)
	}
	if !isToken(h.Method) {
		p.fail(path+".method", "%s is not a valid HTTP method", p.quote(path+".method", h.Method))
	}
	p.validateHeaders(path+".headers", h.Headers)
	p.validateHTTPAuth(path, h)
	p.validateTLSFiles(path, h.CAFile, h.CertFile, h.KeyFile, h.LoadTLSFiles)
	p.validateProxy(path, h)
	if h.URL != "" && httpURLProblem(h.URL) == "" {
		u, _ := url.Parse(h.URL)
		p.validateIPVersion(path+".ip_version", h.IPVersion, path+".url", u.Hostname(), true)
		p.validateHTTPVersion(path+".http_version", h.HTTPVersion, u.Scheme)
	} else {
		p.validateIPVersion(path+".ip_version", h.IPVersion, "", "", true)
		p.validateHTTPVersion(path+".http_version", h.HTTPVersion, "")
	}
	if p.isSet(path+".max_body_bytes") && h.MaxBodyBytes <= 0 {
		p.fail(path+".max_body_bytes", "must be greater than 0, got %s", p.show(path+".max_body_bytes", h.MaxBodyBytes))
	}
	p.validateJSONAssertions(path+".expect_json", h.ExpectJSON)
	p.validateHeaderAssertions(path+".expect_headers", h.ExpectHeaders)
}

// validateHTTPAuth checks basic_auth and bearer_token: each fills the
// Authorization header, so only one of them may be set, and not beside
// an Authorization header of headers, or which one is sent would be a
// guess.
func (p *parser) validateHTTPAuth(path string, h *HTTPCheck) {
	bp, tp := path+".basic_auth", path+".bearer_token"
	var auth []string
	if h.BasicAuth != nil {
		auth = append(auth, bp)
		up := bp + ".username"
		switch {
		case h.BasicAuth.Username == "":
			p.fail(up, "is required")
		case strings.Contains(h.BasicAuth.Username, ":"):
			p.fail(up, "must not contain a colon, which ends the user name in Basic authentication")
		case strings.ContainsAny(h.BasicAuth.Username, "\r\n"):
			p.fail(up, "must not contain a line break")
		}
		if strings.ContainsAny(string(h.BasicAuth.Password), "\r\n") {
			p.fail(bp+".password", "must not contain a line break")
		}
	}
	if p.isSet(tp) {
		auth = append(auth, tp)
		switch {
		case h.BearerToken == "":
			p.fail(tp, "must not be empty")
		case strings.ContainsAny(string(h.BearerToken), "\r\n"):
			p.fail(tp, "must not contain a line break")
		}
	}
	if len(auth) == 2 {
		p.failKey(tp, "cannot be used with basic_auth: both fill the Authorization header")
	}
	if len(auth) == 0 {
		return
	}
	for name := range h.Headers {
		if textproto.CanonicalMIMEHeaderKey(name) == "Authorization" {
			p.failKey(path+".headers."+name, "cannot be used with %s, which fills the Authorization header", auth[0][len(path)+1:])
		}
	}
}

// validateIPVersion checks an ip_version at path: "4", "6" or empty, and
// not contradicting host, the value at hostPath, when that is an IP
// address. With prefer, "prefer-4" and "prefer-6" are allowed too: they
// fall back to the other version, so no host contradicts them.
func (p *parser) validateIPVersion(path, version, hostPath, host string, prefer bool) {
	ip := net.ParseIP(host)
	switch version {
	case "":
	case "prefer-4", "prefer-6":
		if !prefer {
			p.fail(path, "%s", p.oneOf(path, version, "an IP version", `"4"`, `"6"`))
		}
	case "4", "6":
		have := "6"
		if ip.To4() != nil {
			have = "4"
		}
		if ip != nil && have != version {
			p.fail(path, "%s contradicts host %s, an IPv%s address", p.quote(path, version), p.shown(hostPath, host), have)
		}
	default:
		if prefer {
			p.fail(path, "%s", p.oneOf(path, version, "an IP version", `"4"`, `"6"`, `"prefer-4"`, `"prefer-6"`))
		} else {
			p.fail(path, "%s", p.oneOf(path, version, "an IP version", `"4"`, `"6"`))
		}
	}
}

// validateHTTPVersion checks an http_version at path: "1.1", "2" or
// empty, and "2" only for an https URL (scheme "" when the URL is
// invalid), since HTTP/2 is agreed on in the TLS handshake.
func (p *parser) validateHTTPVersion(path, version, scheme string) {
	switch version {
	case "", "1.1":
	case "2":
		if scheme == "http" {
			p.fail(path, "%s needs an https URL: HTTP/2 is agreed on in the TLS handshake, and up does not speak it in the clear", p.quote(path, version))
		}
	default:
		p.fail(path, "%s", p.oneOf(path, version, "an HTTP version", `"1.1"`, `"2"`))
	}
}

// validateHeaders checks the request headers a check sends.
func (p *parser) validateHeaders(path string, headers map[string]Secret) {
	seen := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(headers)) {
		hp := path + "." + name
		if !isToken(name) {
			p.failKey(hp, "%q is not a valid header name", name)
			continue
		}
		canon := textproto.CanonicalMIMEHeaderKey(name)
		if first, dup := seen[canon]; dup {
			p.failKey(hp, "header %q is also set as %q; header names ignore case", name, first)
			continue
		}
		seen[canon] = name
		if strings.ContainsAny(string(headers[name]), "\r\n") {
			p.fail(hp, "a header value must not contain a line break")
		}
	}
}

func (p *parser) validateTCP(path string, t *TCPCheck) {
	if t.Address == "" {
		p.fail(path+".address", "is required")
	} else {
		p.hostPort(path+".address", t.Address, true, 1)
	}
	if !t.TLS {
		if t.ServerName != "" {
			p.fail(path+".server_name", "only applies with tls: true")
		}
		if t.TLSSkipVerify {
			p.fail(path+".tls_skip_verify", "only applies with tls: true")
		}
	}
}

func (p *parser) validateICMP(path string, c *ICMPCheck) {
	hp := path + ".host"
	ip := net.ParseIP(c.Host)
	switch {
	case c.Host == "":
		p.fail(hp, "is required")
	case strings.Contains(c.Host, "://"):
		p.fail(hp, "%s is a URL; icmp.host takes a host name or IP address", p.quote(hp, c.Host))
	case ip == nil && (strings.ContainsAny(c.Host, ":/ \t") || strings.HasPrefix(c.Host, "-")):
		p.fail(hp, "%s is not a host name or IP address", p.quote(hp, c.Host))
	}
	if c.Count < 1 || c.Count > 100 {
		p.fail(path+".count", "must be from 1 to 100, got %s", p.show(path+".count", c.Count))
	}
	p.validateIPVersion(path+".ip_version", c.IPVersion, hp, c.Host, false)
}
