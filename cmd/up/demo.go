package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/up-status/up/auth"
	"github.com/up-status/up/config"
	"github.com/up-status/up/probe"
)

// demoOptions decides, once at start, how the built-in demo runs here:
// on --listen's address, with a fresh admin token when it listens on
// loopback only, and without its ping check when this user may not ping.
// Reloads reuse the result, so the token stays the same while up runs.
func demoOptions(ctx context.Context, listen string, log *slog.Logger) (config.DemoOptions, error) {
	o := config.DemoOptions{Listen: listen}
	cfg, err := config.DemoWith(o)
	if err != nil {
		return o, err
	}
	if config.IsLoopback(cfg.Listen.API) && config.IsLoopback(cfg.Listen.WebSocket) {
		o.AdminToken = auth.NewToken()
	} else {
		log.Warn("the demo listens beyond loopback, so it has no admin token and takes no writes", "api", cfg.Listen.API)
	}
	if !mayPing(ctx, cfg) {
		o.WithoutICMP = true
		log.Warn("the demo leaves out its ping check: this user may not open an ICMP socket",
			"how", "run as root, grant CAP_NET_RAW (sudo setcap cap_net_raw+ep BINARY), or allow unprivileged ping (sudo sysctl -w net.ipv4.ping_group_range=\"0 2147483647\")")
	}
	return o, nil
}

// mayPing runs the demo's ICMP checks once and reports false when the
// kernel refused this user the socket. Any other result, a lost echo
// included, is the check's to show.
func mayPing(ctx context.Context, cfg *config.Config) bool {
	for _, k := range cfg.Checks() {
		if k.ICMP == nil {
			continue
		}
		p, err := probe.New(k, probe.Options{})
		if err != nil {
			return true // the daemon reports it with the check's id
		}
		ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		res := p.Probe(ctx)
		cancel()
		if errors.Is(res.LocalCause, probe.ErrICMPNotPermitted) {
			return false
		}
	}
	return true
}

// printDemoWrite shows the demo's admin token with the one command that
// uses it: setting the status of the component without checks.
func printDemoWrite(w io.Writer, cfg *config.Config, token string) {
	fmt.Fprintf(w, `
The demo's admin token (a new one at every start; only this machine can reach the demo):

  %s

Set the status of the component %q with:

  curl -s -X PUT %s/components -H "Authorization: Bearer %s" -H 'Content-Type: application/json' -d '{"id":"%s","status":"DEGRADEDPERFORMANCE"}'

`, token, config.DemoHandSet, cfg.Page.URL, token, config.DemoHandSet)
}
