package config

import (
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/up-status/up/auth"
)

// validate reports every rule the defaulted config breaks. Values that
// were inherited rather than written are checked where they were written
// (defaults.*), so one mistake gives one error.
func (p *parser) validate(c *Config) {
	p.validatePage(c)
	p.validateTiming("defaults", timing{
		interval: c.Defaults.Interval, timeout: c.Defaults.Timeout,
		failures: c.Defaults.FailureThreshold, successes: c.Defaults.SuccessThreshold,
		degraded: c.Defaults.DegradedLatency,
	}, "")
	p.validateExpiryPair("defaults", c.Defaults.TLSExpiryWarn, c.Defaults.TLSExpiryCritical)
	p.validateIncidents(c.Incidents)
	p.validateStorage(c)
	p.validateRegions(c)

	groups := p.uniqueIDs("groups", "group", len(c.Groups), func(i int) string { return c.Groups[i].ID })
	components := p.uniqueIDs("components", "component", len(c.Components), func(i int) string { return c.Components[i].ID })
	p.uniqueIDs("maintenance", "maintenance", len(c.Maintenance), func(i int) string { return c.Maintenance[i].ID })
	p.uniqueIDs("subscribers", "subscriber", len(c.Subscribers), func(i int) string { return c.Subscribers[i].ID })
	p.uniqueIDs("users", "user", len(c.Users), func(i int) string { return c.Users[i].ID })

	checkIDs := map[string]string{}
	for ci := range c.Components {
		comp := &c.Components[ci]
		path := fmt.Sprintf("components[%d]", ci)
		if comp.Group != "" {
			p.reference(path+".group", comp.Group, "group", "groups", groups)
		}
		p.validateChecks(path, comp, checkIDs)
	}
	for i := range c.Maintenance {
		p.validateMaintenance(fmt.Sprintf("maintenance[%d]", i), &c.Maintenance[i], components)
	}
	for i := range c.Subscribers {
		p.validateSubscriber(fmt.Sprintf("subscribers[%d]", i), &c.Subscribers[i], components)
	}
	p.validateUsers(c.Users)
}

// fail reports a problem at path unless path, or a value containing it,
// already has one: a value that could not be read needs no second error
// saying it is missing.
func (p *parser) fail(path, format string, args ...any) {
	for q := path; ; q = parentPath(q) {
		if p.bad[q] {
			return
		}
		if q == "" {
			break
		}
	}
	p.errorf(p.node(path), path, format, args...)
}

// failKey is fail positioned at the key rather than its value.
func (p *parser) failKey(path, format string, args ...any) {
	if p.bad[path] {
		return
	}
	p.errorf(p.keys[path], path, format, args...)
}

func (p *parser) validatePage(c *Config) {
	p.validateID("page.id", c.Page.ID)
	// A derived page.url is only as wrong as listen.api, which is checked
	// on its own.
	if p.isSet("page.url") {
		if msg := httpURLProblem(c.Page.URL); msg != "" {
			p.fail("page.url", "%s %s", p.quote("page.url", c.Page.URL), msg)
		} else if u, _ := url.Parse(c.Page.URL); u.RawQuery != "" || u.Fragment != "" {
			p.fail("page.url", "%s must not have a query or fragment; links are built by appending paths to it", p.quote("page.url", c.Page.URL))
		}
	}
	// Port 0 (any free port) is for tests and embedders that read the
	// bound address back. A derived page.url, and the links in webhooks
	// built from it, would point nowhere, so listen.api takes port 0 only
	// with page.url set; the page learns the WebSocket's port from the
	// bound listener, so listen.websocket takes it always.
	apiMin := 1
	if p.isSet("page.url") {
		apiMin = 0
	}
	p.hostPort("listen.api", c.Listen.API, false, apiMin)
	p.hostPort("listen.websocket", c.Listen.WebSocket, false, 0)
	for i, o := range c.API.Origins {
		if strings.TrimSpace(o) == "" {
			p.fail(fmt.Sprintf("api.origins[%d]", i), "must not be empty")
		}
	}
}

func (p *parser) validateIncidents(in Incidents) {
	switch in.OpenAt {
	case "DEGRADEDPERFORMANCE", "PARTIALOUTAGE", "MAJOROUTAGE":
	default:
		p.fail("incidents.open_at", "%s", p.oneOf("incidents.open_at", in.OpenAt, "a status that can open an incident",
			"DEGRADEDPERFORMANCE", "PARTIALOUTAGE", "MAJOROUTAGE"))
	}
	if in.ResolveAfter < 0 {
		p.fail("incidents.resolve_after", "must not be negative, got %s", p.show("incidents.resolve_after", in.ResolveAfter))
	}
	if in.ReopenWithin < 0 {
		p.fail("incidents.reopen_within", "must not be negative, got %s", p.show("incidents.reopen_within", in.ReopenWithin))
	}
	if in.KeepResolved < 0 {
		p.fail("incidents.keep_resolved", "must not be negative (0 keeps every resolved incident of the last 14 days), got %s", p.show("incidents.keep_resolved", in.KeepResolved))
	}
	if in.KeepResolvedPerComponent < 0 {
		p.fail("incidents.keep_resolved_per_component", "must not be negative (0 sets no cap), got %s", p.show("incidents.keep_resolved_per_component", in.KeepResolvedPerComponent))
	}
}

