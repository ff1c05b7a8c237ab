package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// invalidFiles maps each testdata/invalid-*.yml file to the errors it must
// produce, in order, one per line of the joined error. Each entry is a
// substring of its line starting at the line number; the test adds the
// file name in front, so "3:9: page.id: ..." must appear as
// "testdata/invalid-x.yml:3:9: page.id: ...".
var invalidFiles = map[string][]string{
	"invalid-syntax.yml":          {`3:1: YAML syntax error: did not find expected ',' or ']'`},
	"invalid-syntax-indent.yml":   {`4:1: YAML syntax error: did not find expected key`},
	"invalid-syntax-tab.yml":      {`3:1: YAML syntax error: tabs are not allowed for indentation; indent with spaces`},
	"invalid-syntax-tab-list.yml": {`4:3: YAML syntax error: tabs are not allowed for indentation; indent with spaces`},
	"invalid-syntax-anchor.yml":   {`3:1: YAML syntax error: unknown anchor 'nope' referenced`},
	// A valid multi-line flow list comes before the real mistake.
	"invalid-syntax-flow.yml":  {`6:1: YAML syntax error: did not find expected ',' or ']'`},
	"invalid-control-char.yml": {`2:14: control character U+0001 is not allowed`},
	"invalid-multi-doc.yml":    {`3:1: only one YAML document is allowed`},
	"invalid-root.yml":         {`1:1: expected a mapping, got a list`},
	// The URL is never quoted: it holds a password even when written in
	// the file.
	"invalid-storage.yml": {`3:13: storage.postgres: storage.path and storage.postgres exclude each other`},
	"invalid-cluster.yml": {
		`2:13: storage.postgres: is not a PostgreSQL URL (postgres://user:password@host:5432/up) or key=value`,
		`4:11: cluster.region: "eu west" is not a valid id`,
		`5:13: cluster.instance: "-node" is not a valid id`,
	},
	"invalid-cluster-sqlite.yml": {`2:1: cluster: requires storage.postgres: the instances of a cluster share one PostgreSQL database`},
	"invalid-regions.yml": {
		`2:19: cluster.region: unknown region "eu-wst"; did you mean "eu-west"?`,
		`6:10: regions[2].id: region id "eu-west" is already used by regions[0] at line 4`,
		`7:10: regions[3].id: "all" cannot be a region id: a check's regions: all means every region`,
		`9:22: defaults.regions[1]: unknown region "mars"; defined regions: eu-west, us-east`,
		`14:28: components[0].checks[0].regions[1]: "us-east" is listed twice`,
		`14:37: components[0].checks[0].regions[2]: unknown region "eu-wset"; did you mean "eu-west"?`,
		`17:18: components[0].checks[1].regions: lists no region; write all, or the ids of the regions to probe from`,
		`20:18: components[0].checks[2].regions: expected all or a list of region ids, got the string "eu-west"; write [eu-west] for one region`,
		`23:9: components[0].checks[3].regions: does not apply to a push check: nothing probes it from a region, its job reports in`,
		`26:19: components[0].checks[4].regions[0]: write regions: all for every region, not inside a list`,
	},
	"invalid-quorum.yml": {
		`13:17: components[0].checks[0].quorum: "mostly" is not a quorum; use majority, all, any or a number of regions`,
		`16:17: components[0].checks[1].quorum: must be at least 1 region, got 0`,
		`20:17: components[0].checks[2].quorum: 3 is more than the check's 2 regions (eu-west, us-east)`,
		`23:18: components[0].checks[3].regions: selects 1 region, fewer than the quorum of 3 from defaults.quorum; list more, or set this check's quorum`,
		`26:17: components[0].checks[4].quorum: "2.5" is not a quorum`,
		`29:17: components[0].checks[5].quorum: "Majority" is not a quorum; use majority, all, any or a number of regions (did you mean "majority"?)`,
		`32:9: components[0].checks[6].quorum: does not apply to a push check`,
	},
	// One mistake, one error: the checks that inherit the quorum, one
	// of them with regions of its own, add none.
	"invalid-quorum-defaults.yml": {`4:40: defaults.quorum: 2 is more than the 1 region of defaults.regions`},
	"invalid-regions-cluster.yml": {`1:1: regions: requires a cluster section: regions are where the instances of a cluster probe from`},
	"invalid-regions-region.yml":  {`2:10: cluster.region: is required when regions are listed: name the region this instance probes from, one of eu-west, us-east`},
	"invalid-regions-empty.yml":   {`3:10: regions: lists no region; list at least one, or leave regions out for the one region "default"`},
	"invalid-regions-implicit.yml": {
		`7:19: components[0].checks[0].regions[0]: unknown region "eu-west": the file lists no regions, so its one region is "default"`,
		`10:17: components[0].checks[1].quorum: 2 is more than the check's 1 region (default)`,
	},

	"invalid-unknown-key.yml":      {`6:11: components[0].checks[0].http.urll: unknown key; did you mean "url"?`},
	"invalid-unknown-section.yml":  {`3:1: component: unknown key; did you mean "components"?`},
	"invalid-unknown-key-list.yml": {`3:5: groups[0].colour: unknown key; allowed keys are id, name, description`},
	"invalid-duplicate-key.yml":    {`4:3: page.id: key is already defined at line 2`},
	"invalid-merge.yml": {
		`7:46: components[0].checks[0].http.expect: unknown key; allowed keys are url, method,`,
		`7:46: components[0].checks[1].http.expect: unknown key; allowed keys are url, method,`,
	},
	"invalid-types.yml": {
		`2:11: api.public: expected true or false, got the string "yes"`,
		`5:13: components[0].checks: expected a list, got a mapping`,
		`11:18: components[1].checks[0].icmp.count: expected an integer, got the string "3"`,
	},
	"invalid-duration.yml": {
		`2:13: defaults.interval: "30" is not a duration; write a number with a unit, such as 30s, 2m or 1h30m`,
		`3:12: defaults.timeout: "5 minutes" is not a duration`,
	},
	"invalid-dns-tls.yml": {
		`3:24: defaults.tls_expiry_critical: tls_expiry_critical (72h0m0s) must be shorter than tls_expiry_warn (48h0m0s), or the warning never shows`,
		`8:21: components[0].checks[0].dns.name: "https://acme.example" is a URL; dns.name takes a domain name such as acme.example`,
		`8:51: components[0].checks[0].dns.type: "MXX" is not a record type; use A, AAAA, CNAME, MX, TXT, NS, SOA, SRV, CAA or PTR (did you mean "MX"?)`,
		`8:67: components[0].checks[0].dns.transport: "quic" is not a transport; use udp, tcp or tls`,
		`8:80: components[0].checks[0].dns.rcode: "NOPE" is not a response code`,
		`8:94: components[0].checks[0].dns.server: "ns.example" is not host:port`,
		`10:9: components[0].checks[1].tls_expiry_warn: only applies to checks that use TLS`,
		`11:35: components[0].checks[1].dns.server_name: only applies with transport: tls`,
		`11:60: components[0].checks[1].dns.soa_serial_min: only applies with type: SOA`,
		`11:92: components[0].checks[1].dns.min_answers: must be at least 1, got 0`,
		`13:24: components[0].checks[2].tls.address: "acme.example" is not host:port`,
		`13:53: components[0].checks[2].tls.min_version: "1.1" is not a TLS version; use "1.2" or "1.3"`,
		`15:30: components[0].checks[3].tls_expiry_critical: must not be negative (0 turns the rule off), got -24h0m0s`,
	},
	"invalid-url.yml": {
		`2:8: page.url: "status.acme.example" is not an http or https URL`,
		`7:21: components[0].checks[0].http.url: "htp://x" is not an http or https URL`,
		`10:16: components[0].checks[1].http.url: "https:///path" is not an http or https URL`,
		`13:10: subscribers[0].url: "ftp://hooks.acme.example/" is not an http or https URL`,
	},
	"invalid-duplicate-ids.yml": {
		`3:9: groups[1].id: group id "web" is already used by groups[0] at line 2`,
		`9:15: components[0].checks[1].name: check "home" is already defined in this component at line 7`,
		`11:9: components[1].id: component id "website" is already used by components[0] at line 5`,
		`14:10: maintenance[1].id: maintenance id "m1" is already used by maintenance[0] at line 13`,
		`17:10: subscribers[1].id: subscriber id "ops" is already used by subscribers[0] at line 16`,
		`20:10: users[1].id: user id "admin" is already used by users[0] at line 19`,
	},
	"invalid-check-id.yml": {
		`8:15: components[1].checks[0].name: makes the check id "a.b.c", which components[0].checks[0] at line 4 already has`,
		`10:15: components[1].checks[1].name: is required`,
	},
	"invalid-ids.yml": {
		`2:7: page.id: "acme status" is not a valid id: use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit`,
		`4:9: groups[0].id: "-web" is not a valid id`,
		`6:9: components[0].id: "web/site" is not a valid id`,
		`7:9: components[1].id: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" is not a valid id`,
		`8:5: components[2].id: is required`,
	},
	"invalid-unknown-group.yml": {
		`6:12: components[0].group: unknown group "wbe"; did you mean "web"?`,
		`8:12: components[1].group: unknown group "storage"; defined groups: backend, web`,
	},
	"invalid-unknown-component.yml": {
		`7:27: maintenance[0].components[1]: unknown component "databse"; did you mean "database"?`,
		`13:27: subscribers[0].components[1]: "website" is listed twice`,
		`13:36: subscribers[0].components[2]: unknown component "queue"; defined components: database, website`,
	},
	"invalid-thresholds.yml": {
		`2:22: defaults.failure_threshold: must be at least 1, got 0`,
		`7:28: components[0].checks[0].success_threshold: must be at least 1, got -1`,
		`8:27: components[0].checks[0].degraded_latency: must be greater than 0, got 0s`,
	},
	"invalid-timeout.yml": {
		`3:12: defaults.timeout: 30s is not shorter than the interval (30s); leave timeout out to use 80% of the interval`,
		`9:18: components[0].checks[0].timeout: 15s is not shorter than the interval (10s)`,
		`12:18: components[0].checks[1].timeout: 1m0s is not shorter than the interval (30s, from defaults.interval)`,
	},
	"invalid-check-protocol.yml": {
		`4:9: components[0].checks[0]: a check needs one of http, tcp, icmp, dns, tls, grpc, websocket or push`,
		`8:9: components[0].checks[1].tcp: a check has exactly one of http, tcp, icmp, dns, tls, grpc, websocket or push; this one already has http`,
	},
	"invalid-tcp-address.yml": {
		`5:24: components[0].checks[0].tcp.address: "mx.acme.example" is not host:port`,
		`7:24: components[0].checks[1].tcp.address: "mx.acme.example:smtp": the port must be a number from 1 to 65535`,
		`9:24: components[0].checks[2].tcp.address: ":25" has no host`,
		`11:24: components[0].checks[3].tcp.address: "mx.acme.example:70000": the port must be a number from 1 to 65535`,
		`13:14: components[0].checks[4].tcp.address: is required`,
	},
	"invalid-tls-options.yml": {
		`7:24: components[0].checks[0].tcp.server_name: only applies with tls: true`,
		`8:28: components[0].checks[0].tcp.tls_skip_verify: only applies with tls: true`,
	},
	"invalid-icmp.yml": {
		`5:39: components[0].checks[0].icmp.count: must be from 1 to 100, got 0`,
		`7:39: components[0].checks[1].icmp.count: must be from 1 to 100, got 101`,
		`9:46: components[0].checks[2].icmp.ip_version: "5" is not an IP version; use "4" or "6"`,
		`11:41: components[0].checks[3].icmp.ip_version: "4" contradicts host ::1, an IPv6 address`,
		`13:22: components[0].checks[4].icmp.host: "https://gw.example/" is a URL`,
	},
	"invalid-expect-status.yml": {
		`7:27: components[0].checks[0].http.expect_status[0]: "600" is outside the HTTP status codes 100-599`,
		`7:34: components[0].checks[0].http.expect_status[1]: range "299-200" runs backwards; write 200-299`,
		`7:45: components[0].checks[0].http.expect_status[2]: "ok" is not a status code or range such as 200, 200-299 or 2xx`,
		`7:49: components[0].checks[0].http.expect_status[3]: "99" is outside the HTTP status codes 100-599`,
	},
	"invalid-regex.yml": {
		"7:23: components[0].checks[0].http.body_regex: invalid regular expression: missing closing ): `Welcome (to`",
	},
	"invalid-http-auth.yml": {
		`7:34: components[0].checks[0].http.basic_auth.username: must not contain a colon, which ends the user name in Basic authentication`,
		`8:11: components[0].checks[0].http.bearer_token: cannot be used with basic_auth: both fill the Authorization header`,
		`13:13: components[0].checks[1].http.headers.authorization: cannot be used with bearer_token, which fills the Authorization header`,
		`18:23: components[0].checks[2].http.basic_auth.username: is required`,
		`19:25: components[0].checks[2].http.bearer_token: must not be empty`,
	},
	"invalid-http-ip-version.yml": {
		`5:59: components[0].checks[0].http.ip_version: "6" contradicts host 127.0.0.1, an IPv4 address`,
		`7:57: components[0].checks[1].http.ip_version: "ipv4" is not an IP version; use "4", "6", "prefer-4" or "prefer-6"`,
		`9:57: components[0].checks[2].http.ip_version: "prefer-ipv6" is not an IP version; use "4", "6", "prefer-4" or "prefer-6"`,
		// A preference falls back, so a literal of the other version is
		// no contradiction; icmp has no fallback to offer.
		`15:51: components[1].checks[0].icmp.ip_version: "prefer-6" is not an IP version; use "4" or "6"`,
	},
	"invalid-http-proxy.yml": {
		// The password written in the file is left out with the user.
		`5:57: components[0].checks[0].http.proxy_url: "socks5://proxy.acme.example:1080" has an unsupported scheme; up speaks to http:// and https:// proxies`,
		`7:57: components[0].checks[1].http.proxy_url: "proxy.acme.example:3128" needs a scheme: http:// or https://`,
		`12:11: components[0].checks[2].http.proxy_from_environment: cannot be used with proxy_url: the proxy is either written down or taken from the environment`,
		`14:57: components[0].checks[3].http.proxy_url: "http://proxy.acme.example:99999" has a port outside 1 to 65535`,
		`16:57: components[0].checks[4].http.proxy_url: "https://proxy.acme.example/squid" has a path, query or fragment; a proxy URL is scheme://[user:password@]host[:port]`,
		`21:11: components[0].checks[5].http.ip_version: cannot be used with proxy_from_environment: through a proxy, the proxy resolves the target and chooses its address`,
		`23:57: components[0].checks[6].http.proxy_url: "http:///" has no host`,
	},
	"invalid-http-version.yml": {
		`5:59: components[0].checks[0].http.http_version: "2" needs an https URL: HTTP/2 is agreed on in the TLS handshake, and up does not speak it in the clear`,
		`7:60: components[0].checks[1].http.http_version: "HTTP/2" is not an HTTP version; use "1.1" or "2"`,
		`9:60: components[0].checks[2].http.http_version: "2.0" is not an HTTP version; use "1.1" or "2"`,
	},
	"invalid-http-tls.yml": {
		`7:20: components[0].checks[0].http.ca_file: cannot read testdata/no-such-ca.pem: no such file or directory`,
		`11:20: components[0].checks[1].http.ca_file: invalid-http-auth.yml holds no PEM certificate`,
		`15:22: components[0].checks[2].http.cert_file: needs key_file, the certificate's private key`,
		`20:21: components[0].checks[3].http.key_file: ../../examples/tls/client.pem and ../../examples/tls/ca.pem do not make a client certificate`,
	},
	"invalid-http-options.yml": {
		`7:19: components[0].checks[0].http.method: "GE T" is not a valid HTTP method`,
		`8:27: components[0].checks[0].http.max_body_bytes: must be greater than 0, got 0`,
		`10:13: components[0].checks[0].http.headers.Bad Header: "Bad Header" is not a valid header name`,
		`11:13: components[0].checks[0].http.headers.accept: header "accept" is also set as "Accept"; header names ignore case`,
	},
	"invalid-incidents.yml": {
		`2:12: incidents.open_at: "partialoutage" is not a status that can open an incident; use DEGRADEDPERFORMANCE, PARTIALOUTAGE or MAJOROUTAGE (did you mean "PARTIALOUTAGE"?)`,
		`3:18: incidents.resolve_after: must not be negative, got -1m0s`,
	},
	"invalid-open-at.yml": {
		`2:12: incidents.open_at: "OUTAGE" is not a status that can open an incident; use DEGRADEDPERFORMANCE, PARTIALOUTAGE or MAJOROUTAGE`,
	},
	"invalid-maintenance.yml": {
		`4:5: maintenance[0].id: is required`,
		`4:5: maintenance[0].name: is required`,
		`4:5: maintenance[0].start: is required`,
		`4:5: maintenance[0].duration: is required`,
		`8:12: maintenance[1].start: "2026-12-01 02:00" is not an RFC 3339 time such as 2026-12-01T02:00:00Z`,
		`9:15: maintenance[1].duration: must be greater than 0, got 0s`,
	},
	"invalid-subscriber-events.yml": {
		`4:14: subscribers[0].events[0]: "incidents" is not an event kind; use incident, maintenance or component (did you mean "incident"?)`,
		`4:36: subscribers[0].events[2]: "component" is listed twice`,
	},
	"invalid-users.yml": {
		`3:11: users[0].role: "root" is not a role; use admin, editor or viewer`,
		`7:12: users[1].token: is the same as the token of users[0] (line 4); a token must identify one user`,
		`10:12: users[2].token: is required and must not be empty`,
		`11:5: users[3].role: is required: admin, editor or viewer`,
		// The API would refuse such a token; the message never holds it.
		`15:12: users[4].token: a token needs 16 to 256 characters, this one has 1`,
	},
	"invalid-listen.yml": {
		`2:8: listen.api: "localhost" is not host:port`,
		`3:14: listen.websocket: "127.0.0.1:99999": the port must be a number from 0 to 65535`,
	},
	"invalid-env.yml": {
		`4:13: subscribers[0].secret: environment variable UP_TEST_UNSET is not set`,
		`8:12: users[0].token: unterminated "${" (write "$$" for a literal dollar sign)`,
		`11:12: users[1].token: "1BAD" is not a valid environment variable name`,
	},
}

