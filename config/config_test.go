package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func mustParse(t *testing.T, text string) *Config {
	t.Helper()
	cfg, err := ParseWithEnv([]byte(text), "test.yaml", testEnv)
	if err != nil {
		t.Fatalf("parse:\n%v", err)
	}
	return cfg
}

func parseFile(t *testing.T, path string) *Config {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseWithEnv(data, path, testEnv)
	if err != nil {
		t.Fatalf("parse %s:\n%v", path, err)
	}
	return cfg
}

func TestExpand(t *testing.T) {
	env := func(name string) (string, bool) {
		v, ok := map[string]string{"A": "alpha", "B": "", "NESTED": "${A}", "_x1": "ok"}[name]
		return v, ok
	}
	tests := []struct {
		in, want, err string
	}{
		{in: "plain", want: "plain"},
		{in: "${A}", want: "alpha"},
		{in: "x${A}y${A}z", want: "xalphayalphaz"},
		{in: "${B}", want: ""},
		{in: "${_x1}", want: "ok"},
		{in: "$$", want: "$"},
		{in: "$${A}", want: "${A}"},
		{in: "$$$${A}", want: "$${A}"},
		{in: "$$${A}", want: "$alpha"},
		{in: "^ok$", want: "^ok$"},
		{in: "pa$word", want: "pa$word"},
		{in: "$", want: "$"},
		{in: "${NESTED}", want: "${A}"}, // values are not expanded again
		{in: "${A:-def}", want: "alpha"},
		{in: "${MISSING:-def}", want: "def"},
		{in: "${B:-def}", want: "def"}, // set but empty takes the default
		{in: "${MISSING:-}", want: ""},
		{in: "x${MISSING:-http://h:1/}y", want: "xhttp://h:1/y"},
		{in: "${1BAD:-def}", err: `"1BAD" is not a valid environment variable name`},
		{in: "${MISSING}", err: "environment variable MISSING is not set"},
		{in: "${A", err: `unterminated "${"`},
		{in: "${}", err: `"" is not a valid environment variable name`},
		{in: "${A-B}", err: `"A-B" is not a valid environment variable name`},
	}
	for _, tt := range tests {
		x, err := expand(tt.in, env)
		got := x.value
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("expand(%q) error = %v, want %q", tt.in, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := expand("${A}", nil); err == nil {
		t.Error("a nil lookup must leave every variable unset")
	}

	// What may be printed: values from the environment are secrets, a
	// default is text from the file.
	for _, tt := range []struct{ in, shown, vars string }{
		{"k=${A}&j=${A}", "k=<secret>&j=<secret>", "${A}"},
		{"${MISSING:-def}/${A}/${B}", "def/<secret>/<secret>", "${A} ${B}"},
		{"${A:-def}", "<secret>", "${A}"},
		{"$$${B}", "$<secret>", "${B}"},
		{"plain ${MISSING:-one}", "plain one", ""},
	} {
		x, err := expand(tt.in, env)
		if err != nil || x.shown != tt.shown || strings.Join(x.vars, " ") != tt.vars || x.secret() != (tt.vars != "") {
			t.Errorf("expand(%q) shows %q from %v, %v; want %q from %s", tt.in, x.shown, x.vars, err, tt.shown, tt.vars)
		}
	}
}

func TestEnvExpansionInValues(t *testing.T) {
	env := func(name string) (string, bool) {
		v, ok := map[string]string{
			"NAME":     "ACME: [Status]", // YAML syntax in a value stays text
			"N":        "3",
			"PUBLIC":   "false",
			"INTERVAL": "45s",
			"SECRET":   "s3cr3t",
			"WORD":     "three",
		}[name]
		return v, ok
	}
	cfg, err := ParseWithEnv([]byte(`
page:
  name: ${NAME}
api:
  public: ${PUBLIC}
components:
  - id: c
    checks:
      - name: ping
        interval: ${INTERVAL}
        icmp: {host: h.example, count: "${N}"}
subscribers:
  - id: s
    url: https://h.example/
    secret: ${SECRET}
`), "env.yaml", env)
	if err != nil {
		t.Fatal(err)
	}
	k := cfg.Components[0].Checks[0]
	if cfg.Page.Name != "ACME: [Status]" || *cfg.API.Public || k.Interval != 45*time.Second ||
		k.ICMP.Count != 3 || cfg.Subscribers[0].Secret != "s3cr3t" {
		t.Errorf("expanded values wrong: page %q public %v interval %v count %d secret %q",
			cfg.Page.Name, *cfg.API.Public, k.Interval, k.ICMP.Count, string(cfg.Subscribers[0].Secret))
	}

	// An expanded value is read as what it says, but must still fit.
	_, err = ParseWithEnv([]byte("components:\n  - id: c\n    checks:\n      - name: p\n        icmp: {host: h, count: \"${WORD}\"}\n"), "env.yaml", env)
	if want := `env.yaml:5:32: components[0].checks[0].icmp.count: "<secret>" is not an integer in range (from ${WORD})`; err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}

	// Unset variables are reported where they are used, every one of them.
	_, err = ParseWithEnv([]byte("page:\n  id: ${UP_A}\n  name: ${UP_B}\n"), "env.yaml", nil)
	want := "env.yaml:2:7: page.id: environment variable UP_A is not set\n" +
		"env.yaml:3:9: page.name: environment variable UP_B is not set"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestParseReadsTheProcessEnvironment(t *testing.T) {
	// PATH is set wherever tests run; reading it proves Parse uses the
	// process environment without this test changing it.
	path, ok := os.LookupEnv("PATH")
	if !ok {
		t.Skip("PATH is not set")
	}
	cfg, err := Parse([]byte("page: {name: '${PATH}'}\n"), "env.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Page.Name != path {
		t.Errorf("page.name = %q, want $PATH %q", cfg.Page.Name, path)
	}
}

func TestEmptyFileGetsDefaults(t *testing.T) {
	want := &Config{
		Page:    Page{ID: "up", Name: "Status", URL: "http://127.0.0.1:5010"},
		Listen:  Listen{API: "127.0.0.1:5010", WebSocket: "127.0.0.1:5011"},
		Storage: Storage{Path: "./data/up.db"},
		API:     API{Public: ptr(true)},
		Metrics: Metrics{LatencyHistogram: ptr(true)},
		Defaults: Defaults{
			Interval: 30 * time.Second, Timeout: 10 * time.Second,
			FailureThreshold: 3, SuccessThreshold: 2, DegradedLatency: 2 * time.Second,
			TLSExpiryWarn: 14 * 24 * time.Hour, TLSExpiryCritical: 3 * 24 * time.Hour,
			Regions: RegionRule{All: true}, Quorum: QuorumRule{word: "majority"},
		},
		Incidents: Incidents{OpenAt: "PARTIALOUTAGE", ResolveAfter: 5 * time.Minute, ReopenWithin: 30 * time.Minute, KeepResolved: 500, KeepResolvedPerComponent: 20},
		Regions:   []Region{{ID: "default", Name: "default"}},
		Source:    "empty.yaml",
	}
	for _, text := range []string{"", "\n\n", "# only a comment\n", "~\n", "---\n", "page:\ndefaults:\ngroups:\n"} {
		cfg, err := ParseWithEnv([]byte(text), "empty.yaml", nil)
		if err != nil {
			t.Errorf("%q: %v", text, err)
			continue
		}
		if !reflect.DeepEqual(cfg, want) {
			t.Errorf("%q:\n got %+v\nwant %+v", text, cfg, want)
		}
	}
}

func TestPageURLDefault(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"listen: {api: '10.0.0.5:8080'}", "http://10.0.0.5:8080"},
		{"listen: {api: ':8080'}", "http://localhost:8080"},
		{"listen: {api: '0.0.0.0:80'}", "http://localhost:80"},
		{"listen: {api: '[::]:80'}", "http://localhost:80"},
		{"listen: {api: '[::1]:80'}", "http://[::1]:80"},
		{"page: {url: 'https://status.example/'}", "https://status.example"},
		{"page: {url: 'https://example.com/status/'}", "https://example.com/status"},
	}
	for _, tt := range tests {
		if got := mustParse(t, tt.yaml).Page.URL; got != tt.want {
			t.Errorf("%s: page.url = %q, want %q", tt.yaml, got, tt.want)
		}
	}
}