// timing is the part of a check that defaults provide.
type timing struct {
	interval, timeout, degraded time.Duration
	failures, successes         int
}

// validateTiming checks the timing values written at prefix. intervalFrom
// names where the interval came from when it was inherited, for the
// message about a timeout that does not fit it.
func (p *parser) validateTiming(prefix string, t timing, intervalFrom string) {
	at := func(key string) (string, bool) { return prefix + "." + key, p.isSet(prefix + "." + key) }
	if path, ok := at("interval"); ok && t.interval <= 0 {
		p.fail(path, "must be greater than 0, got %s", p.show(path, t.interval))
	}
	if path, ok := at("timeout"); ok {
		switch {
		case t.timeout <= 0:
			p.fail(path, "must be greater than 0, got %s", p.show(path, t.timeout))
		case t.interval > 0 && t.timeout >= t.interval:
			from, ip := "", prefix+".interval"
			if _, own := at("interval"); !own && intervalFrom != "" {
				from, ip = ", from "+intervalFrom, intervalFrom
			}
			p.fail(path, "%s is not shorter than the interval (%s%s); leave timeout out to use 80%% of the interval",
				p.show(path, t.timeout), p.show(ip, t.interval), from)
		}
	}
	if path, ok := at("failure_threshold"); ok && t.failures < 1 {
		p.fail(path, "must be at least 1, got %s", p.show(path, t.failures))
	}
	if path, ok := at("success_threshold"); ok && t.successes < 1 {
		p.fail(path, "must be at least 1, got %s", p.show(path, t.successes))
	}
	if path, ok := at("degraded_latency"); ok && t.degraded <= 0 {
		p.fail(path, "must be greater than 0, got %s", p.show(path, t.degraded))
	}
}

func (p *parser) validateChecks(path string, comp *Component, checkIDs map[string]string) {
	names := map[string]string{}
	for ki := range comp.Checks {
		k := &comp.Checks[ki]
		kp := fmt.Sprintf("%s.checks[%d]", path, ki)
		if p.validateID(kp+".name", k.Name) {
			if first, dup := names[k.Name]; dup {
				p.fail(kp+".name", "check %s is already defined in this component at line %d", p.quote(kp+".name", k.Name), p.node(first).Line)
			} else {
				names[k.Name] = kp + ".name"
				// Ids may contain dots, so "a.b"+"c" and "a"+"b.c" meet.
				if first, dup := checkIDs[k.ID]; dup {
					p.fail(kp+".name", "makes the check id %s, which %s at line %d already has",
						strconv.Quote(p.shown(path+".id", comp.ID)+"."+p.shown(kp+".name", k.Name)), parentPath(first), p.node(first).Line)
				} else if validID(comp.ID) {
					checkIDs[k.ID] = kp + ".name"
				}
			}
		}
		p.validateTiming(kp, timing{
			interval: k.Interval, timeout: k.Timeout, degraded: k.DegradedLatency,
			failures: k.FailureThreshold, successes: k.SuccessThreshold,
		}, "defaults.interval")

		var kinds []string
		p.validateExpiry(kp, k)
		for _, kind := range checkKinds {
			if p.isSet(kp + "." + kind) {
				kinds = append(kinds, kind)
			}
		}
		switch len(kinds) {
		case 0:
			p.fail(kp, "a check needs one of %s", kindsText)
			continue
		case 1:
		default:
			for _, extra := range kinds[1:] {
				p.failKey(kp+"."+extra, "a check has exactly one of %s; this one already has %s", kindsText, kinds[0])
			}
			continue
		}
		p.validateCheckRegions(kp, k)
		switch {
		case k.HTTP != nil:
			p.validateHTTP(kp+".http", k.HTTP)
		case k.TCP != nil:
			p.validateTCP(kp+".tcp", k.TCP)
		case k.ICMP != nil:
			p.validateICMP(kp+".icmp", k.ICMP)
		case k.DNS != nil:
			p.validateDNS(kp+".dns", k.DNS)
		case k.TLS != nil:
			p.validateTLS(kp+".tls", k.TLS)
		case k.Push != nil:
			p.validatePush(kp+".push", k.Push)
		case k.GRPC != nil:
			p.validateGRPC(kp+".grpc", k.GRPC)
		case k.WebSocket != nil:
			p.validateWebSocket(kp+".websocket", k.WebSocket)
		}
	}
}

func (p *parser) validateMaintenance(path string, m *Maintenance, components map[string]string) {
	if strings.TrimSpace(m.Name) == "" {
		p.fail(path+".name", "is required")
	}
	if m.Start.IsZero() {
		p.fail(path+".start", "is required (an RFC 3339 time such as 2026-12-01T02:00:00Z)")
	}
	switch {
	case !p.isSet(path + ".duration"):
		p.fail(path+".duration", "is required (such as 2h)")
	case m.Duration <= 0:
		p.fail(path+".duration", "must be greater than 0, got %s", p.show(path+".duration", m.Duration))
	}
	p.references(path+".components", m.Components, "component", "components", components)
}

