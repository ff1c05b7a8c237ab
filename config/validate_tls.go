package config

import (
	"math"
	"slices"
	"strings"
	"time"
)

// dnsTypes are the record types a DNS check may ask for.
var dnsTypes = []string{"A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "SRV", "CAA", "PTR"}

// dnsRcodes are the response codes of RFC 1035 and RFC 2136 by their
// usual names.
var dnsRcodes = []string{"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"}

// usesTLS reports whether a check can shake hands over TLS, and so
// whether the certificate expiry rule can apply to it. An http check may
// always: a redirect can lead to https.
func (c *Check) usesTLS() bool {
	switch {
	case c.HTTP != nil, c.TLS != nil:
		return true
	case c.TCP != nil:
		return c.TCP.TLS
	case c.DNS != nil:
		return c.DNS.Transport == "tls"
	case c.GRPC != nil:
		return c.GRPC.TLS
	case c.WebSocket != nil:
		return strings.HasPrefix(strings.ToLower(c.WebSocket.URL), "wss://")
	}
	return false
}

// validateExpiry checks a check's own tls_expiry_* values; inherited
// ones were checked under defaults.
func (p *parser) validateExpiry(kp string, k *Check) {
	own := false
	for _, key := range []string{"tls_expiry_warn", "tls_expiry_critical"} {
		if p.isSet(kp + "." + key) {
			own = true
			if !k.usesTLS() && k.Type() != "" {
				p.failKey(kp+"."+key, "only applies to checks that use TLS (https, tcp with tls: true, tls, dns with transport: tls, grpc with tls: true, websocket to wss://)")
				return
			}
		}
	}
	if own {
		p.validateExpiryPair(kp, k.TLSExpiryWarn, k.TLSExpiryCritical)
	}
}

// validateExpiryPair checks the two limits written (or inherited) at
// prefix: neither negative, and a warning that comes before the failure.
func (p *parser) validateExpiryPair(prefix string, warn, critical time.Duration) {
	wp, cp := prefix+".tls_expiry_warn", prefix+".tls_expiry_critical"
	bad := false
	for _, v := range []struct {
		path string
		d    time.Duration
	}{{wp, warn}, {cp, critical}} {
		if v.d < 0 {
			p.fail(v.path, "must not be negative (0 turns the rule off), got %s", p.show(v.path, v.d))
			bad = true
		}
	}
	if bad || warn == 0 || critical == 0 || critical < warn {
		return
	}
	at := cp
	if !p.isSet(cp) {
		at = wp
	}
	p.fail(at, "tls_expiry_critical (%s) must be shorter than tls_expiry_warn (%s), or the warning never shows",
		p.show(cp, critical), p.show(wp, warn))
}

func (p *parser) validateDNS(path string, d *DNSCheck) {
	np := path + ".name"
	switch {
	case d.Name == "":
		p.fail(np, "is required")
	case strings.Contains(d.Name, "://"):
		p.fail(np, "%s is a URL; dns.name takes a domain name such as acme.example", p.quote(np, d.Name))
	case strings.ContainsAny(d.Name, " \t/:@") || len(d.Name) > 254 || strings.Contains(d.Name, ".."):
		p.fail(np, "%s is not a domain name", p.quote(np, d.Name))
	}
	if d.Server != "" {
		p.hostPort(path+".server", d.Server, true, 1)
	}
	if !slices.Contains(dnsTypes, d.Type) {
		p.fail(path+".type", "%s", p.oneOf(path+".type", d.Type, "a record type", dnsTypes...))
	}
	switch d.Transport {
	case "udp", "tcp", "tls":
	default:
		p.fail(path+".transport", "%s", p.oneOf(path+".transport", d.Transport, "a transport", "udp", "tcp", "tls"))
	}
	if d.Transport != "tls" {
		for _, key := range []string{"server_name", "tls_skip_verify"} {
			if p.isSet(path + "." + key) {
				p.failKey(path+"."+key, "only applies with transport: tls")
			}
		}
	}
	if !slices.Contains(dnsRcodes, d.Rcode) {
		p.fail(path+".rcode", "%s", p.oneOf(path+".rcode", d.Rcode, "a response code", dnsRcodes...))
	}
	if p.isSet(path+".min_answers") && d.MinAnswers < 1 {
		p.fail(path+".min_answers", "must be at least 1, got %s", p.show(path+".min_answers", d.MinAnswers))
	}
	sp := path + ".soa_serial_min"
	if p.isSet(sp) {
		switch {
		case d.Type != "SOA":
			p.failKey(sp, "only applies with type: SOA")
		case d.SOASerialMin < 0 || d.SOASerialMin > math.MaxUint32:
			p.fail(sp, "must be from 0 to 4294967295 (a 32-bit serial), got %s", p.show(sp, d.SOASerialMin))
		}
	}
}

func (p *parser) validateTLS(path string, t *TLSCheck) {
	if t.Address == "" {
		p.fail(path+".address", "is required")
	} else {
		p.hostPort(path+".address", t.Address, true, 1)
	}
	switch t.MinVersion {
	case "1.2", "1.3":
	default:
		p.fail(path+".min_version", "%s", p.oneOf(path+".min_version", t.MinVersion, "a TLS version", `"1.2"`, `"1.3"`))
	}
}
