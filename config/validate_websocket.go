package config

import (
	"maps"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
)

func (p *parser) validateWebSocket(path string, w *WebSocketCheck) {
	up := path + ".url"
	if w.URL == "" {
		p.fail(up, "is required")
	} else if msg := webSocketURLProblem(w.URL); msg != "" {
		p.fail(up, "%s %s", p.quote(up, w.URL), msg)
	}
	p.validateHeaders(path+".headers", w.Headers)
	for _, name := range slices.Sorted(maps.Keys(w.Headers)) {
		switch canon := textproto.CanonicalMIMEHeaderKey(name); {
		case canon == "Connection", canon == "Upgrade", strings.HasPrefix(canon, "Sec-Websocket-"):
			p.failKey(path+".headers."+name, "the WebSocket handshake sets %s itself", canon)
		}
	}
	wss := strings.HasPrefix(strings.ToLower(w.URL), "wss://")
	for _, key := range []string{"tls_skip_verify", "ca_file", "cert_file", "key_file"} {
		if p.isSet(path+"."+key) && !wss {
			p.failKey(path+"."+key, "only applies to a wss:// URL")
		}
	}
	if wss {
		p.validateTLSFiles(path, w.CAFile, w.CertFile, w.KeyFile, w.LoadTLSFiles)
	}
	if p.isSet(path+".expect") && p.isSet(path+".expect_regex") {
		p.failKey(path+".expect_regex", "a check has expect or expect_regex, not both")
	}
}

func webSocketURLProblem(s string) string {
	u, err := url.Parse(s)
	if err != nil || (!strings.EqualFold(u.Scheme, "ws") && !strings.EqualFold(u.Scheme, "wss")) || u.Hostname() == "" {
		return "is not a ws or wss URL"
	}
	if port := u.Port(); port != "" && !validPort(port, 1) {
		return "has a port outside 1 to 65535"
	}
	if u.Fragment != "" {
		return "has a fragment (#...), which a WebSocket URL must not"
	}
	return ""
}
