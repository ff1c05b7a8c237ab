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
		{"tls://acme.example:443", "tls", "acme.example:443"},
		{"dns://127.0.0.1:5353/acme.example?type=mx", "dns", "dns://127.0.0.1:5353/acme.example?type=MX"},
		{"dns://127.0.0.1/acme.example", "dns", "dns://127.0.0.1:53/acme.example?type=A"},
		{"dns://[::1]/acme.example?transport=tls", "dns", "dns://[::1]:853/acme.example?type=A"},
		{"grpc://acme.example:50051/acme.Orders", "grpc", "grpc://acme.example:50051/acme.Orders"},
		{"grpc://127.0.0.1:50051", "grpc", "grpc://127.0.0.1:50051/"},
		{"GRPC://[::1]:443/?tls=true", "grpc", "grpc://[::1]:443/"},
		{"ws://acme.example/live", "websocket", "ws://acme.example/live"},
		{"wss://u:p@acme.example:8443/live?x=1", "websocket", "wss://acme.example:8443/live?x=1"},
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
      - {name: tls, timeout: 2s, tls: {address: "acme.example:443"}}
      - {name: dns, timeout: 2s, dns: {server: "127.0.0.1:53", name: acme.example, type: MX}}
      - {name: grpc, timeout: 2s, grpc: {address: "acme.example:50051", service: acme.Orders}}
      - {name: websocket, timeout: 2s, websocket: {url: "wss://acme.example/live"}}
`), "cli.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range cfg.Components[0].Checks {
		target := want.Target()
		switch {
		case want.ICMP != nil:
			target = "icmp://" + target
		case want.TLS != nil:
			target = "tls://" + target
		}
		got, err := CheckFor(target, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.HTTP, want.HTTP) || !reflect.DeepEqual(got.ICMP, want.ICMP) || !reflect.DeepEqual(got.TCP, want.TCP) {
			t.Errorf("CheckFor(%q) = %+v %+v %+v, the file has %+v %+v %+v", target, got.HTTP, got.ICMP, got.TCP, want.HTTP, want.ICMP, want.TCP)
		}
		if !reflect.DeepEqual(got.GRPC, want.GRPC) || !reflect.DeepEqual(got.WebSocket, want.WebSocket) {
			t.Errorf("CheckFor(%q) = %+v, the file has %+v", target, got.GRPC, want.GRPC)
		}
		if !reflect.DeepEqual(got.TLS, want.TLS) || !reflect.DeepEqual(got.DNS, want.DNS) {
			t.Errorf("CheckFor(%q) = %+v %+v, the file has %+v %+v", target, got.TLS, got.DNS, want.TLS, want.DNS)
		}
		if got.TLSExpiryWarn != want.TLSExpiryWarn || got.TLSExpiryCritical != want.TLSExpiryCritical {
			t.Errorf("CheckFor(%q): expiry limits %v/%v, the file has %v/%v", target, got.TLSExpiryWarn, got.TLSExpiryCritical, want.TLSExpiryWarn, want.TLSExpiryCritical)
		}
		if got.ID != want.ID || got.Timeout != want.Timeout {
			t.Errorf("CheckFor(%q): id %q timeout %v, the file has %q %v", target, got.ID, got.Timeout, want.ID, want.Timeout)
		}
	}
}

func TestCheckForRefusesNonsense(t *testing.T) {
	tests := map[string]string{
		"acme.example":              "want http(s)://URL, host:port or icmp://host",
		"":                          "want http(s)://URL, host:port or icmp://host",
		"acme.example:https":        "want http(s)://URL, host:port or icmp://host",
		"ftp://acme.example/":       `unsupported scheme "ftp"`,
		"https://":                  "missing host",
		"icmp://acme.example:7":     "want icmp://host",
		"icmp://acme.example/x":     "want icmp://host",
		"http://[::1/":              "missing ']'",
		"tcp://acme.example":        "want tcp://host:port",
		"tcp://acme.example:0":      "want tcp://host:port",
		"tcp://:5432":               "want tcp://host:port",
		"tcp://db:5432/x":           "want tcp://host:port",
		"tcp://db:5432?a=b":         "want tcp://host:port",
		"tcp://u@db:5432":           "want tcp://host:port",
		"udp://db:53":               `unsupported scheme "udp" (want http, https, tcp, tls, dns, grpc, ws, wss or icmp)`,
		"tls://acme.example":        "want tls://host:port",
		"tls://db:443/x":            "want tls://host:port",
		"grpc://db":                 "want grpc://host:port/service",
		"grpc://db:1/a/b":           "want grpc://host:port/service",
		"grpc://db:1/a?tls=yes":     "unknown parameter tls=yes",
		"dns://":                    "want dns://server/name",
		"dns://ns:53/":              "want dns://server/name",
		"dns://ns:53/a/b":           "want dns://server/name",
		"dns://ns:x/a":              `invalid port ":x"`,
		"dns://ns:0/a":              "want dns://server/name",
		"dns:///a?kind=MX":          `unknown parameter "kind"`,
		"dns:///a?transport=qu":     `transport "qu"`,
		"dns:///a?min_answers=two":  "min_answers=two: invalid syntax",
		"dns:///a?min_answers=-1":   "min_answers=-1: must not be negative",
		"dns:///a?soa_serial_min=x": "soa_serial_min=x: invalid syntax",
		"dns:///a?answer_matches=(": "answer_matches=(: invalid regular expression",
		"dns:///a?all_matches=x":    `unknown parameter "all_matches" (want type, transport, or an assertion: rcode, answer_contains, answer_matches, all_match, min_answers, soa_serial_min)`,
	}
	for target, want := range tests {
		c, err := CheckFor(target, time.Second)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckFor(%q) = %+v, %v; want error containing %q", target, c, err, want)
		}
	}
}

// TestProbeDNSFromTheCommandLine runs what `up probe dns://...` runs
// against the test server and reads its summary.
func TestProbeDNSFromTheCommandLine(t *testing.T) {
	srv := serveZone(t, nil)
	c, err := CheckFor("dns://"+srv.udp+"/acme.up.test?type=MX", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	s := r.Summary()
	for _, want := range []string{
		"success  dns NOERROR  total ", "  dns://" + srv.udp + "/acme.up.test?type=MX\n",
		"  server " + srv.udp + "  resolve 0.00ms  connect ", "  answer 2  authority 1  additional 1\n",
		"  values: 10 mx1.acme.up.test., 20 mx2.acme.up.test.\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	// The assertions come in the query, named as in the file.
	c, err = CheckFor("dns://"+srv.udp+"/acme.up.test?type=MX&min_answers=2&answer_contains=mx9", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	r = probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	s = r.Summary()
	for _, want := range []string{"failure  dns NOERROR", `error: answer_contains "mx9" failed: no MX record contains it`, "passed: min_answers 2\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	c, err = CheckFor("dns://"+srv.udp+"/acme.up.test?type=MX&answer_contains=mx2&all_match=%5E%5Cd%2B+mx", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	r = probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if s := r.Summary(); !r.Success || !strings.Contains(s, `passed: answer_contains "mx2", all_match `) {
		t.Errorf("summary of passing assertions:\n%s", s)
	}
	c, err = CheckFor("dns://"+srv.udp+"/nope.up.test?rcode=nxdomain", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout); !r.Success {
		t.Errorf("rcode=nxdomain for a name the zone lacks: %s", r.Summary())
	}
}
