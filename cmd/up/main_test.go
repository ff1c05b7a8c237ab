package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/up-status/up/config"
	"github.com/up-status/up/internal/testenv"
	"github.com/up-status/up/probe"
)

// upBin is the daemon built once for every test of this package: the
// tests run the real binary, with real signals, as a user would.
var upBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "up-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	upBin, err = testenv.BuildUp(dir, nil, raceFlags()...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "building up:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// anyPort makes a config's listeners take free ports, which the daemon
// logs and testenv.StartUp reads back. page.url must then be set, since
// it cannot be derived from listen.api.
const anyPort = "page: {url: \"http://127.0.0.1\"}\nlisten: {api: \"127.0.0.1:0\", websocket: \"127.0.0.1:0\"}\n"

// freeAddr is a loopback address that was free a moment ago. Only the
// demo's tests use it: the demo's checks probe the daemon's own address,
// and --listen gives one address to both listeners, so the address must
// be known before up starts. Everything else binds port 0 (anyPort).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startUp runs `up args...` and waits until its API answers.
func startUp(t *testing.T, args ...string) *testenv.Up {
	t.Helper()
	return testenv.StartUp(t, upBin, args...)
}

func get(url string) (string, error) {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// runUp runs a short command of up and returns its exit code and output.
func runUp(t *testing.T, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, upBin, args...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestHelpNamesEveryCommand(t *testing.T) {
	code, out := runUp(t, "--help")
	if code != 0 {
		t.Fatalf("up --help exited %d", code)
	}
	for _, want := range []string{"up validate", "up probe", "up version", "--config"} {
		if !strings.Contains(out, want) {
			t.Errorf("up --help lacks %q:\n%s", want, out)
		}
	}
	code, out = runUp(t, "run", "--help")
	if code != 0 || !strings.Contains(out, "-log-format") || !strings.Contains(out, "-watch") {
		t.Errorf("up run --help exited %d:\n%s", code, out)
	}
	code, out = runUp(t, "frobnicate")
	if code != 2 || !strings.Contains(out, `unknown command "frobnicate"`) {
		t.Errorf("up frobnicate exited %d:\n%s", code, out)
	}
}

func TestVersionPrintsTheProgram(t *testing.T) {
	code, out := runUp(t, "version")
	if code != 0 || !strings.HasPrefix(out, "up, version") {
		t.Fatalf("up version exited %d: %q", code, out)
	}
}

func TestValidateReportsPositionsOrASummary(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, "components:\n  - id: web\n    name: Web\n    grop: x\n")
	code, out := runUp(t, "validate", "--config", bad)
	if code != 1 || !strings.Contains(out, bad+":4:5: components[0].grop") {
		t.Fatalf("up validate on a bad file exited %d:\n%s", code, out)
	}
	good := filepath.Join(dir, "good.yaml")
	writeFile(t, good, "components:\n  - id: web\n    name: Web\n    checks:\n      - {name: port, tcp: {address: \"127.0.0.1:9\"}}\n")
	code, out = runUp(t, "validate", "--config", good)
	if code != 0 || !strings.Contains(out, "OK (0 groups, 1 components, 1 checks") {
		t.Fatalf("up validate on a good file exited %d:\n%s", code, out)
	}
	code, out = runUp(t, "validate")
	if code != 2 || !strings.Contains(out, "--config FILE is required") {
		t.Fatalf("up validate without a file exited %d:\n%s", code, out)
	}
}

func TestProbePrintsTheResult(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "Welcome")
	}))
	defer srv.Close()
	code, out := runUp(t, "probe", srv.URL)
	if code != 0 || !strings.Contains(out, "200") {
		t.Fatalf("up probe %s exited %d:\n%s", srv.URL, code, out)
	}
	closed := testenv.ClosedAddr(t)
	code, out = runUp(t, "probe", closed, "--timeout", "2s")
	if code != 1 || !strings.Contains(out, "connection refused") {
		t.Fatalf("up probe of a closed port exited %d:\n%s", code, out)
	}
	code, out = runUp(t, "probe", "not a target")
	if code != 2 {
		t.Fatalf("up probe of garbage exited %d:\n%s", code, out)
	}
}

