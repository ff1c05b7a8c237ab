package probe

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// do sends the check's request and, if the check says so, follows
// redirects by http.Client's rules, so that a check behaves as it did
// through the client: at most maxRedirects requests, Location resolved
// against the request it answers, 301/302/303 turning any method but
// GET and HEAD into GET without the body, 307/308 keeping both, the
// configured headers copied except credentials for another domain and
// body headers once the body is dropped, and a Referer. It returns the
// last response, with its connection open for the body, and its hop.
func (p *httpProber) do(x *exchange) (*http.Response, *hop, error) {
	h := &p.first
	resp, err := x.roundTrip(p, h)
	if err != nil || !isRedirect(resp.StatusCode) {
		return resp, h, err
	}

	first, err := url.Parse(p.url)
	if err != nil {
		return nil, nil, err // newHTTP parsed it
	}
	first.Host = strings.TrimSuffix(first.Host, ":")
	cur := *h
	cur.url = first
	h = &cur
	var (
		sent           = 1
		includeBody    = true
		stripSensitive = false
	)
	for {
		method, follow, keepBody := redirectBehavior(h.method, resp.StatusCode)
		if !follow {
			return resp, h, nil
		}
		if !keepBody {
			// Once a hop drops the body, it is never sent again.
			includeBody = false
		}
		loc := resp.Header.Get("Location")
		if loc == "" {
			return resp, h, nil
		}
		u, err := h.url.Parse(loc)
		if err != nil {
			return nil, nil, fmt.Errorf("failed to parse Location header %q: %v", loc, err)
		}
		// A custom Host survives a relative redirect only.
		host := ""
		if h.host != "" && h.host != h.url.Host {
			if lu, _ := url.Parse(loc); lu != nil && !lu.IsAbs() {
				host = h.host
			}
		}
		if !stripSensitive && first.Host != u.Host && !shouldCopyHeaderOnRedirect(first, u) {
			stripSensitive = true
		}
		header := p.redirectHeader(stripSensitive, !includeBody)
		if ref := refererForURL(h.url, u, header.Get("Referer")); ref != "" {
			header.Set("Referer", ref)
		}
		if !p.follow {
			return resp, h, nil
		}
		if sent >= maxRedirects {
			return nil, nil, errTooManyRedirects
		}
		x.redirects = sent

		if h, err = p.newHop(method, u, host, header, includeBody); err != nil {
			x.hangUp()
			return nil, nil, err
		}
		sent++
		if resp, err = x.roundTrip(p, h); err != nil {
			return nil, nil, err
		}
	}
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// redirectBehavior is http.Client's: whether a response to method is
// followed, with which method, and whether the body goes along. (The
// client declines 307/308 only for a body it cannot send again, and a
// check's body can always be sent again.)
func redirectBehavior(method string, code int) (next string, follow, keepBody bool) {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther:
		next = method
		if method != http.MethodGet && method != http.MethodHead {
			next = http.MethodGet
		}
		return next, true, false
	case http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return method, true, true
	}
	return "", false, false
}

// redirectHeader copies the check's headers for a redirected request,
// without credentials once the chain left the first host's domain and
// without the headers about a body that is no longer sent.
func (p *httpProber) redirectHeader(stripSensitive, stripBody bool) http.Header {
	h := p.initialHeader()
	for k := range h {
		switch http.CanonicalHeaderKey(k) {
		case "Authorization", "Www-Authenticate", "Cookie", "Cookie2",
			"Proxy-Authorization", "Proxy-Authenticate":
			if stripSensitive {
				delete(h, k)
			}
		case "Content-Encoding", "Content-Language", "Content-Location", "Content-Type":
			if stripBody {
				delete(h, k)
			}
		}
	}
	return h
}

// shouldCopyHeaderOnRedirect permits credentials set for "foo.com" to go
// to "sub.foo.com", as http.Client does.
func shouldCopyHeaderOnRedirect(initial, dest *url.URL) bool {
	return isDomainOrSubdomain(asciiHostname(dest.Hostname()), asciiHostname(initial.Hostname()))
}

// isDomainOrSubdomain reports whether sub is parent or a subdomain of it.
func isDomainOrSubdomain(sub, parent string) bool {
	if sub == parent {
		return true
	}
	// An IPv6 address, or one with a zone, is no subdomain of anything:
	// "::1%.www.example.com" is not under "www.example.com".
	if strings.ContainsAny(sub, ":%") {
		return false
	}
	return strings.HasSuffix(sub, parent) && sub[len(sub)-len(parent)-1] == '.'
}

// refererForURL is the Referer for a redirect from last to next: last
// without credentials, unless the user set one or the redirect goes
// from https to http (RFC 9110 section 10.1.3).
func refererForURL(last, next *url.URL, explicit string) string {
	if last.Scheme == "https" && next.Scheme == "http" {
		return ""
	}
	if explicit != "" {
		return explicit
	}
	ref := last.String()
	if last.User != nil {
		ref = strings.Replace(ref, last.User.String()+"@", "", 1)
	}
	return ref
}