func TestInheritanceAndClamping(t *testing.T) {
	tests := []struct {
		name              string
		defaults, check   string
		interval, timeout time.Duration
	}{
		{"all inherited", "", "", 30 * time.Second, 10 * time.Second},
		{"short interval clamps inherited timeout", "", "{interval: 5s}", 5 * time.Second, 4 * time.Second},
		{"equal interval clamps inherited timeout", "", "{interval: 10s}", 10 * time.Second, 8 * time.Second},
		{"longer interval keeps inherited timeout", "", "{interval: 11s}", 11 * time.Second, 10 * time.Second},
		{"short default interval clamps default timeout", "{interval: 5s}", "", 5 * time.Second, 4 * time.Second},
		{"explicit default timeout is still clamped when inherited", "{interval: 1m, timeout: 20s}", "{interval: 15s}", 15 * time.Second, 12 * time.Second},
		{"explicit check timeout kept", "", "{interval: 5s, timeout: 3s}", 5 * time.Second, 3 * time.Second},
		{"explicit check timeout with inherited interval", "{interval: 1m}", "{timeout: 45s}", time.Minute, 45 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "components:\n  - id: c\n    checks:\n      - name: k\n        tcp: {address: 'h:1'}\n"
			if tt.check != "" {
				text = "components:\n  - id: c\n    checks:\n      - <<: " + tt.check + "\n        name: k\n        tcp: {address: 'h:1'}\n"
			}
			if tt.defaults != "" {
				text += "defaults:\n  <<: " + tt.defaults + "\n"
			}
			k := mustParse(t, text).Components[0].Checks[0]
			if k.Interval != tt.interval || k.Timeout != tt.timeout {
				t.Errorf("interval, timeout = %v, %v; want %v, %v", k.Interval, k.Timeout, tt.interval, tt.timeout)
			}
		})
	}
}

