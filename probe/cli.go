package probe

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/up-status/up/config"
)

// CheckFor builds the check that `up probe TARGET` runs: "http://..." or
// "https://..." probes a URL, "icmp://host" pings a host, "host:port"
// or "tcp://host:port" connects over TCP. The check belongs to component "cli" and is named
// after its type (ID "cli.http"). What a probe reads is set, to the
// configuration's defaults for a check that names nothing but its target
// (config.DefaultMethod, config.DefaultMaxBodyBytes...), so that a
// one-off probe behaves like such a check. A timeout of 0 means
// config.DefaultTimeout.
func CheckFor(target string, timeout time.Duration) (*config.Check, error) {
	if timeout <= 0 {
		timeout = config.DefaultTimeout
	}
	c := &config.Check{Component: "cli", Timeout: timeout}
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
	default:
		if hasScheme {
			return nil, fmt.Errorf("target %q: unsupported scheme %q (want http, https, tcp or icmp)", target, scheme)
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
