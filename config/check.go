package config

import (
	"maps"
	"slices"
)

// Checks returns every check of every component, in file order. The
// pointers refer into c.
func (c *Config) Checks() []*Check {
	var out []*Check
	for ci := range c.Components {
		for ki := range c.Components[ci].Checks {
			out = append(out, &c.Components[ci].Checks[ki])
		}
	}
	return out
}

// Equal reports whether c and o probe the same target the same way with
// the same effective settings, regular expressions compared by source;
// regions and quorum compare by what they come to (Regions, Quorum), not
// by how they are written. On reload the scheduler keeps a check
// running, with its state, when the new one is Equal to the old.
func (c *Check) Equal(o *Check) bool {
	if c == nil || o == nil {
		return c == o
	}
	return c.Name == o.Name &&
		c.ID == o.ID &&
		c.Component == o.Component &&
		c.Interval == o.Interval &&
		c.Timeout == o.Timeout &&
		c.FailureThreshold == o.FailureThreshold &&
		c.SuccessThreshold == o.SuccessThreshold &&
		c.DegradedLatency == o.DegradedLatency &&
		c.TLSExpiryWarn == o.TLSExpiryWarn &&
		c.TLSExpiryCritical == o.TLSExpiryCritical &&
		slices.Equal(c.Regions, o.Regions) &&
		c.Quorum == o.Quorum &&
		c.Target() == o.Target() &&
		c.HTTP.equal(o.HTTP) &&
		equalPtr(c.TCP, o.TCP) &&
		equalPtr(c.ICMP, o.ICMP) &&
		c.DNS.equal(o.DNS) &&
		equalPtr(c.TLS, o.TLS) &&
		equalPtr(c.Push, o.Push) &&
		c.GRPC.equal(o.GRPC) &&
		c.WebSocket.equal(o.WebSocket)
}

func (w *WebSocketCheck) equal(o *WebSocketCheck) bool {
	if w == nil || o == nil {
		return w == o
	}
	return w.URL == o.URL && maps.Equal(w.Headers, o.Headers) && w.TLSSkipVerify == o.TLSSkipVerify &&
		w.CAFile == o.CAFile && w.CertFile == o.CertFile && w.KeyFile == o.KeyFile &&
		w.tlsFiles.sum == o.tlsFiles.sum &&
		w.Send == o.Send && w.Expect == o.Expect && sameRegexp(w.ExpectRegex, o.ExpectRegex)
}

func (g *GRPCCheck) equal(o *GRPCCheck) bool {
	if g == nil || o == nil {
		return g == o
	}
	return g.Address == o.Address && g.Service == o.Service && g.TLS == o.TLS &&
		g.TLSSkipVerify == o.TLSSkipVerify && g.ServerName == o.ServerName &&
		maps.Equal(g.Metadata, o.Metadata)
}

func (d *DNSCheck) equal(o *DNSCheck) bool {
	if d == nil || o == nil {
		return d == o
	}
	return d.Server == o.Server &&
		d.Name == o.Name &&
		d.Type == o.Type &&
		d.Transport == o.Transport &&
		d.TLSSkipVerify == o.TLSSkipVerify &&
		d.ServerName == o.ServerName &&
		d.Rcode == o.Rcode &&
		d.AnswerContains == o.AnswerContains &&
		sameRegexp(d.AnswerMatches, o.AnswerMatches) &&
		sameRegexp(d.AllMatch, o.AllMatch) &&
		d.MinAnswers == o.MinAnswers &&
		d.SOASerialMin == o.SOASerialMin
}

// sameRegexp compares two optional expressions by source.
func sameRegexp(a, b *Regexp) bool {
	return (a == nil) == (b == nil) && a.source() == b.source()
}

func (h *HTTPCheck) equal(o *HTTPCheck) bool {
	if h == nil || o == nil {
		return h == o
	}
	return h.URL == o.URL &&
		h.Method == o.Method &&
		maps.Equal(h.Headers, o.Headers) &&
		h.Body == o.Body &&
		slices.Equal(h.ExpectStatus, o.ExpectStatus) &&
		h.BodyContains == o.BodyContains &&
		sameRegexp(h.BodyRegex, o.BodyRegex) &&
		equalPtr(h.FollowRedirects, o.FollowRedirects) &&
		h.TLSSkipVerify == o.TLSSkipVerify &&
		h.MaxBodyBytes == o.MaxBodyBytes &&
		slices.EqualFunc(h.ExpectJSON, o.ExpectJSON, func(a, b JSONAssertion) bool { return a.equal(&b) }) &&
		slices.EqualFunc(h.ExpectHeaders, o.ExpectHeaders, func(a, b HeaderAssertion) bool { return a.equal(&b) }) &&
		equalPtr(h.BasicAuth, o.BasicAuth) &&
		h.BearerToken == o.BearerToken &&
		h.CAFile == o.CAFile && h.CertFile == o.CertFile && h.KeyFile == o.KeyFile &&
		h.tlsFiles.sum == o.tlsFiles.sum &&
		h.IPVersion == o.IPVersion && h.HTTPVersion == o.HTTPVersion &&
		h.ProxyURL == o.ProxyURL && h.ProxyFromEnvironment == o.ProxyFromEnvironment
}

// equalPtr compares what two pointers point at; nil equals only nil.
func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