func TestChecksHoldEffectiveValues(t *testing.T) {
	cfg := mustParse(t, `
defaults:
  failure_threshold: 4
  degraded_latency: 750ms
components:
  - id: web
    checks:
      - name: home
        success_threshold: 5
        http: {url: "https://acme.example/"}
  - id: db
    checks:
      - name: ping
        icmp: {host: db.example}
      - name: port
        tcp: {address: "db.example:5432"}
  - id: manual
`)
	checks := cfg.Checks()
	var ids []string
	for _, k := range checks {
		ids = append(ids, k.ID)
	}
	if want := []string{"web.home", "db.ping", "db.port"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("Checks() ids = %v, want %v", ids, want)
	}
	if checks[1] != &cfg.Components[1].Checks[0] {
		t.Error("Checks() must point into the config")
	}

	home := checks[0]
	wantHome := Check{
		Name: "home", Interval: 30 * time.Second, Timeout: 10 * time.Second,
		FailureThreshold: 4, SuccessThreshold: 5, DegradedLatency: 750 * time.Millisecond,
		TLSExpiryWarn: 14 * 24 * time.Hour, TLSExpiryCritical: 3 * 24 * time.Hour,
		Regions: []string{"default"}, Quorum: 1,
		HTTP: &HTTPCheck{
			URL: "https://acme.example/", Method: "GET",
			ExpectStatus:    []StatusRange{{200, 299}},
			FollowRedirects: ptr(true), MaxBodyBytes: 1 << 20,
		},
		ID: "web.home", Component: "web",
	}
	if !home.Equal(&wantHome) {
		t.Errorf("home:\n got %+v %+v\nwant %+v %+v", *home, *home.HTTP, wantHome, *wantHome.HTTP)
	}
	if ping := checks[1]; ping.ICMP.Count != 1 || ping.ICMP.IPVersion != "" || ping.Component != "db" || ping.FailureThreshold != 4 {
		t.Errorf("ping: %+v %+v", *ping, *ping.ICMP)
	}
	if got := cfg.Components[2]; got.Name != "manual" || len(got.Checks) != 0 {
		t.Errorf("component without checks: %+v", got)
	}
}