// TestProbeThroughProxy: up probe --proxy sends the request to the proxy,
// with the URL's credentials, and prints neither; a proxy it cannot use
// is refused before anything is sent.
func TestProbeThroughProxy(t *testing.T) {
	asked := make(chan string, 1)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case asked <- r.URL.String() + " " + r.Header.Get("Proxy-Authorization"):
		default:
		}
		io.WriteString(w, "answered by the proxy")
	}))
	defer proxy.Close()
	addr := strings.TrimPrefix(proxy.URL, "http://")
	// Only the proxy could resolve this name, were it real.
	code, out := runUp(t, "probe", "http://app.up.test/page", "--proxy", "http://monitor:pw-s3cret@"+addr)
	if code != 0 || !strings.Contains(out, "200") || strings.Contains(out, "pw-s3cret") {
		t.Fatalf("up probe --proxy exited %d:\n%s", code, out)
	}
	select {
	case got := <-asked:
		if want := "http://app.up.test/page Basic bW9uaXRvcjpwdy1zM2NyZXQ="; got != want {
			t.Errorf("the proxy was asked %q, want %q", got, want)
		}
	default:
		t.Fatal("the proxy was asked nothing")
	}
	for _, args := range [][]string{
		{"probe", "http://app.up.test/", "--proxy", "socks5://monitor:pw-s3cret@" + addr},
		{"probe", "tcp://" + addr, "--proxy", "http://monitor:pw-s3cret@" + addr},
	} {
		code, out := runUp(t, args...)
		if code != 2 || !strings.Contains(out, "up probe: --proxy ") || strings.Contains(out, "pw-s3cret") {
			t.Errorf("up %s exited %d:\n%s", strings.Join(args, " "), code, out)
		}
	}
}

// TestDemoConfigFillsMetrics is the README's quick start: `up` with no
// config probes itself, and /metrics shows it at once.
func TestDemoConfigFillsMetrics(t *testing.T) {
	// The demo listens on the fixed port of the README and probes it:
	// that port is what this test is about. A developer may have an up
	// running there; CI has nothing else on it.
	if ln, err := net.Listen("tcp", "127.0.0.1:5010"); err != nil {
		testenv.SkipOrFail(t, "127.0.0.1:5010 is taken (an up running?): %v", err)
	} else {
		ln.Close()
	}
	p := startUp(t, "run", "--data", t.TempDir())
	if p.API != "127.0.0.1:5010" {
		t.Fatalf("the demo runs on %s, want the README's 127.0.0.1:5010", p.API)
	}
	testenv.Eventually(t, 30*time.Second, "the demo's own checks to succeed in /metrics", func() bool {
		body, err := get(p.URL("/metrics"))
		m := testenv.Series(t, body)
		return err == nil &&
			m[`probe_success{check="healthz",component="api",target="http://127.0.0.1:5010/healthz",type="http"}`] == 1 &&
			m[`probe_success{check="port",component="api",target="127.0.0.1:5010",type="tcp"}`] == 1
	})
	if err := p.Stop(syscall.SIGTERM); err != nil {
		t.Fatalf("up exited with %v after SIGTERM", err)
	}
}

func TestSIGHUPReloadsAndABadConfigKeepsTheRunningOne(t *testing.T) {
	dir := t.TempDir()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer target.Close()
	cfgPath := filepath.Join(dir, "config.yaml")
	head := anyPort + fmt.Sprintf("storage: {path: %q}\ndefaults: {interval: 1s}\ncomponents:\n  - id: web\n    name: Web\n    checks:\n",
		filepath.Join(dir, "up.db"))
	one := fmt.Sprintf("      - {name: one, http: {url: %q}}\n", target.URL+"/one")
	two := fmt.Sprintf("      - {name: two, http: {url: %q}}\n", target.URL+"/two")
	writeFile(t, cfgPath, head+one)
	p := startUp(t, "run", "--config", cfgPath)
	succeeded := func(name string) bool {
		body, _ := get(p.URL("/metrics"))
		return testenv.Series(t, body)[fmt.Sprintf(`probe_success{check="%s",component="web",target="%s/%s",type="http"}`, name, target.URL, name)] == 1
	}
	testenv.Eventually(t, 20*time.Second, "check one to succeed", func() bool { return succeeded("one") })

	writeFile(t, cfgPath, head+one+two)
	p.Signal(syscall.SIGHUP)
	testenv.Eventually(t, 20*time.Second, "check two to appear after SIGHUP", func() bool {
		return succeeded("two") && succeeded("one")
	})

	writeFile(t, cfgPath, head+one+"      - {name: three, htp: {}}\n")
	p.Signal(syscall.SIGHUP)
	testenv.Eventually(t, 20*time.Second, "the bad reload to be logged", func() bool {
		return strings.Contains(p.Log(), "keeping the running config")
	})
	if !succeeded("two") {
		t.Fatal("a bad config removed a running check")
	}
	if err := p.Stop(syscall.SIGINT); err != nil {
		t.Fatalf("up exited with %v after SIGINT", err)
	}
}

// TestABadStateFileStopsTheStartWithItsPath: a database held by another
// up, or one that is not a database, is refused at start with its path,
// never replaced by a fresh one.
func TestABadStateFileStopsTheStartWithItsPath(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "up.db")
	cfg := filepath.Join(dir, "up.yaml")
	writeFile(t, cfg, anyPort+fmt.Sprintf("storage: {path: %q}\n", db))
	startUp(t, "run", "--config", cfg)
	code, out := runUp(t, "run", "--config", cfg)
	if code != 1 || !strings.Contains(out, db) || !strings.Contains(out, "in use by another process") {
		t.Fatalf("second up on the same database exited %d:\n%s", code, out)
	}

	garbage := filepath.Join(dir, "garbage.db")
	writeFile(t, garbage, strings.Repeat("not a database\n", 400))
	p := filepath.Join(dir, "garbage.yaml")
	writeFile(t, p, anyPort+fmt.Sprintf("storage: {path: %q}\n", garbage))
	code, out = runUp(t, "run", "--config", p)
	if code != 1 || !strings.Contains(out, garbage) {
		t.Fatalf("up on a corrupt database exited %d:\n%s", code, out)
	}
	if b, _ := os.ReadFile(garbage); !strings.HasPrefix(string(b), "not a database") {
		t.Fatal("the corrupt file was overwritten")
	}
}

