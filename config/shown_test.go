package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// secretEnv is an environment whose values must never be printed.
func secretEnv(name string) (string, bool) {
	v, ok := map[string]string{
		"HOOK_SECRET": "hunter2-hook-secret",
		"DB_HOST":     "db-secret.internal",
		"PING_HOST":   "ping-secret.internal",
		"EMPTY":       "",
	}[name]
	return v, ok
}

func TestTargetHidesSecretsAndUserinfo(t *testing.T) {
	cfg, err := ParseWithEnv([]byte(`components:
  - id: c
    checks:
      - name: hook
        http: {url: "http://monitor:${HOOK_SECRET}@host.example/health?api_key=${HOOK_SECRET}"}
      - name: inline
        http: {url: "https://api.example/v1?token=abc${HOOK_SECRET}def&x=1"}
      - name: password
        http: {url: "https://user:literal-password@api.example/"}
      - name: port
        tcp: {address: "${DB_HOST}:5432"}
      - name: ping
        icmp: {host: "${PING_HOST}"}
      - name: defaulted
        http: {url: "https://${UNSET_HOST:-fallback.example}/x${EMPTY:-y}"}
      - name: dollars
        http: {url: "https://d.example/$$${HOOK_SECRET}"}
`), "secrets.yaml", secretEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"c.hook":      "http://host.example/health?api_key=<secret>",
		"c.inline":    "https://api.example/v1?token=abc<secret>def&x=1",
		"c.password":  "https://api.example/",
		"c.port":      "<secret>:5432",
		"c.ping":      "<secret>",
		"c.defaulted": "https://fallback.example/xy",
		"c.dollars":   "https://d.example/$<secret>",
	}
	for _, k := range cfg.Checks() {
		got := k.Target()
		if got != want[k.ID] {
			t.Errorf("%s: Target() = %q, want %q", k.ID, got, want[k.ID])
		}
		for _, secret := range []string{"hunter2", "db-secret", "ping-secret", "monitor", "literal-password"} {
			if strings.Contains(got, secret) {
				t.Errorf("%s: Target() %q shows %q", k.ID, got, secret)
			}
		}
	}
	// Probing still uses the real values.
	k := cfg.Checks()
	if k[0].HTTP.URL != "http://monitor:hunter2-hook-secret@host.example/health?api_key=hunter2-hook-secret" ||
		k[3].TCP.Address != "db-secret.internal:5432" || k[4].ICMP.Host != "ping-secret.internal" {
		t.Errorf("the values to probe were changed: %q %q %q", k[0].HTTP.URL, k[3].TCP.Address, k[4].ICMP.Host)
	}
	if got := cfg.Redact(`probe c.hook: url "http://monitor:hunter2-hook-secret@host.example/" and db-secret.internal`); got != `probe c.hook: url "http://host.example/" and <secret>` {
		t.Errorf("Redact: %s", got)
	}
}

func TestTargetOfACheckBuiltInCode(t *testing.T) {
	k := &Check{HTTP: &HTTPCheck{URL: "https://u:pw@h.example/p"}}
	if got := k.Target(); got != "https://h.example/p" {
		t.Errorf("Target() = %q", got)
	}
}

// TestErrorsNeverShowSecrets: whatever key a ${VAR} is used in, an error
// about it names the key and the variable, never the value.
func TestErrorsNeverShowSecrets(t *testing.T) {
	tests := []struct {
		name, value, yaml, key string
	}{
		{"tcp address", "mysecret-host", `components: [{id: c, checks: [{name: k, tcp: {address: "${MYSECRET}"}}]}]`,
			"components[0].checks[0].tcp.address"},
		{"tcp address inside a longer value", "mysecret-host", `components: [{id: c, checks: [{name: k, tcp: {address: "${MYSECRET}:99999"}}]}]`,
			"components[0].checks[0].tcp.address"},
		// Near "admin": a suggestion would give it away.
		{"role", "admnn", `users: [{id: u, role: "${MYSECRET}", token: "a-long-enough-token"}]`, "users[0].role"},
		{"token", "short", `users: [{id: u, role: admin, token: "${MYSECRET}"}]`, "users[0].token"},
		{"subscriber url with a password", "p4ssw0rd-x", `subscribers: [{id: s, url: "ftp://ops:${MYSECRET}@hooks.example/"}]`,
			"subscribers[0].url"},
		{"http url", "99999", `components: [{id: c, checks: [{name: k, http: {url: "http://127.0.0.1:${MYSECRET}/x"}}]}]`,
			"components[0].checks[0].http.url"},
		{"http url whole", "htp://mysecret.example/", `components: [{id: c, checks: [{name: k, http: {url: "${MYSECRET}"}}]}]`,
			"components[0].checks[0].http.url"},
		{"header", "mysecret\nX-Injected: 1", `components: [{id: c, checks: [{name: k, http: {url: "http://h.example/", headers: {X-Key: "${MYSECRET}"}}}]}]`,
			"components[0].checks[0].http.headers.X-Key"},
		{"proxy password", "p4ssw0rd-x", `components: [{id: c, checks: [{name: k, http: {url: "http://h.example/", proxy_url: "socks5://ops:${MYSECRET}@proxy.example:1080"}}]}]`,
			"components[0].checks[0].http.proxy_url"},
		{"proxy url whole", "http://ops:p4ssw0rd-x@proxy.example:99999", `components: [{id: c, checks: [{name: k, http: {url: "http://h.example/", proxy_url: "${MYSECRET}"}}]}]`,
			"components[0].checks[0].http.proxy_url"},
		{"duration", "-75s", `defaults: {interval: "${MYSECRET}"}`, "defaults.interval"},
		{"bad duration", "mysecret-d", `defaults: {interval: "${MYSECRET}"}`, "defaults.interval"},
		{"integer", "mysecret-n", `defaults: {failure_threshold: "${MYSECRET}"}`, "defaults.failure_threshold"},
		{"regex", "mysecret(", `components: [{id: c, checks: [{name: k, http: {url: "http://h.example/", body_regex: "${MYSECRET}"}}]}]`,
			"components[0].checks[0].http.body_regex"},
		{"status range", "mysecret-7", `components: [{id: c, checks: [{name: k, http: {url: "http://h.example/", expect_status: ["${MYSECRET}"]}}]}]`,
			"components[0].checks[0].http.expect_status[0]"},
		{"icmp host", "https://mysecret.example/", `components: [{id: c, checks: [{name: k, icmp: {host: "${MYSECRET}"}}]}]`,
			"components[0].checks[0].icmp.host"},
		{"group reference", "wbe", `groups: [{id: web}]
components: [{id: c, group: "${MYSECRET}"}]`, "components[0].group"},
		{"id", "my secret", `page: {id: "${MYSECRET}"}`, "page.id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := func(name string) (string, bool) { return tt.value, name == "MYSECRET" }
			_, err := ParseWithEnv([]byte(tt.yaml), "c.yaml", env)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if strings.Contains(msg, tt.value) || strings.Contains(msg, "did you mean") {
				t.Errorf("the error gives the value away:\n%s", msg)
			}
			if !strings.Contains(msg, "c.yaml:1:") && !strings.Contains(msg, "c.yaml:2:") {
				t.Errorf("no position:\n%s", msg)
			}
			if !strings.Contains(msg, tt.key+": ") || !strings.Contains(msg, "${MYSECRET}") {
				t.Errorf("the error does not name %s and ${MYSECRET}:\n%s", tt.key, msg)
			}
		})
	}
}