func TestValidComplexConfig(t *testing.T) {
	cfg := parseFile(t, "testdata/valid-complex.yml")

	if cfg.Page.Name != "ACME EU Status" || cfg.Page.URL != "https://status.acme.example" {
		t.Errorf("page = %+v", cfg.Page)
	}
	if *cfg.API.Public || cfg.Listen.WebSocket != cfg.Listen.API {
		t.Errorf("api/listen = %+v %+v", cfg.API, cfg.Listen)
	}
	if cfg.Groups[1].Name != "backend" {
		t.Errorf("a group's name defaults to its id, got %q", cfg.Groups[1].Name)
	}

	home, eu := cfg.Components[0].Checks[0], cfg.Components[0].Checks[1]
	if home.Interval != 10*time.Second || home.Timeout != 8*time.Second || home.SuccessThreshold != 1 || home.FailureThreshold != 5 {
		t.Errorf("merged template not applied to home: %+v", home)
	}
	h := home.HTTP
	if h.Headers["Authorization"] != "Bearer token-from-the-environment" || h.Headers["X-Price"] != "$5" {
		t.Errorf("headers = %q", map[string]Secret(h.Headers))
	}
	wantStatus := []StatusRange{{200, 200}, {301, 302}, {400, 499}}
	if !reflect.DeepEqual(h.ExpectStatus, wantStatus) || *h.FollowRedirects {
		t.Errorf("expect_status %v, follow_redirects %v", h.ExpectStatus, *h.FollowRedirects)
	}
	if !h.BodyRegex.MatchString("<!doctype html>") || h.BodyRegex.MatchString("<html>") {
		t.Errorf("body_regex %q does not match as written", h.BodyRegex)
	}
	// home-eu merges home's http mapping and overrides its url only.
	if eu.HTTP.URL != "https://eu.acme.example/" || eu.HTTP.Headers["X-Price"] != "$5" || eu.Timeout != 3*time.Second {
		t.Errorf("home-eu = %+v %+v", eu, eu.HTTP)
	}

	smtp, smtps := cfg.Components[1].Checks[0], cfg.Components[1].Checks[1]
	if smtp.TCP.Send != "QUIT\r\n" || smtp.TCP.Expect != "221" || smtp.Interval != time.Minute {
		t.Errorf("smtp = %+v", smtp.TCP)
	}
	if !smtps.TCP.TLS || smtps.TCP.Address != "[2001:db8::1]:465" {
		t.Errorf("smtps = %+v", smtps.TCP)
	}
	gw := cfg.Components[2].Checks[0]
	if gw.ICMP.IPVersion != "6" || gw.ICMP.Count != 5 || gw.Timeout != 4*time.Second {
		t.Errorf("gw6 = %+v %+v", gw, gw.ICMP)
	}

	m := cfg.Maintenance[0]
	if !m.Start.Equal(time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)) || m.Duration != 90*time.Minute {
		t.Errorf("maintenance = %+v", m)
	}
	if cfg.Incidents.OpenAt != "MAJOROUTAGE" || cfg.Incidents.ResolveAfter != 0 {
		t.Errorf("incidents = %+v", cfg.Incidents)
	}
	if cfg.Users[0].Token != "token-from-the-environment" || cfg.Users[1].Token != "reader-$-token-0123" {
		t.Error("user tokens not expanded as written")
	}
}

