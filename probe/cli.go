package probe

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/up-status/up/config"
)

// CheckFor builds the check that `up probe TARGET` runs: "http://..." or
// "https://..." probes a URL, "icmp://host" pings a host, "host:port"
// or "tcp://host:port" connects over TCP, "tls://host:port" shakes hands
// over TLS, and "dns://server/name?type=MX" asks a DNS server (the
// server is optional, "dns:///name" asks the system's; the query may
// also set transport=udp|tcp|tls and the check's assertions, as in
// "&answer_contains=mx1&min_answers=2"; the port defaults to 53, 853 for
// tls),
// and "grpc://host:port/service" asks a gRPC server's health service
// (the service is optional; "?tls=true" speaks TLS), and "ws://..." or
// "wss://..." opens a WebSocket. The check belongs to component "cli" and is named
// after its type (ID "cli.http"). What a probe reads is set, to the
// configuration's defaults for a check that names nothing but its target
// (config.DefaultMethod, config.DefaultMaxBodyBytes...), so that a
// one-off probe behaves like such a check. A timeout of 0 means
// config.DefaultTimeout.
func CheckFor(target string, timeout time.Duration) (*config.Check, error) {
	if timeout <= 0 {
		timeout = config.DefaultTimeout
	}
	c := &config.Check{Component: "cli", Timeout: timeout,
		TLSExpiryWarn: config.DefaultTLSExpiryWarn, TLSExpiryCritical: config.DefaultTLSExpiryCritical}
	scheme, _, hasScheme := strings.Cut(target, "://")
	switch strings.ToLower(scheme) {
	case "http", "https":
		u, err := url.Parse(target)
		if err != nil {
			return nil, fmt.Errorf("target %q: %w", target, err)
		}
		if u.Hostname() == "" {
			return nil, fmt.Errorf("target %q: missing host", target)
		}
		follow := true
		c.HTTP = &config.HTTPCheck{
			URL: target, Method: config.DefaultMethod, ExpectStatus: config.DefaultExpectStatus(),
			MaxBodyBytes: config.DefaultMaxBodyBytes, FollowRedirects: &follow,
		}
	case "icmp":
		u, err := url.Parse(target)
		if err != nil {
			return nil, fmt.Errorf("target %q: %w", target, err)
		}
		if u.Hostname() == "" || u.Port() != "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return nil, fmt.Errorf("target %q: want icmp://host", target)
		}
		c.ICMP = &config.ICMPCheck{Host: u.Hostname(), Count: config.DefaultICMPCount}
	case "tcp":
		u, err := url.Parse(target)
		if err != nil {
			return nil, fmt.Errorf("target %q: %w", target, err)
		}
		if _, err := parseEndpoint(u.Host); err != nil || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("target %q: want tcp://host:port", target)
		}
		c.TCP = &config.TCPCheck{Address: u.Host}
	case "tls":
		u, err := url.Parse(target)
		if err != nil {
			return nil, fmt.Errorf("target %q: %w", target, err)
		}
		if _, err := parseEndpoint(u.Host); err != nil || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("target %q: want tls://host:port", target)
		}
		c.TLS = &config.TLSCheck{Address: u.Host, MinVersion: config.DefaultTLSMinVersion}
	case "dns":
		d, err := dnsTarget(target)
		if err != nil {
			return nil, err
		}
		c.DNS = d
	case "ws", "wss":
		u, err := url.Parse(target)
		if err != nil {
			return nil, fmt.Errorf("target %q: %w", target, err)
		}
		if u.Hostname() == "" {
			return nil, fmt.Errorf("target %q: missing host", target)
		}
		c.WebSocket = &config.WebSocketCheck{URL: target}
	case "grpc":
		g, err := grpcTarget(target)
		if err != nil {
			return nil, err
		}
		c.GRPC = g
	default:
		if hasScheme {
			return nil, fmt.Errorf("target %q: unsupported scheme %q (want http, https, tcp, tls, dns, grpc, ws, wss or icmp)", target, scheme)
		}
		if _, err := parseEndpoint(target); err != nil {
			return nil, fmt.Errorf("target %q: want http(s)://URL, host:port or icmp://host", target)
		}
		c.TCP = &config.TCPCheck{Address: target}
	}
	c.Name = c.Type()
	c.ID = c.Component + "." + c.Name
	return c, nil
}

