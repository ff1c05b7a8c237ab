package probe

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/config"
)

func TestCheckFor(t *testing.T) {
	tests := []struct {
		target, typ, probed string
	}{
		{"https://acme.example/health", "http", "https://acme.example/health"},
		{"HTTP://acme.example", "http", "HTTP://acme.example"},
		{"icmp://acme.example", "icmp", "acme.example"},
		{"icmp://[::1]/", "icmp", "::1"},
		{"acme.example:443", "tcp", "acme.example:443"},
		{"[::1]:22", "tcp", "[::1]:22"},
		{"tcp://acme.example:5432", "tcp", "acme.example:5432"},
		{"TCP://[::1]:22/", "tcp", "[::1]:22"},
	}
	for _, tt := range tests {
		c, err := CheckFor(tt.target, 2*time.Second)
		if err != nil {
			t.Errorf("CheckFor(%q): %v", tt.target, err)
			continue
		}
		if c.Type() != tt.typ || c.Target() != tt.probed || c.ID != "cli."+tt.typ || c.Component != "cli" || c.Name != tt.typ || c.Timeout != 2*time.Second {
			t.Errorf("CheckFor(%q) = type %q target %q id %q component %q name %q timeout %v",
				tt.target, c.Type(), c.Target(), c.ID, c.Component, c.Name, c.Timeout)
		}
		if _, err := New(c, Options{}); err != nil {
			t.Errorf("New(CheckFor(%q)): %v", tt.target, err)
		}
	}
	if c, _ := CheckFor("acme.example:80", 0); c.Timeout != config.DefaultTimeout {
		t.Errorf("timeout 0 = %v, want %v", c.Timeout, config.DefaultTimeout)
	}
}

// TestCheckForIsTheFilesCheck: a one-off probe is the check a file gets
// when it names nothing but the target, with the file's defaults.
func TestCheckForIsTheFilesCheck(t *testing.T) {
	cfg, err := config.ParseWithEnv([]byte(`components:
  - id: cli
    checks:
      - {name: http, timeout: 2s, http: {url: "https://acme.example/health"}}
      - {name: icmp, timeout: 2s, icmp: {host: acme.example}}
      - {name: tcp, timeout: 2s, tcp: {address: "acme.example:443"}}
`), "cli.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range cfg.Components[0].Checks {
		target := want.Target()
		if want.ICMP != nil {
			target = "icmp://" + target
		}
		got, err := CheckFor(target, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.HTTP, want.HTTP) || !reflect.DeepEqual(got.ICMP, want.ICMP) || !reflect.DeepEqual(got.TCP, want.TCP) {
			t.Errorf("CheckFor(%q) = %+v %+v %+v, the file has %+v %+v %+v", target, got.HTTP, got.ICMP, got.TCP, want.HTTP, want.ICMP, want.TCP)
		}
		if got.ID != want.ID || got.Timeout != want.Timeout {
			t.Errorf("CheckFor(%q): id %q timeout %v, the file has %q %v", target, got.ID, got.Timeout, want.ID, want.Timeout)
		}
	}
}

func TestCheckForRefusesNonsense(t *testing.T) {
	tests := map[string]string{
		"acme.example":          "want http(s)://URL, host:port or icmp://host",
		"":                      "want http(s)://URL, host:port or icmp://host",
		"acme.example:https":    "want http(s)://URL, host:port or icmp://host",
		"ftp://acme.example/":   `unsupported scheme "ftp"`,
		"https://":              "missing host",
		"icmp://acme.example:7": "want icmp://host",
		"icmp://acme.example/x": "want icmp://host",
		"http://[::1/":          "missing ']'",
		"tcp://acme.example":    "want tcp://host:port",
		"tcp://acme.example:0":  "want tcp://host:port",
		"tcp://:5432":           "want tcp://host:port",
		"tcp://db:5432/x":       "want tcp://host:port",
		"tcp://db:5432?a=b":     "want tcp://host:port",
		"tcp://u@db:5432":       "want tcp://host:port",
		"udp://db:53":           `unsupported scheme "udp" (want http, https, tcp or icmp)`,
	}
	for target, want := range tests {
		c, err := CheckFor(target, time.Second)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckFor(%q) = %+v, %v; want error containing %q", target, c, err, want)
		}
	}
}
