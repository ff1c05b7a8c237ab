package config

import (
	_ "embed"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/up-status/up/auth"
)

//go:embed demo.yaml
var demoYAML []byte

// The addresses demo.yaml is written for; DemoWith replaces them.
const (
	demoAPI = "127.0.0.1:5010"
	demoWS  = "127.0.0.1:5011"
)

// DemoAdminID is the id of the user DemoWith adds for DemoOptions.AdminToken.
const DemoAdminID = "demo-admin"

// DemoHandSet is the id of the demo's component without checks, whose
// status is set through the API.
const DemoHandSet = "docs"

// Demo returns the embedded configuration `up run` uses without a file:
// checks of the daemon's own listener on loopback, so that it works offline
// and shows live results at once. Each call returns a new Config.
func Demo() *Config {
	cfg, err := DemoWith(DemoOptions{})
	if err != nil {
		// demo.yaml is fixed at build time and tested; this is unreachable
		// unless it is edited into something invalid.
		panic(fmt.Sprintf("config: embedded demo.yaml is invalid: %v", err))
	}
	return cfg
}

// DemoOptions adapt the demo to where and how it runs.
type DemoOptions struct {
	// Listen, when set, is the address of both listeners. The checks
	// probe it (through loopback when it is a wildcard address) and the
	// page URL points at it, so the demo keeps watching itself.
	Listen string
	// WithoutICMP leaves out the components with an ICMP check, for a
	// user that may not ping: their checks could only fail, and a page
	// that opens on an outage of this machine's own making misleads.
	WithoutICMP bool
	// AdminToken, when set, adds the admin user DemoAdminID with this
	// token, so that the demo takes writes. Refused unless the demo
	// listens on loopback only: the token would open the API to whoever
	// reaches the listener.
	AdminToken string
}

// DemoWith is Demo adapted by o. Its errors concern o, not the file.
func DemoWith(o DemoOptions) (*Config, error) {
	text := string(demoYAML)
	if o.Listen != "" {
		probeAt, err := LocalAddr(o.Listen)
		if err != nil {
			return nil, err
		}
		quoted := strconv.Quote(o.Listen)
		for _, r := range []struct{ old, new string }{
			{`api: "` + demoAPI + `"`, "api: " + quoted},
			{`websocket: "` + demoWS + `"`, "websocket: " + quoted},
			{demoAPI, probeAt},
		} {
			if !strings.Contains(text, r.old) {
				return nil, fmt.Errorf("config: demo.yaml lacks %q", r.old)
			}
			text = strings.ReplaceAll(text, r.old, r.new)
		}
	}
	// The environment is not consulted: the demo must not depend on it.
	cfg, err := ParseWithEnv([]byte(text), "demo.yaml", nil)
	if err != nil {
		return nil, err
	}
	if o.WithoutICMP {
		cfg.Components = slices.DeleteFunc(cfg.Components, func(c Component) bool {
			return slices.ContainsFunc(c.Checks, func(k Check) bool { return k.ICMP != nil })
		})
	}
	if o.AdminToken != "" {
		if !IsLoopback(cfg.Listen.API) || !IsLoopback(cfg.Listen.WebSocket) {
			return nil, fmt.Errorf("the demo listens on %s, beyond loopback: it takes no admin token there", cfg.Listen.API)
		}
		if err := auth.CheckToken(o.AdminToken); err != nil {
			return nil, fmt.Errorf("demo admin token: %w", err)
		}
		cfg.Users = append(cfg.Users, User{ID: DemoAdminID, Name: "Demo admin", Role: "admin", Token: Secret(o.AdminToken)})
		cfg.secrets = append(cfg.secrets, o.AdminToken)
	}
	return cfg, nil
}

// LocalAddr returns the address at which this machine reaches a listener
// bound to listen: listen itself, or loopback for a wildcard address
// ("", 0.0.0.0, ::). It accepts only an IP or a host name and a port,
// since the demo writes the address into its YAML.
func LocalAddr(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("listen address %q is not host:port", listen)
	}
	if !validPort(port, 1) {
		return "", fmt.Errorf("listen address %q: the port must be a number from 1 to 65535", listen)
	}
	ip, ipErr := netip.ParseAddr(host)
	switch {
	case host == "" || (ipErr == nil && ip.Is4() && ip.IsUnspecified()):
		return net.JoinHostPort("127.0.0.1", port), nil
	case ipErr == nil && ip.IsUnspecified():
		return net.JoinHostPort("::1", port), nil
	case ipErr == nil:
		return listen, nil
	}
	for _, c := range host {
		if !(c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return "", fmt.Errorf("listen address %q: %q is neither an IP address nor a host name", listen, host)
		}
	}
	return listen, nil
}

// IsLoopback reports whether a listen address reaches this machine only:
// a loopback IP or "localhost". A wildcard address ("", 0.0.0.0, ::)
// listens on every interface and is not.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