// TestValidateRefusesBadPorts: a port the dialer or a listener refuses is
// a config error with its position, not a failed start.
func TestValidateRefusesBadPorts(t *testing.T) {
	dir := t.TempDir()
	check := "components:\n  - id: c\n    checks:\n      - name: k\n"
	tests := []struct{ name, yaml, want string }{
		{"http port too big", check + "        http: {url: \"http://127.0.0.1:99999/x\"}\n",
			":5:21: components[0].checks[0].http.url: \"http://127.0.0.1:99999/x\" has a port outside 1 to 65535"},
		{"http port 65536", check + "        http: {url: \"https://127.0.0.1:65536/\"}\n", ":5:21: components[0].checks[0].http.url:"},
		{"http port 0", check + "        http: {url: \"http://127.0.0.1:0/x\"}\n", ":5:21: components[0].checks[0].http.url:"},
		{"tcp port 0", check + "        tcp: {address: \"127.0.0.1:0\"}\n", ":5:24: components[0].checks[0].tcp.address:"},
		{"tcp port 65536", check + "        tcp: {address: \"127.0.0.1:65536\"}\n", ":5:24: components[0].checks[0].tcp.address:"},
		{"listen.api port 0", "listen: {api: \"127.0.0.1:0\"}\n", ":1:15: listen.api:"},
		{"listen.websocket port 65536", "listen: {websocket: \"127.0.0.1:65536\"}\n", ":1:21: listen.websocket:"},
		{"subscriber port", "subscribers: [{id: s, url: \"http://127.0.0.1:70000/\"}]\n", ":1:28: subscribers[0].url:"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("c%d.yaml", i))
			writeFile(t, path, tt.yaml)
			code, out := runUp(t, "validate", "--config", path)
			if code != 1 || !strings.Contains(out, path+tt.want) {
				t.Fatalf("exit %d, want 1 and %q:\n%s", code, path+tt.want, out)
			}
		})
	}
}

// TestEveryValidConfigStarts: whatever loads, the daemon can build a
// prober for each of its checks, which is what it does at start.
func TestEveryValidConfigStarts(t *testing.T) {
	t.Setenv("UP_TEST_TOKEN", "token-from-the-environment")
	t.Setenv("UP_TEST_REGION", "EU")
	t.Setenv("UP_WEBHOOK_SECRET", "webhook-secret")
	t.Setenv("UP_ADMIN_TOKEN", "admin-token-0123456789")
	files, err := filepath.Glob("../../config/testdata/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	configs := []*config.Config{config.Demo()}
	for _, f := range append(files, "../../config.example.yaml") {
		if cfg, err := config.Load(f); err == nil {
			configs = append(configs, cfg)
		}
	}
	// The demo, the example and the two valid-*.yml files at least.
	if len(configs) < 4 {
		t.Fatalf("only %d configs loaded", len(configs))
	}
	for _, cfg := range configs {
		for _, k := range cfg.Checks() {
			if k.Push != nil {
				continue // the daemon's push prober reads reports; probe builds none
			}
			if _, err := probe.New(k, probe.Options{}); err != nil {
				t.Errorf("%s: %s validates but cannot start: %v", cfg.Source, k.ID, err)
			}
		}
		if p := prepareChecks(cfg); p != nil {
			t.Errorf("%s: %v", cfg.Source, p)
		}
	}
}

func TestAMissingConfigIsOnePlainLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	for _, cmd := range []string{"validate", "run"} {
		code, out := runUp(t, cmd, "--config", path)
		if want := "up: " + path + ": no such file or directory\n"; code != 1 || out != want {
			t.Errorf("up %s: exit %d, output %q; want 1 and %q", cmd, code, out, want)
		}
	}
}

func TestValidateNeverPrintsASecret(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	writeFile(t, path, `components: [{id: c, checks: [{name: k, tcp: {address: "${MYSECRET}"}}]}]
users: [{id: u, role: "${MYSECRET}", token: "${MYSECRET}"}]
`)
	cmd := exec.Command(upBin, "validate", "--config", path)
	cmd.Env = append(os.Environ(), "MYSECRET=s3cr3t-value-of-mine")
	out, _ := cmd.CombinedOutput()
	if strings.Contains(string(out), "s3cr3t") || strings.Count(string(out), "${MYSECRET}") != 2 {
		t.Fatalf("up validate:\n%s", out)
	}
}
