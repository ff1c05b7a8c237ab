package config

import (
	"net/url"
	"strings"
)

// validateProxy checks proxy_url and proxy_from_environment: one way to
// choose a proxy at most, a proxy up can speak to, and no ip_version
// beside either, since through a proxy it is the proxy that resolves the
// target and picks its address. The URL is only ever quoted through
// quote, which leaves out its user information.
func (p *parser) validateProxy(path string, h *HTTPCheck) {
	up, ep := path+".proxy_url", path+".proxy_from_environment"
	proxied := ""
	if p.isSet(up) {
		proxied = "proxy_url"
		if msg := proxyURLProblem(string(h.ProxyURL)); msg != "" {
			p.fail(up, "%s %s", p.quote(up, string(h.ProxyURL)), msg)
		}
		if h.ProxyFromEnvironment {
			p.failKey(ep, "cannot be used with proxy_url: the proxy is either written down or taken from the environment")
		}
	} else if h.ProxyFromEnvironment {
		proxied = "proxy_from_environment"
	}
	if proxied != "" && h.IPVersion != "" {
		p.failKey(path+".ip_version", "cannot be used with %s: through a proxy, the proxy resolves the target and chooses its address", proxied)
	}
}

// proxyURLProblem says what is wrong with a proxy URL, "" when nothing
// is. It never quotes the URL or url.Parse's error, which holds it,
// password included.
func proxyURLProblem(s string) string {
	scheme, _, ok := strings.Cut(s, "://")
	if !ok {
		return "needs a scheme: http:// or https://"
	}
	if scheme = strings.ToLower(scheme); scheme != "http" && scheme != "https" {
		return "has an unsupported scheme; up speaks to http:// and https:// proxies"
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "is not a valid URL"
	case u.Hostname() == "":
		return "has no host"
	case u.Port() != "" && !validPort(u.Port(), 1):
		return "has a port outside 1 to 65535"
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return "has a path, query or fragment; a proxy URL is scheme://[user:password@]host[:port]"
	}
	return ""
}
