// Package config reads, checks and defaults the YAML file that describes what
// up watches. Every error it returns names the file, line, column and key.
package config

import (
	"regexp"
	"time"
)

// Config is one loaded, defaulted and validated configuration file.
type Config struct {
	Page        Page          `yaml:"page"`
	Listen      Listen        `yaml:"listen"`
	Storage     Storage       `yaml:"storage"`
	API         API           `yaml:"api"`
	Badges      Badges        `yaml:"badges"`
	Metrics     Metrics       `yaml:"metrics"`
	Defaults    Defaults      `yaml:"defaults"`
	Groups      []Group       `yaml:"groups"`
	Components  []Component   `yaml:"components"`
	Incidents   Incidents     `yaml:"incidents"`
	Maintenance []Maintenance `yaml:"maintenance"`
	Subscribers []Subscriber  `yaml:"subscribers"`
	Users       []User        `yaml:"users"`
	// Cluster, when present, makes this instance one of several sharing
	// storage.postgres.
	Cluster *Cluster `yaml:"cluster"`
	// Regions are the places a cluster probes from, in the file's order.
	// A file that lists none has the one region DefaultRegion.
	Regions []Region `yaml:"regions"`

	// Source is the name errors were reported against: the path given to
	// Load, the source given to Parse, "demo.yaml" for Demo.
	Source string `yaml:"-"`

	// secrets are the values taken from the environment, for Redact.
	secrets []string
}

// Page describes the status page itself.
type Page struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// URL is the public base URL; webhook links are built from it, so it
	// is kept without a trailing slash. Default: http://<listen.api>.
	URL string `yaml:"url"`
}

// Listen holds the listener addresses.
type Listen struct {
	API       string `yaml:"api"`
	WebSocket string `yaml:"websocket"`
}

// Storage says where state is kept: a SQLite file (Path, the default) or
// a PostgreSQL database (Postgres), never both.
type Storage struct {
	Path string `yaml:"path"`
	// Postgres is the URL of a PostgreSQL database (postgres://user:
	// password@host:port/database?sslmode=...) or a key=value connection
	// string. It holds a password, so it prints as <secret>.
	Postgres Secret `yaml:"postgres"`
}

// Cluster names this instance among those sharing one database.
type Cluster struct {
	// Region is where this instance probes from. Default "default".
	Region string `yaml:"region"`
	// Instance names this process among the members; empty means its
	// host name and a random suffix, chosen at start.
	Instance string `yaml:"instance"`
}

// API holds settings of the HTTP API.
type API struct {
	// Public lets anyone read status data without a token. Default true.
	Public *bool `yaml:"public"`
	// Origins the WebSocket accepts besides page.url's.
	Origins []string `yaml:"origins"`
}

// Badges holds settings of the status badges (GET /badge/...).
type Badges struct {
	// Public lets anyone fetch the badges even when api.public is false,
	// so that a README can embed them. Default false; with api.public
	// true they are public anyway.
	Public bool `yaml:"public"`
}

// Metrics chooses the optional Prometheus series, which cost exposition
// size per check.
type Metrics struct {
	// HTTPPhases exports probe_http_duration_seconds{phase}: five series
	// per HTTP check. Default false.
	HTTPPhases bool `yaml:"http_phases"`
	// DNSPhases exports probe_dns_duration_seconds{phase}: three series
	// per DNS check. Default false.
	DNSPhases bool `yaml:"dns_phases"`
	// TLSChainInfo exports probe_ssl_last_chain_info: one series of the
	// leaf certificate's fingerprint, subject, issuer, names and serial
	// per tls check. Default false.
	TLSChainInfo bool `yaml:"tls_chain_info"`
	// LatencyHistogram exports uptime_probe_latency_seconds per check:
	// eight series per check. Default true.
	LatencyHistogram *bool `yaml:"latency_histogram"`
}