func TestLoad(t *testing.T) {
	cfg, err := Load("testdata/valid-minimal.yml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Source != "testdata/valid-minimal.yml" || cfg.Page.ID != "minimal" || cfg.Checks()[0].ID != "web.home" {
		t.Errorf("loaded %+v", cfg)
	}

	_, err = Load("testdata/does-not-exist.yml")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: got %v, want fs.ErrNotExist", err)
	}

	_, err = Load("testdata/invalid-url.yml")
	if err == nil || !strings.HasPrefix(err.Error(), "testdata/invalid-url.yml:2:8: page.url:") {
		t.Errorf("invalid file: got %v", err)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	const raw = "hunter2"
	u := User{ID: "u", Role: "admin", Token: raw}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("user", "token", u.Token, "user", u)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("user", "token", u.Token)
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(u); err != nil {
		t.Fatal(err)
	}
	ym, _ := yaml.Marshal(u)
	outputs := map[string]string{
		"%v":   fmt.Sprintf("%v", u.Token),
		"%s":   fmt.Sprintf("%s", u.Token),
		"%+v":  fmt.Sprintf("%+v", u),
		"%#v":  fmt.Sprintf("%#v", u),
		"json": js.String(),
		"yaml": string(ym),
		"slog": logs.String(),
	}
	for how, out := range outputs {
		if strings.Contains(out, raw) {
			t.Errorf("%s reveals the secret: %s", how, out)
		}
		if !strings.Contains(out, "<secret>") {
			t.Errorf("%s does not show <secret>: %s", how, out)
		}
	}
	if got := Secret("").String(); got != "" {
		t.Errorf("an empty secret prints %q, want nothing", got)
	}
	if string(u.Token) != raw {
		t.Error("the value itself must stay readable to the code that uses it")
	}
}

func TestRegexpAndStatusRangeMarshalAsWritten(t *testing.T) {
	cfg := mustParse(t, `components:
  - id: c
    checks:
      - name: k
        http:
          url: https://h.example/
          body_regex: '^(ok|fine)\s*$'
          expect_status: [200, "300-399", 5xx]
`)
	h := cfg.Components[0].Checks[0].HTTP
	out, err := yaml.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`body_regex: ^(ok|fine)\s*$`, "- \"200\"", "- 300-399", "- 500-599"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("yaml output lacks %q:\n%s", want, out)
		}
	}
	js, err := json.Marshal(h.BodyRegex)
	if err != nil || string(js) != `"^(ok|fine)\\s*$"` {
		t.Errorf("json = %s, %v", js, err)
	}

	// What was written out reads back to the same check.
	var back HTTPCheck
	if err := yaml.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if !h.equal(&back) {
		t.Errorf("round trip changed the check:\n got %+v\nwant %+v", back, *h)
	}

	var zero Regexp
	if zero.String() != "" {
		t.Error("a zero Regexp must print as empty, not panic")
	}
	if _, err := NewRegexp("(unclosed"); err == nil {
		t.Error("NewRegexp accepted an invalid expression")
	}
}