// dnsAssertions are the assertions of a DNS check that a dns:// target
// takes as query parameters, named as in the configuration file.
var dnsAssertions = []string{"rcode", "answer_contains", "answer_matches", "all_match", "min_answers", "soa_serial_min"}

// dnsTarget reads "dns://[server[:port]]/name[?type=T&transport=P]",
// with any of dnsAssertions as further parameters.
func dnsTarget(target string) (*config.DNSCheck, error) {
	const want = "want dns://server/name?type=T or dns:///name"
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", target, err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" || strings.Contains(name, "/") || u.User != nil || u.Fragment != "" {
		return nil, fmt.Errorf("target %q: %s", target, want)
	}
	d := &config.DNSCheck{Name: name, Type: config.DefaultDNSType, Transport: config.DefaultDNSTransport, Rcode: config.DefaultDNSRcode}
	for key, values := range u.Query() {
		v := values[len(values)-1]
		var err error
		switch key {
		case "type":
			d.Type = strings.ToUpper(v)
		case "transport":
			d.Transport = strings.ToLower(v)
		case "rcode":
			d.Rcode = strings.ToUpper(v)
		case "answer_contains":
			d.AnswerContains = v
		case "answer_matches":
			d.AnswerMatches, err = config.NewRegexp(v)
		case "all_match":
			d.AllMatch, err = config.NewRegexp(v)
		case "min_answers":
			d.MinAnswers, err = strconv.Atoi(v)
			if err == nil && d.MinAnswers < 0 {
				err = errors.New("must not be negative")
			}
		case "soa_serial_min":
			d.SOASerialMin, err = strconv.ParseInt(v, 10, 64)
		default:
			return nil, fmt.Errorf("target %q: unknown parameter %q (want type, transport, or an assertion: %s)", target, key, strings.Join(dnsAssertions, ", "))
		}
		if err != nil {
			// strconv's message would quote the text a second time.
			var ne *strconv.NumError
			if errors.As(err, &ne) {
				err = ne.Err
			}
			return nil, fmt.Errorf("target %q: %s=%s: %v", target, key, v, err)
		}
	}
	switch d.Transport {
	case "udp", "tcp", "tls":
	default:
		return nil, fmt.Errorf("target %q: transport %q (want udp, tcp or tls)", target, d.Transport)
	}
	if u.Host != "" {
		server := u.Host
		if u.Port() == "" {
			port := "53"
			if d.Transport == "tls" {
				port = "853"
			}
			server = net.JoinHostPort(strings.Trim(u.Host, "[]"), port)
		}
		if _, err := parseEndpoint(server); err != nil {
			return nil, fmt.Errorf("target %q: %s", target, want)
		}
		d.Server = server
	}
	return d, nil
}

// grpcTarget reads "grpc://host:port[/service][?tls=true]".
func grpcTarget(target string) (*config.GRPCCheck, error) {
	const want = "want grpc://host:port/service, the service optional"
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", target, err)
	}
	service := strings.TrimPrefix(u.Path, "/")
	if _, err := parseEndpoint(u.Host); err != nil || u.User != nil || strings.Contains(service, "/") || u.Fragment != "" {
		return nil, fmt.Errorf("target %q: %s", target, want)
	}
	g := &config.GRPCCheck{Address: u.Host, Service: service}
	for key, values := range u.Query() {
		v := values[len(values)-1]
		if key != "tls" || (v != "true" && v != "false") {
			return nil, fmt.Errorf("target %q: unknown parameter %s=%s (want tls=true or tls=false)", target, key, v)
		}
		g.TLS = v == "true"
	}
	return g, nil
}