// testEnv is the environment the table runs with; nothing else is set.
func testEnv(name string) (string, bool) {
	v, ok := map[string]string{
		"UP_TEST_TOKEN":  "token-from-the-environment",
		"UP_TEST_REGION": "EU",
	}[name]
	return v, ok
}

func TestInvalidFiles(t *testing.T) {
	for name, want := range invalidFiles {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := ParseWithEnv(data, path, testEnv)
			if err == nil {
				t.Fatalf("parsed without error: %+v", cfg)
			}
			if cfg != nil {
				t.Errorf("returned a config along with the error")
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("an error shows a password of the file:\n%v", err)
			}
			got := strings.Split(err.Error(), "\n")
			for i, w := range want {
				if i >= len(got) {
					t.Errorf("missing error %d: %s", i, w)
					continue
				}
				if !strings.HasPrefix(got[i], path+":"+w) {
					t.Errorf("error %d\n got: %s\nwant: %s:%s", i, got[i], path, w)
				}
			}
			for _, extra := range got[min(len(want), len(got)):] {
				t.Errorf("unexpected error: %s", extra)
			}
		})
	}
}

// TestInvalidFilesAllListed keeps the table and testdata in step: a file
// nobody checks proves nothing.
func TestInvalidFilesAllListed(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid-*.yml")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
		if _, ok := invalidFiles[filepath.Base(f)]; !ok {
			t.Errorf("%s has no entry in invalidFiles", f)
		}
	}
	for name := range invalidFiles {
		if !slices.Contains(names, name) {
			t.Errorf("invalidFiles lists %s, which does not exist", name)
		}
	}
}