func (p *parser) validateSubscriber(path string, s *Subscriber, components map[string]string) {
	if s.URL == "" {
		p.fail(path+".url", "is required")
	} else if msg := httpURLProblem(s.URL); msg != "" {
		p.fail(path+".url", "%s %s", p.quote(path+".url", s.URL), msg)
	}
	seen := map[string]bool{}
	for i, e := range s.Events {
		ep := fmt.Sprintf("%s.events[%d]", path, i)
		switch {
		case e != "incident" && e != "maintenance" && e != "component":
			p.fail(ep, "%s", p.oneOf(ep, e, "an event kind", "incident", "maintenance", "component"))
		case seen[e]:
			p.fail(ep, "%s is listed twice", p.quote(ep, e))
		}
		seen[e] = true
	}
	p.references(path+".components", s.Components, "component", "components", components)
}

func (p *parser) validateUsers(users []User) {
	tokens := map[Secret]string{}
	for i, u := range users {
		path := fmt.Sprintf("users[%d]", i)
		switch u.Role {
		case "admin", "editor", "viewer":
		case "":
			p.fail(path+".role", "is required: admin, editor or viewer")
		default:
			p.fail(path+".role", "%s", p.oneOf(path+".role", u.Role, "a role", "admin", "editor", "viewer"))
		}
		tp := path + ".token"
		tokenErr := auth.CheckToken(string(u.Token))
		switch first, dup := tokens[u.Token]; {
		case strings.TrimSpace(string(u.Token)) == "":
			p.fail(tp, "is required and must not be empty")
		case tokenErr != nil:
			// The API refuses the same tokens; a user it would not
			// accept must not be created from the file either.
			p.fail(tp, "%v", tokenErr)
		case dup:
			// The token itself stays out of the message.
			p.fail(tp, "is the same as the token of %s (line %d); a token must identify one user", parentPath(first), p.node(first).Line)
		default:
			tokens[u.Token] = tp
		}
	}
}

// uniqueIDs checks the ids of a list of n items and returns the valid
// ones, each with the path that defines it.
func (p *parser) uniqueIDs(list, what string, n int, id func(int) string) map[string]string {
	ids := map[string]string{}
	for i := range n {
		path := fmt.Sprintf("%s[%d].id", list, i)
		v := id(i)
		if !p.validateID(path, v) {
			continue
		}
		if first, dup := ids[v]; dup {
			p.fail(path, "%s id %s is already used by %s at line %d", what, p.quote(path, v), parentPath(first), p.node(first).Line)
			continue
		}
		ids[v] = path
	}
	return ids
}

// validateID checks the form of an id that is set, since ids appear in
// URLs and metric labels; it reports whether id is usable.
func (p *parser) validateID(path, id string) bool {
	if id == "" {
		p.fail(path, "is required")
		return false
	}
	if !validID(id) {
		p.fail(path, "%s is not a valid id: use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit", p.quote(path, id))
		return false
	}
	return true
}

// validID matches ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case i > 0 && (c == '_' || c == '.' || c == '-'):
		default:
			return false
		}
	}
	return true
}

func (p *parser) reference(path, id, what, plural string, defined map[string]string) {
	if _, ok := defined[id]; !ok {
		p.fail(path, "%s", p.unknownRef(path, what, plural, id, slices.Sorted(maps.Keys(defined))))
	}
}

func (p *parser) references(path string, ids []string, what, plural string, defined map[string]string) {
	seen := map[string]bool{}
	for i, id := range ids {
		ip := fmt.Sprintf("%s[%d]", path, i)
		if seen[id] {
			p.fail(ip, "%s is listed twice", p.quote(ip, id))
			continue
		}
		seen[id] = true
		p.reference(ip, id, what, plural, defined)
	}
}

// httpURLProblem says what keeps s from being an absolute http or https
// URL with a host and a usable port, or "" if nothing does. The message
// follows the quoted value; it never contains s, which may hold a secret.
func httpURLProblem(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "is not an http or https URL"
	}
	// "host:" means the scheme's port, as in net/http.
	if port := u.Port(); port != "" && !validPort(port, 1) {
		return "has a port outside 1 to 65535"
	}
	return ""
}

// validPort reports whether port is a decimal number from minPort to
// 65535, as the dialer and listeners take it.
func validPort(port string, minPort int) bool {
	if port == "" || strings.TrimLeft(port, "0123456789") != "" {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= minPort && n <= 65535
}

// hostPort checks a host:port address whose port is a number from
// minPort to 65535; needHost rejects ":80".
func (p *parser) hostPort(path, addr string, needHost bool, minPort int) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		p.fail(path, "%s is not host:port", p.quote(path, addr))
		return
	}
	if needHost && host == "" {
		p.fail(path, "%s has no host", p.quote(path, addr))
		return
	}
	if !validPort(port, minPort) {
		p.fail(path, "%s: the port must be a number from %d to 65535", p.quote(path, addr), minPort)
	}
}

// isToken reports whether s is an HTTP token (RFC 9110), the syntax of
// methods and header names.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
