package config

import (
	"slices"
	"strings"
	"testing"
)

func demoTargets(cfg *Config) []string {
	var got []string
	for _, k := range cfg.Checks() {
		got = append(got, k.ID+" "+k.Target())
	}
	return got
}

// TestDemoListenMovesWhatTheChecksProbe: the demo watches itself, so a
// demo moved to another address must probe that address, and its page
// URL must point there.
func TestDemoListenMovesWhatTheChecksProbe(t *testing.T) {
	tests := []struct {
		listen, probe, page string
	}{
		{"127.0.0.1:5020", "127.0.0.1:5020", "http://127.0.0.1:5020"},
		{"[::1]:5020", "[::1]:5020", "http://[::1]:5020"},
		{"0.0.0.0:5020", "127.0.0.1:5020", "http://127.0.0.1:5020"},
		{":5020", "127.0.0.1:5020", "http://127.0.0.1:5020"},
		{"[::]:5020", "[::1]:5020", "http://[::1]:5020"},
		{"localhost:5020", "localhost:5020", "http://localhost:5020"},
	}
	for _, tt := range tests {
		cfg, err := DemoWith(DemoOptions{Listen: tt.listen})
		if err != nil {
			t.Errorf("%s: %v", tt.listen, err)
			continue
		}
		if cfg.Listen.API != tt.listen || cfg.Listen.WebSocket != tt.listen {
			t.Errorf("%s: listens on %s and %s", tt.listen, cfg.Listen.API, cfg.Listen.WebSocket)
		}
		want := []string{"api.healthz http://" + tt.probe + "/healthz", "api.port " + tt.probe, "loopback.ping 127.0.0.1"}
		if got := demoTargets(cfg); !slices.Equal(got, want) {
			t.Errorf("%s: checks %q, want %q", tt.listen, got, want)
		}
		if cfg.Page.URL != tt.page {
			t.Errorf("%s: page URL %s, want %s", tt.listen, cfg.Page.URL, tt.page)
		}
	}
	for _, bad := range []string{"5020", "127.0.0.1:0", "127.0.0.1:70000", "a b:5020", "x\"\nusers: []\n#:5020", "h/x:1"} {
		if _, err := DemoWith(DemoOptions{Listen: bad}); err == nil || !strings.Contains(err.Error(), "listen address") {
			t.Errorf("--listen %q: err = %v, want a listen address error", bad, err)
		}
	}
}

func TestDemoWithoutICMPDropsThePing(t *testing.T) {
	cfg, err := DemoWith(DemoOptions{WithoutICMP: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := demoTargets(cfg), []string{"api.healthz http://127.0.0.1:5010/healthz", "api.port 127.0.0.1:5010"}; !slices.Equal(got, want) {
		t.Errorf("checks %q, want %q", got, want)
	}
	for _, c := range cfg.Components {
		if c.ID == "loopback" {
			t.Error("the loopback component stayed without its check: it would show a status set by nobody")
		}
	}
}

func TestDemoAdminTokenOnLoopbackOnly(t *testing.T) {
	const token = "up_0123456789abcdef0123"
	cfg, err := DemoWith(DemoOptions{AdminToken: token})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(cfg.Users, func(u User) bool { return u.ID == DemoAdminID })
	if i < 0 || cfg.Users[i].Role != "admin" || string(cfg.Users[i].Token) != token {
		t.Fatalf("users = %+v, want %s as admin with the token", cfg.Users, DemoAdminID)
	}
	if got := cfg.Redact("bearer " + token); strings.Contains(got, token) {
		t.Errorf("Redact left the token in: %s", got)
	}
	if !slices.ContainsFunc(cfg.Components, func(c Component) bool { return c.ID == DemoHandSet && len(c.Checks) == 0 }) {
		t.Errorf("no component %s without checks", DemoHandSet)
	}
	for _, listen := range []string{"0.0.0.0:5020", ":5020", "[::]:5020", "192.0.2.1:5020", "example.com:5020"} {
		if _, err := DemoWith(DemoOptions{Listen: listen, AdminToken: token}); err == nil || !strings.Contains(err.Error(), "beyond loopback") {
			t.Errorf("%s: err = %v, want a refusal", listen, err)
		}
	}
	if _, err := DemoWith(DemoOptions{Listen: "[::1]:5020", AdminToken: token}); err != nil {
		t.Errorf("[::1]: %v", err)
	}
	if _, err := DemoWith(DemoOptions{AdminToken: "short"}); err == nil {
		t.Error("a token the API refuses was accepted")
	}
}