func TestErrorsAreTypedAndSorted(t *testing.T) {
	// Validation finds the page.id problem before the users problem; the
	// result must still follow the file.
	data := []byte(`users:
  - {id: u, role: god, token: token-of-user-u-0123}
page:
  id: "not valid"
groups:
  - {id: g, nmae: G}
`)
	_, err := ParseWithEnv(data, "c.yaml", nil)
	if err == nil {
		t.Fatal("no error")
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error %T does not unwrap to a list", err)
	}
	var lines []int
	for _, e := range joined.Unwrap() {
		var ce *Error
		if !errors.As(e, &ce) {
			t.Fatalf("%v is a %T, want *Error", e, e)
		}
		if ce.Source != "c.yaml" || ce.Path == "" || ce.Msg == "" {
			t.Errorf("incomplete error %#v", ce)
		}
		lines = append(lines, ce.Line)
	}
	if want := []int{2, 4, 6}; !slices.Equal(lines, want) {
		t.Errorf("error lines %v, want %v", lines, want)
	}
}

func TestAliasExpansionIsBounded(t *testing.T) {
	// Each level multiplies: 200 components × 200 checks × 200 status
	// ranges is eight million values from a few kilobytes.
	var b strings.Builder
	b.WriteString("x-s: &s [")
	b.WriteString(strings.Repeat(`"200",`, 200))
	b.WriteString("]\nx-k: &k {name: k, http: {url: \"http://a/\", expect_status: *s}}\n")
	b.WriteString("components:\n  - &c {id: c, checks: [")
	b.WriteString(strings.Repeat("*k,", 200))
	b.WriteString("]}\n")
	b.WriteString(strings.Repeat("  - *c\n", 200))
	_, err := ParseWithEnv([]byte(b.String()), "bomb.yaml", nil)
	if err == nil || !strings.Contains(err.Error(), "bomb.yaml:") || !strings.Contains(err.Error(), "too many values") {
		t.Fatalf("got %v, want an error about too many values", err)
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 1 {
		t.Errorf("got %d errors, want only the expansion error:\n%v", n, err)
	}
}