// Defaults are inherited by every check that does not set its own value.
type Defaults struct {
	Interval         time.Duration `yaml:"interval"`
	Timeout          time.Duration `yaml:"timeout"`
	FailureThreshold int           `yaml:"failure_threshold"`
	SuccessThreshold int           `yaml:"success_threshold"`
	DegradedLatency  time.Duration `yaml:"degraded_latency"`
	// TLSExpiryWarn makes a probe whose certificate expires sooner than
	// this a degraded success (the check SLOW). Default 14 days.
	TLSExpiryWarn time.Duration `yaml:"tls_expiry_warn"`
	// TLSExpiryCritical makes it a failure. Default 3 days.
	TLSExpiryCritical time.Duration `yaml:"tls_expiry_critical"`
	// Regions a check is probed from. Default: all of them.
	Regions RegionRule `yaml:"regions"`
	// Quorum is how many of a check's regions must agree. Default:
	// majority.
	Quorum QuorumRule `yaml:"quorum"`
}

// Group gathers components on the status page.
type Group struct {
	ID          string `yaml:"id"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
}

// Component is one thing customers see a status for.
type Component struct {
	ID          string  `yaml:"id"`
	Name        string  `yaml:"name"`
	Description string  `yaml:"description"`
	Group       string  `yaml:"group"`
	Checks      []Check `yaml:"checks"`
}

// Check is one probe of one target. After loading, every timing and
// threshold field holds its effective value (own or inherited).
type Check struct {
	Name             string        `yaml:"name"`
	Interval         time.Duration `yaml:"interval"`
	Timeout          time.Duration `yaml:"timeout"`
	FailureThreshold int           `yaml:"failure_threshold"`
	SuccessThreshold int           `yaml:"success_threshold"`
	DegradedLatency  time.Duration `yaml:"degraded_latency"`
	// TLSExpiryWarn and TLSExpiryCritical apply to every check that
	// shakes hands over TLS (https, tcp with tls, tls, dns over tls); 0
	// turns the rule off.
	TLSExpiryWarn     time.Duration `yaml:"tls_expiry_warn"`
	TLSExpiryCritical time.Duration `yaml:"tls_expiry_critical"`
	// RegionRule and QuorumRule are the check's `regions` and `quorum`
	// keys as written, or as inherited from defaults; what they come to
	// is in Regions and Quorum.
	RegionRule RegionRule `yaml:"regions"`
	QuorumRule QuorumRule `yaml:"quorum"`
	// Regions are the ids of the regions the check is probed from, in
	// the order of the file's regions. Set by Load; empty for a push
	// check, which nothing probes: its job reports in.
	Regions []string `yaml:"-"`
	// Quorum is how many of Regions must agree for the check to take a
	// state from them (package quorum holds the rules), from 1 to
	// len(Regions). Set by Load; 0 for a push check.
	Quorum int `yaml:"-"`

	// Exactly one of these is set.
	HTTP *HTTPCheck `yaml:"http"`
	TCP  *TCPCheck  `yaml:"tcp"`
	ICMP *ICMPCheck `yaml:"icmp"`
	DNS  *DNSCheck  `yaml:"dns"`
	TLS  *TLSCheck  `yaml:"tls"`
	Push *PushCheck `yaml:"push"`
	GRPC *GRPCCheck `yaml:"grpc"`
	// WebSocket, unlike the others, is spelled out: "ws" would read as
	// an abbreviation of something else.
	WebSocket *WebSocketCheck `yaml:"websocket"`

	// ID is "<component>.<check name>", unique in the file. Set by Load.
	ID string `yaml:"-"`
	// Component is the id of the component the check belongs to. Set by Load.
	Component string `yaml:"-"`

	// target is what Target returns, worked out once by Load.
	target string
}

// Type names the protocol of the check: "http", "tcp", "icmp", "dns",
// "tls", "grpc" or "websocket".
func (c *Check) Type() string {
	switch {
	case c.HTTP != nil:
		return "http"
	case c.TCP != nil:
		return "tcp"
	case c.ICMP != nil:
		return "icmp"
	case c.DNS != nil:
		return "dns"
	case c.TLS != nil:
		return "tls"
	case c.Push != nil:
		return "push"
	case c.GRPC != nil:
		return "grpc"
	case c.WebSocket != nil:
		return "websocket"
	}
	return ""
}

// Target is what the check probes, in the form every display of it uses
// (metric labels, the API, the page, logs, incident bodies): the URL,
// host:port or host as written (a DNS check as dns://server/name?type=T,
// the form `up probe` takes), with each part taken from the environment
// shown as <secret> and a URL's user information left out. Probing uses
// the fields themselves (HTTP.URL, TCP.Address, ICMP.Host).
func (c *Check) Target() string {
	if c.target != "" {
		return c.target
	}
	// A check built in code rather than loaded: nothing in it came from
	// the environment, but a URL may still carry a password.
	switch {
	case c.HTTP != nil:
		return withoutUserinfo(c.HTTP.URL)
	case c.TCP != nil:
		return c.TCP.Address
	case c.ICMP != nil:
		return c.ICMP.Host
	case c.DNS != nil:
		return c.DNS.target(c.DNS.Server, c.DNS.Name)
	case c.TLS != nil:
		return c.TLS.Address
	case c.Push != nil:
		return PushTarget
	case c.GRPC != nil:
		return grpcTarget(c.GRPC.Address, c.GRPC.Service)
	case c.WebSocket != nil:
		return withoutUserinfo(c.WebSocket.URL)
	}
	return ""
}

// HTTPCheck probes a URL.
type HTTPCheck struct {
	URL     string            `yaml:"url"`
	Method  string            `yaml:"method"` // default GET
	Headers map[string]Secret `yaml:"headers"`
	Body    string            `yaml:"body"`
	// ExpectStatus lists accepted codes and ranges ("200", "200-299").
	// Default: 200-299.
	ExpectStatus    []StatusRange `yaml:"expect_status"`
	BodyContains    string        `yaml:"body_contains"`
	BodyRegex       *Regexp       `yaml:"body_regex"`
	FollowRedirects *bool         `yaml:"follow_redirects"` // default true
	TLSSkipVerify   bool          `yaml:"tls_skip_verify"`
	// MaxBodyBytes caps how much of the body is read. Default 1 MiB.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// ExpectJSON tests values of the body read as JSON, ExpectHeaders
	// the response headers; every assertion must pass.
	ExpectJSON    []JSONAssertion   `yaml:"expect_json"`
	ExpectHeaders []HeaderAssertion `yaml:"expect_headers"`
	// BasicAuth and BearerToken fill the Authorization header; at most
	// one of them, and neither beside an Authorization header.
	BasicAuth   *BasicAuth `yaml:"basic_auth"`
	BearerToken Secret     `yaml:"bearer_token"`
	// CAFile is a PEM file of the certificate authorities to trust
	// instead of the system's; CertFile and KeyFile, both or neither,
	// the client certificate for servers that ask for one (mTLS).
	// Relative paths start at the configuration file's directory. All
	// are read when the configuration loads (see LoadTLSFiles).
	CAFile   string `yaml:"ca_file"`
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	tlsFiles tlsFiles
	// IPVersion keeps to "4" or "6", for every request of a redirect
	// chain; "prefer-4" or "prefer-6" connects over that version when
	// the name has an address of it and over the other otherwise; empty
	// takes the addresses in the resolver's order.
	IPVersion string `yaml:"ip_version"`
	// HTTPVersion is "1.1" to speak HTTP/1.1 only, or "2" to require
	// HTTP/2, which an https server agrees to in the TLS handshake
	// (ALPN); empty offers both and lets the server choose.
	HTTPVersion string `yaml:"http_version"`
	// ProxyURL sends every request of the check through this proxy,
	// http:// or https://, tunnelling with CONNECT to https targets. A
	// user and password in it authenticate to the proxy, so the whole
	// URL is a secret and never printed.
	ProxyURL Secret `yaml:"proxy_url"`
	// ProxyFromEnvironment takes the proxy from HTTP_PROXY, HTTPS_PROXY
	// and NO_PROXY instead, as most HTTP clients do. Default false: a
	// check reaches its target directly unless told otherwise.
	ProxyFromEnvironment bool `yaml:"proxy_from_environment"`
}

// BasicAuth is HTTP Basic authentication (RFC 7617).
type BasicAuth struct {
	Username string `yaml:"username"`
	Password Secret `yaml:"password"`
}

// StatusRange is an inclusive range of HTTP status codes.
type StatusRange struct {
	Low, High int
}

// TCPCheck connects to host:port.
type TCPCheck struct {
	Address       string `yaml:"address"`
	TLS           bool   `yaml:"tls"`
	TLSSkipVerify bool   `yaml:"tls_skip_verify"`
	ServerName    string `yaml:"server_name"`
	// Send is written after connecting; Expect must then appear in what
	// the peer answers.
	Send   string `yaml:"send"`
	Expect string `yaml:"expect"`
}

// ICMPCheck pings a host.
type ICMPCheck struct {
	Host  string `yaml:"host"`
	Count int    `yaml:"count"` // default 1
	// IPVersion forces "4" or "6"; empty lets resolution choose.
	IPVersion string `yaml:"ip_version"`
}

// DNSCheck asks a DNS server one question and checks the answer.
type DNSCheck struct {
	// Server is host:port; empty asks the first nameserver of
	// /etc/resolv.conf.
	Server string `yaml:"server"`
	Name   string `yaml:"name"`
	// Type is the record type asked for: A (default), AAAA, CNAME, MX,
	// TXT, NS, SOA, SRV, CAA or PTR.
	Type string `yaml:"type"`
	// Transport is udp (default), tcp or tls (DNS over TLS).
	Transport     string `yaml:"transport"`
	TLSSkipVerify bool   `yaml:"tls_skip_verify"`
	ServerName    string `yaml:"server_name"`
	// Rcode is the response code the answer must have. Default NOERROR.
	Rcode string `yaml:"rcode"`
	// The assertions look at the answer records of the asked type:
	// AnswerContains must be in the value of one of them, AnswerMatches
	// must match one, AllMatch must match every one.
	AnswerContains string  `yaml:"answer_contains"`
	AnswerMatches  *Regexp `yaml:"answer_matches"`
	AllMatch       *Regexp `yaml:"all_match"`
	MinAnswers     int     `yaml:"min_answers"`
	// SOASerialMin is the lowest SOA serial accepted (type SOA only).
	SOASerialMin int64 `yaml:"soa_serial_min"`
}

// target is the check's display form from the printable server and name.
func (d *DNSCheck) target(server, name string) string {
	t := d.Type
	if t == "" {
		t = DefaultDNSType
	}
	return "dns://" + server + "/" + name + "?type=" + t
}

// TLSCheck shakes hands with host:port over TLS and checks the
// certificate, without sending anything.
type TLSCheck struct {
	Address string `yaml:"address"`
	// ServerName is sent as SNI and verified; default: the host of Address.
	ServerName    string `yaml:"server_name"`
	TLSSkipVerify bool   `yaml:"tls_skip_verify"`
	// MinVersion is the oldest TLS version accepted: "1.2" (default) or "1.3".
	MinVersion string `yaml:"min_version"`
}

// PushCheck is a check nothing probes: a cron job or a backup reports
// in at POST or GET /push/<token>, and the check fails when no report
// came within Period + Grace.
type PushCheck struct {
	// Token is the secret in the push URL; only its hash is kept in
	// memory, and it never shows as the check's target.
	Token Secret `yaml:"token"`
	// Period is how often the job reports.
	Period time.Duration `yaml:"period"`
	// Grace is how late a report may be before the check fails. Default
	// a tenth of Period.
	Grace time.Duration `yaml:"grace"`
}

// PushTarget is every push check's target: the token is a secret.
const PushTarget = "push"

// GRPCCheck asks a gRPC server's standard health service
// (grpc.health.v1.Health/Check) whether it serves.
type GRPCCheck struct {
	Address string `yaml:"address"`
	// Service is the service asked about; empty asks about the server
	// as a whole.
	Service       string `yaml:"service"`
	TLS           bool   `yaml:"tls"`
	TLSSkipVerify bool   `yaml:"tls_skip_verify"`
	ServerName    string `yaml:"server_name"`
	// Metadata is sent with the call, as request headers are with HTTP.
	Metadata map[string]Secret `yaml:"metadata"`
}

// grpcTarget is a gRPC check's display form, the one `up probe` takes:
// grpc://host:port/service.
func grpcTarget(address, service string) string {
	return "grpc://" + address + "/" + service
}

// WebSocketCheck opens a WebSocket (an HTTP upgrade answered with 101)
// and optionally exchanges a text message.
type WebSocketCheck struct {
	URL           string            `yaml:"url"` // ws:// or wss://
	Headers       map[string]Secret `yaml:"headers"`
	TLSSkipVerify bool              `yaml:"tls_skip_verify"`
	// CAFile, CertFile and KeyFile are as an HTTP check's, for wss://.
	CAFile   string `yaml:"ca_file"`
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	tlsFiles tlsFiles
	// Send is written as a text message once the socket is open.
	Send string `yaml:"send"`
	// Expect must be in a message the server sends, or ExpectRegex
	// match one; the first messages up to the timeout are read.
	Expect      string  `yaml:"expect"`
	ExpectRegex *Regexp `yaml:"expect_regex"`
}

// Regexp is a compiled regular expression that reads and writes as text.
type Regexp struct {
	*regexp.Regexp
}

// Incidents sets how incidents are opened and resolved automatically.
type Incidents struct {
	// OpenAt is the lowest component status that opens an incident.
	OpenAt string `yaml:"open_at"`
	// ResolveAfter is how long a recovered component must stay
	// operational before its incident is resolved.
	ResolveAfter time.Duration `yaml:"resolve_after"`
	// ReopenWithin: a component failing again less than this after its
	// incident was resolved reopens that incident instead of opening a
	// new one. 0 always opens a new one. Default 30m.
	ReopenWithin time.Duration `yaml:"reopen_within"`
	// KeepResolved and KeepResolvedPerComponent cap the resolved
	// incidents held in memory and shown on the page (newest kept; all
	// stay in the store and the API). 0 sets no cap. Defaults 500 and 20.
	KeepResolved             int `yaml:"keep_resolved"`
	KeepResolvedPerComponent int `yaml:"keep_resolved_per_component"`
}

// Maintenance is a planned window during which components are expected
// to be unavailable.
type Maintenance struct {
	ID          string        `yaml:"id"`
	Name        string        `yaml:"name"`
	Description string        `yaml:"description"`
	Components  []string      `yaml:"components"`
	Start       time.Time     `yaml:"start"`
	Duration    time.Duration `yaml:"duration"`
}

// Subscriber receives webhooks.
type Subscriber struct {
	ID     string `yaml:"id"`
	URL    string `yaml:"url"`
	Secret Secret `yaml:"secret"`
	// Events filters by kind: incident, maintenance, component. Empty = all.
	Events []string `yaml:"events"`
	// Components limits component and incident webhooks to these ids. Empty = all.
	Components []string `yaml:"components"`
}

// User may call the API with a bearer token.
type User struct {
	ID    string `yaml:"id"`
	Name  string `yaml:"name"`
	Email string `yaml:"email"`
	Role  string `yaml:"role"` // admin | editor | viewer
	Token Secret `yaml:"token"`
}
