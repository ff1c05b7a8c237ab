package config

import (
	"strings"

	"github.com/up-status/up/auth"
)

// validatePush checks a push check: a token as strong as an API token
// and used by no other push check, and a period.
func (p *parser) validatePush(path string, c *PushCheck) {
	tp := path + ".token"
	if p.pushTokens == nil {
		p.pushTokens = map[Secret]string{}
	}
	switch first, dup := p.pushTokens[c.Token]; {
	case strings.TrimSpace(string(c.Token)) == "":
		p.fail(tp, "is required and must not be empty")
	case auth.CheckToken(string(c.Token)) != nil:
		p.fail(tp, "%v", auth.CheckToken(string(c.Token)))
	case strings.IndexFunc(string(c.Token), notInURL) >= 0:
		// It is a path segment of the push URL, sent as is by curl.
		p.fail(tp, "may hold only letters, digits, '-', '_', '.' and '~', as it goes into a URL")
	case dup:
		// The token itself stays out of the message.
		p.fail(tp, "is the same as the token of %s (line %d); a push token must identify one check", parentPath(first), p.node(first).Line)
	default:
		p.pushTokens[c.Token] = tp
	}
	if c.Period <= 0 {
		p.fail(path+".period", "is required and must be positive (how often the job reports, e.g. 24h)")
	}
	if c.Grace < 0 {
		p.fail(path+".grace", "must not be negative")
	}
}

// notInURL reports whether r would need escaping in a URL path segment.
func notInURL(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("-_.~", r)
}