func TestParseStatusRange(t *testing.T) {
	tests := []struct {
		in      string
		want    StatusRange
		wantErr string
	}{
		{"200", StatusRange{200, 200}, ""},
		{" 200 - 204 ", StatusRange{200, 204}, ""},
		{"2xx", StatusRange{200, 299}, ""},
		{"5XX", StatusRange{500, 599}, ""},
		{"100-599", StatusRange{100, 599}, ""},
		{"6xx", StatusRange{}, "not a status code"},
		{"600", StatusRange{}, "outside"},
		{"099", StatusRange{}, "outside"},
		{"300-200", StatusRange{}, "runs backwards"},
		{"200-", StatusRange{}, "not a status code"},
		{"-200", StatusRange{}, "not a status code"},
		{"+200", StatusRange{}, "not a status code"},
		{"20x", StatusRange{}, "not a status code"},
	}
	for _, tt := range tests {
		got, err := ParseStatusRange(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseStatusRange(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseStatusRange(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	r := StatusRange{200, 299}
	if !r.Contains(200) || !r.Contains(299) || r.Contains(300) || r.Contains(199) {
		t.Error("Contains is not inclusive at both ends")
	}
}

func TestUnknownKeySuggestions(t *testing.T) {
	tests := map[string]string{
		"expectStatus":  "expect_status",
		"expect-status": "expect_status",
		"EXPECT_STATUS": "expect_status",
		"bdy_regex":     "body_regex",
		"metod":         "method",
		"mehtod":        "method",
	}
	for typo, want := range tests {
		text := fmt.Sprintf("components:\n  - id: c\n    checks:\n      - name: k\n        http: {url: 'https://h/', %s: x}\n", typo)
		_, err := ParseWithEnv([]byte(text), "s.yaml", nil)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%s: unknown key; did you mean %q?", typo, want)) {
			t.Errorf("%s: got %v, want a suggestion of %q", typo, err, want)
		}
	}
}

func TestTopLevelExtensionKeysHoldAnchors(t *testing.T) {
	cfg := mustParse(t, `
x-fast: &fast {interval: 5s, failure_threshold: 1}
components:
  - id: c
    checks:
      - {<<: *fast, name: k, tcp: {address: "h:1"}}
`)
	if k := cfg.Components[0].Checks[0]; k.Interval != 5*time.Second || k.FailureThreshold != 1 {
		t.Errorf("check = %+v", k)
	}
	_, err := ParseWithEnv([]byte("defaults:\n  x-note: hi\n"), "x.yaml", nil)
	if err == nil || !strings.Contains(err.Error(), "defaults.x-note: unknown key") {
		t.Errorf("x- keys below the top level must still be errors, got %v", err)
	}
}

func TestDemo(t *testing.T) {
	cfg := Demo()
	if cfg.Source != "demo.yaml" || cfg.Storage.Path != "./data/up.db" || cfg.Defaults.Interval != 10*time.Second {
		t.Errorf("demo = source %q storage %q interval %v", cfg.Source, cfg.Storage.Path, cfg.Defaults.Interval)
	}
	type probe struct{ id, typ, target string }
	var got []probe
	for _, k := range cfg.Checks() {
		got = append(got, probe{k.ID, k.Type(), k.Target()})
	}
	want := []probe{
		{"api.healthz", "http", "http://127.0.0.1:5010/healthz"},
		{"api.port", "tcp", "127.0.0.1:5010"},
		{"loopback.ping", "icmp", "127.0.0.1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("demo checks:\n got %v\nwant %v", got, want)
	}
	// The checks probe the daemon's own API listener, so they only work
	// if the demo listens where it probes.
	if cfg.Listen.API != "127.0.0.1:5010" || !strings.HasPrefix(cfg.Page.URL, "http://127.0.0.1:5010") {
		t.Errorf("demo listens on %s with page %s", cfg.Listen.API, cfg.Page.URL)
	}
	var manual []string
	for _, c := range cfg.Components {
		if len(c.Checks) == 0 {
			manual = append(manual, c.ID)
		}
		if c.Group != "demo" {
			t.Errorf("component %s is not in group demo", c.ID)
		}
	}
	if !reflect.DeepEqual(manual, []string{"docs"}) {
		t.Errorf("components without checks = %v, want [docs]", manual)
	}

	// Each call is independent; a caller may change what it got.
	cfg.Components[0].Checks[0].Interval = time.Hour
	if Demo().Components[0].Checks[0].Interval == time.Hour {
		t.Error("Demo returned shared state")
	}
}

// TestResolveAfterZeroIsAValue: the default is decided here, once; an
// explicit 0 means resolve at once and must reach the engine as 0.
func TestResolveAfterZeroIsAValue(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"incidents: {resolve_after: 0s}\n":    0,
		"incidents: {resolve_after: 0}\n":     0,
		"incidents: {open_at: MAJOROUTAGE}\n": 5 * time.Minute,
		"":                                    5 * time.Minute,
	} {
		cfg, err := ParseWithEnv([]byte(in), "c.yaml", nil)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if cfg.Incidents.ResolveAfter != want {
			t.Errorf("%q: resolve_after %v, want %v", in, cfg.Incidents.ResolveAfter, want)
		}
	}
}