// TestProxyURLNeverShown: a proxy URL, whose password may be written in
// the file itself, prints as <secret> however the check is printed, and
// a changed password is a different check.
func TestProxyURLNeverShown(t *testing.T) {
	load := func(password string) *Check {
		t.Helper()
		cfg, err := ParseWithEnv([]byte(`components:
  - id: c
    checks:
      - name: proxied
        http: {url: "https://api.example/", proxy_url: "http://monitor:`+password+`@proxy.example:3128"}
`), "proxy.yaml", nil)
		if err != nil {
			t.Fatal(err)
		}
		return cfg.Checks()[0]
	}
	k := load("pw-in-file-1")
	if k.HTTP.ProxyURL != "http://monitor:pw-in-file-1@proxy.example:3128" {
		t.Fatalf("proxy_url not loaded: %q", string(k.HTTP.ProxyURL))
	}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("check", "http", k.HTTP)
	js, _ := json.Marshal(k.HTTP)
	s := fmt.Sprintf("%v %+v %#v %s %s %s", *k, *k.HTTP, *k.HTTP, k.Target(), js, logs.String())
	if strings.Contains(s, "pw-in-file") || strings.Contains(s, "proxy.example") {
		t.Errorf("the proxy URL is printed: %s", s)
	}
	if k.Equal(load("pw-in-file-2")) {
		t.Error("a changed proxy password leaves the check equal")
	}
}

func TestErrorsNeverShowURLPasswords(t *testing.T) {
	_, err := ParseWithEnv([]byte(`subscribers: [{id: s, url: "ftp://ops:literal-pw@hooks.example/"}]`), "c.yaml", nil)
	want := `c.yaml:1:28: subscribers[0].url: "ftp://hooks.example/" is not an http or https URL`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestHTTPCredentialsNeverShown: basic_auth and bearer_token load from
// ${VAR}, reach the check, and print as <secret> however the check is
// printed; a changed password is a different check.
func TestHTTPCredentialsNeverShown(t *testing.T) {
	load := func(password string) *Config {
		t.Helper()
		cfg, err := ParseWithEnv([]byte(`components:
  - id: c
    checks:
      - name: basic
        http:
          url: https://api.example/
          basic_auth: {username: monitor, password: "${PW}"}
      - name: bearer
        http: {url: https://api.example/, bearer_token: "${HOOK_SECRET}"}
`), "auth.yaml", func(name string) (string, bool) {
			if name == "PW" {
				return password, true
			}
			return secretEnv(name)
		})
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	cfg := load("pw-secret-1")
	basic, bearer := cfg.Checks()[0], cfg.Checks()[1]
	if basic.HTTP.BasicAuth == nil || basic.HTTP.BasicAuth.Username != "monitor" || basic.HTTP.BasicAuth.Password != "pw-secret-1" ||
		bearer.HTTP.BearerToken != "hunter2-hook-secret" {
		t.Fatalf("credentials not loaded: %+v %q", basic.HTTP.BasicAuth, bearer.HTTP.BearerToken)
	}
	for _, k := range []*Check{basic, bearer} {
		s := fmt.Sprintf("%v %+v %#v %+v %s", *k, *k.HTTP, *k.HTTP, k.HTTP.BasicAuth, k.Target())
		if strings.Contains(s, "pw-secret-1") || strings.Contains(s, "hunter2") {
			t.Errorf("a credential is printed: %s", s)
		}
	}
	other := load("pw-secret-2")
	if basic.Equal(other.Checks()[0]) || cfg.Hash() == other.Hash() {
		t.Error("a changed password leaves the check equal or the hash unchanged")
	}
	if !bearer.Equal(other.Checks()[1]) {
		t.Error("the unchanged bearer check is not equal")
	}
}
