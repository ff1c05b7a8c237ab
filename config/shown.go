package config

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Values taken from the environment are secrets: up never prints them.
// The parser keeps, for every value that had a ${VAR} expanded from the
// environment, the text as written with that part replaced by <secret>
// (see expansion). Error messages quote values only through quote and
// show, and Check.Target is computed from the same record, so that one
// rule covers every place a value can be printed.

// shown is the printable form of the string value at path: its text as
// written with environment values as <secret>, and with the user
// information of any URL in it left out.
func (p *parser) shown(path, value string) string {
	if x, ok := p.secrets[path]; ok {
		value = x.shown
	}
	return withoutUserinfo(value)
}

// quote is shown in double quotes, the way messages cite a value.
func (p *parser) quote(path, value string) string {
	return strconv.Quote(p.shown(path, value))
}

// show prints a value of any type the way messages cite it: as fmt
// prints it, unless it came from the environment.
func (p *parser) show(path string, v any) string {
	if x, ok := p.secrets[path]; ok {
		return strconv.Quote(x.shown)
	}
	return fmt.Sprint(v)
}

// secret reports whether the value at path came, in part, from the
// environment; messages then must not hint at it (no "did you mean").
func (p *parser) secret(path string) bool {
	_, ok := p.secrets[path]
	return ok
}

// fromVars is the note an error at path ends with when its value came from
// the environment, so the reader knows which variable to look at.
func (p *parser) fromVars(path string) string {
	x, ok := p.secrets[path]
	if !ok {
		return ""
	}
	return " (from " + strings.Join(x.vars, ", ") + ")"
}

// setShown stores what each check shows as its target, once, so that
// Target, called for every metric series, costs nothing; and the values
// Redact hides.
func (p *parser) setShown(c *Config) {
	for ci := range c.Components {
		for ki := range c.Components[ci].Checks {
			k := &c.Components[ci].Checks[ki]
			prefix := fmt.Sprintf("components[%d].checks[%d].", ci, ki)
			switch {
			case k.HTTP != nil:
				k.target = p.shown(prefix+"http.url", k.HTTP.URL)
			case k.TCP != nil:
				k.target = p.shown(prefix+"tcp.address", k.TCP.Address)
			case k.ICMP != nil:
				k.target = p.shown(prefix+"icmp.host", k.ICMP.Host)
			case k.DNS != nil:
				k.target = k.DNS.target(p.shown(prefix+"dns.server", k.DNS.Server), p.shown(prefix+"dns.name", k.DNS.Name))
			case k.TLS != nil:
				k.target = p.shown(prefix+"tls.address", k.TLS.Address)
			case k.WebSocket != nil:
				k.target = p.shown(prefix+"websocket.url", k.WebSocket.URL)
			case k.GRPC != nil:
				k.target = grpcTarget(p.shown(prefix+"grpc.address", k.GRPC.Address), p.shown(prefix+"grpc.service", k.GRPC.Service))
			}
		}
	}
	seen := map[string]bool{}
	for _, x := range p.secrets {
		for _, s := range x.secrets {
			if s != "" && !seen[s] {
				seen[s] = true
				c.secrets = append(c.secrets, s)
			}
		}
	}
	// Longest first, so that a value containing another is hidden whole.
	slices.SortFunc(c.secrets, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b))
	})
}

// Redact returns s with every value the configuration took from the
// environment replaced by <secret> and the user information of URLs left
// out. It is for text the configuration does not word itself, such as an
// error from a library that quotes a URL. It hides too much rather than
// too little: a short secret is hidden wherever the same text appears.
func (c *Config) Redact(s string) string {
	for _, v := range c.secrets {
		s = strings.ReplaceAll(s, v, secretShown)
	}
	return withoutUserinfo(s)
}

// withoutUserinfo drops the user information ("user:password@") of every
// URL in s. It works on the text, not on a parsed URL, so that it also
// applies to a URL quoted inside a longer message or holding <secret>.
func withoutUserinfo(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i+3])
		s = s[i+3:]
		// The authority ends where url.Parse ends it; a quote or space
		// ends it too when the URL is cited in a message.
		end := strings.IndexAny(s, "/?#\"' \t\n")
		if end < 0 {
			end = len(s)
		}
		if at := strings.LastIndexByte(s[:end], '@'); at >= 0 {
			s = s[at+1:]
		}
	}
}
