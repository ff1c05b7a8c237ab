package config

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"time"
)

// The values a file gets for what it leaves out. config.example.yaml
// states each of them; keep the two in step.
const (
	defaultPageID        = "up"
	defaultPageName      = "Status"
	defaultAPIListen     = "127.0.0.1:5010"
	defaultWSListen      = "127.0.0.1:5011"
	defaultStoragePath   = "./data/up.db"
	defaultReopenWithin  = 30 * time.Minute
	defaultKeepResolved  = 500
	defaultKeepPerComp   = 20
	defaultStatusLow     = 200
	defaultStatusHigh    = 299
	inheritedTimeoutPart = 0.8
)

// The defaults of checks and incidents, exported because they are also
// what code that builds a check or a status.Spec by hand (`up probe`,
// tests) should use: this file is the one place they are decided, and
// the packages that run checks take the values they are given.
const (
	// DefaultInterval is how often a check runs.
	DefaultInterval = 30 * time.Second
	// DefaultTimeout bounds one run of a check; an inherited timeout
	// that would not end before the next run is shrunk to fit.
	DefaultTimeout = 10 * time.Second
	// DefaultFailureThreshold failures in a row make a check DOWN.
	DefaultFailureThreshold = 3
	// DefaultSuccessThreshold successes in a row make it UP again.
	DefaultSuccessThreshold = 2
	// DefaultDegradedLatency makes a slower success SLOW.
	DefaultDegradedLatency = 2 * time.Second
	// DefaultOpenAt is the lowest component status that opens an incident.
	DefaultOpenAt = "PARTIALOUTAGE"
	// DefaultResolveAfter is how long a component stays operational
	// before its incident is resolved.
	DefaultResolveAfter = 5 * time.Minute
	// DefaultMethod is an HTTP check's request method.
	DefaultMethod = "GET"
	// DefaultMaxBodyBytes caps the body an HTTP check reads.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultICMPCount is how many echo requests an ICMP check sends.
	DefaultICMPCount = 1
	// DefaultTLSExpiryWarn: a certificate expiring sooner makes the
	// probe a degraded success.
	DefaultTLSExpiryWarn = 14 * 24 * time.Hour
	// DefaultTLSExpiryCritical: a certificate expiring sooner makes the
	// probe fail.
	DefaultTLSExpiryCritical = 3 * 24 * time.Hour
	// DefaultDNSType is the record type a DNS check asks for.
	DefaultDNSType = "A"
	// DefaultDNSTransport is how a DNS check reaches its server.
	DefaultDNSTransport = "udp"
	// DefaultDNSRcode is the response code a DNS check wants.
	DefaultDNSRcode = "NOERROR"
	// DefaultTLSMinVersion is the oldest TLS version a tls check accepts.
	DefaultTLSMinVersion = "1.2"
	// DefaultRegion is the region of an instance of a cluster that names
	// none, and the one region of a file that lists none.
	DefaultRegion = "default"
)

// DefaultExpectStatus is the status range an HTTP check accepts when the
// file names none: any 2xx. Each call returns a new slice.
func DefaultExpectStatus() []StatusRange {
	return []StatusRange{{Low: defaultStatusLow, High: defaultStatusHigh}}
}

// applyDefaults fills in everything the file left out; it is the only
// place defaults are decided. set reports whether the file gave a path a
// value, which is what tells an explicit zero (an error, found later by
// validation) from a missing key (defaulted here), and an inherited
// timeout (clamped to fit its interval) from an explicit one (which must
// fit or is an error).
func applyDefaults(c *Config, set func(path string) bool) {
	orString(&c.Listen.API, defaultAPIListen)
	orString(&c.Listen.WebSocket, defaultWSListen)
	orString(&c.Page.ID, defaultPageID)
	orString(&c.Page.Name, defaultPageName)
	if c.Page.URL == "" {
		c.Page.URL = urlOfListener(c.Listen.API)
	}
	// Links are built as page.url + "/path"; a trailing slash would double.
	c.Page.URL = strings.TrimRight(c.Page.URL, "/")
	// A database URL replaces the file; storage.path is not defaulted
	// then, so that setting both is an error rather than a guess.
	if c.Storage.Postgres == "" {
		orString(&c.Storage.Path, defaultStoragePath)
	}
	if c.Cluster != nil {
		orString(&c.Cluster.Region, DefaultRegion)
	}
	if !set("regions") {
		c.Regions = []Region{{ID: DefaultRegion}}
	}
	for i := range c.Regions {
		orString(&c.Regions[i].Name, c.Regions[i].ID)
	}
	if c.API.Public == nil {
		c.API.Public = ptr(true)
	}
	if c.Metrics.LatencyHistogram == nil {
		c.Metrics.LatencyHistogram = ptr(true)
	}

	d := &c.Defaults
	if !set("defaults.interval") {
		d.Interval = DefaultInterval
	}
	if !set("defaults.timeout") {
		d.Timeout = fitTimeout(DefaultTimeout, d.Interval)
	}
	if !set("defaults.failure_threshold") {
		d.FailureThreshold = DefaultFailureThreshold
	}
	if !set("defaults.success_threshold") {
		d.SuccessThreshold = DefaultSuccessThreshold
	}
	if !set("defaults.degraded_latency") {
		d.DegradedLatency = DefaultDegradedLatency
	}
	if !set("defaults.tls_expiry_warn") {
		d.TLSExpiryWarn = DefaultTLSExpiryWarn
	}
	if !set("defaults.tls_expiry_critical") {
		d.TLSExpiryCritical = DefaultTLSExpiryCritical
	}
	if !set("defaults.regions") {
		d.Regions = RegionRule{All: true}
	}
	if !set("defaults.quorum") {
		d.Quorum = QuorumRule{word: quorumMajority}
	}
	if !set("incidents.open_at") {
		c.Incidents.OpenAt = DefaultOpenAt
	}
	if !set("incidents.resolve_after") {
		c.Incidents.ResolveAfter = DefaultResolveAfter
	}
	if !set("incidents.reopen_within") {
		c.Incidents.ReopenWithin = defaultReopenWithin
	}
	if !set("incidents.keep_resolved") {
		c.Incidents.KeepResolved = defaultKeepResolved
	}
	if !set("incidents.keep_resolved_per_component") {
		c.Incidents.KeepResolvedPerComponent = defaultKeepPerComp
	}

	for i := range c.Groups {
		orString(&c.Groups[i].Name, c.Groups[i].ID)
	}
	regions := c.RegionIDs()
	for ci := range c.Components {
		comp := &c.Components[ci]
		orString(&comp.Name, comp.ID)
		for ki := range comp.Checks {
			prefix := fmt.Sprintf("components[%d].checks[%d].", ci, ki)
			checkDefaults(&comp.Checks[ki], comp.ID, d, prefix, set)
			checkRegions(&comp.Checks[ki], regions, d, prefix, set)
		}
	}
	for i := range c.Users {
		orString(&c.Users[i].Name, c.Users[i].ID)
	}
}

func checkDefaults(k *Check, component string, d *Defaults, prefix string, set func(string) bool) {
	k.Component = component
	k.ID = component + "." + k.Name
	if !set(prefix + "interval") {
		k.Interval = d.Interval
	}
	if !set(prefix + "timeout") {
		k.Timeout = fitTimeout(d.Timeout, k.Interval)
	}
	if !set(prefix + "failure_threshold") {
		k.FailureThreshold = d.FailureThreshold
	}
	if !set(prefix + "success_threshold") {
		k.SuccessThreshold = d.SuccessThreshold
	}
	if !set(prefix + "degraded_latency") {
		k.DegradedLatency = d.DegradedLatency
	}
	if !set(prefix + "tls_expiry_warn") {
		k.TLSExpiryWarn = d.TLSExpiryWarn
	}
	if !set(prefix + "tls_expiry_critical") {
		k.TLSExpiryCritical = d.TLSExpiryCritical
	}
	if h := k.HTTP; h != nil {
		orString(&h.Method, DefaultMethod)
		if len(h.ExpectStatus) == 0 {
			h.ExpectStatus = DefaultExpectStatus()
		}
		if !set(prefix + "http.max_body_bytes") {
			h.MaxBodyBytes = DefaultMaxBodyBytes
		}
		if h.FollowRedirects == nil {
			h.FollowRedirects = ptr(true)
		}
	}
	if k.ICMP != nil && !set(prefix+"icmp.count") {
		k.ICMP.Count = DefaultICMPCount
	}
	if d := k.DNS; d != nil {
		// Record types, codes and transports are case-insensitive in
		// the file and canonical everywhere after it.
		d.Type = strings.ToUpper(d.Type)
		d.Rcode = strings.ToUpper(d.Rcode)
		d.Transport = strings.ToLower(d.Transport)
		orString(&d.Type, DefaultDNSType)
		orString(&d.Rcode, DefaultDNSRcode)
		orString(&d.Transport, DefaultDNSTransport)
	}
	if t := k.TLS; t != nil {
		orString(&t.MinVersion, DefaultTLSMinVersion)
	}
	if pc := k.Push; pc != nil && !set(prefix+"push.grace") {
		pc.Grace = pc.Period / 10
	}
}

// checkRegions works out where a check is probed from and how many of
// those regions must agree, from its own keys or those of defaults. A
// push check gets none: nothing probes it, its job reports in.
func checkRegions(k *Check, regions []string, d *Defaults, prefix string, set func(string) bool) {
	if !set(prefix + "regions") {
		k.RegionRule = RegionRule{All: d.Regions.All, IDs: slices.Clone(d.Regions.IDs)}
	}
	if !set(prefix + "quorum") {
		k.QuorumRule = d.Quorum
	}
	if k.Push != nil {
		return
	}
	k.Regions = k.RegionRule.resolve(regions)
	k.Quorum = k.QuorumRule.Of(len(k.Regions))
}

// fitTimeout shrinks an inherited timeout that would not end before the
// next run: a check with a 5s interval under a 10s default timeout gets
// 4s rather than an error, so that only a timeout someone wrote down can
// be wrong.
func fitTimeout(timeout, interval time.Duration) time.Duration {
	if interval > 0 && timeout >= interval {
		return time.Duration(float64(interval) * inheritedTimeoutPart)
	}
	return timeout
}

// urlOfListener is the page URL a default install is reached at. A
// listener on all interfaces is reached as localhost from the machine
// itself; anything better needs page.url.
func urlOfListener(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func orString(s *string, def string) {
	if *s == "" {
		*s = def
	}
}

func ptr[T any](v T) *T { return &v }
