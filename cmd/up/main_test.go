package main

import (
	"bytes"
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
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/up-status/up/config"
	"github.com/up-status/up/internal/testenv"
	"github.com/up-status/up/probe"
)

// upBin is the daemon built once for every test of this file: the tests
// run the real binary, with real signals, as a user would.
var upBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "up-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	upBin = filepath.Join(dir, "up")
	build := exec.Command("go", buildArgs(upBin)...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building up:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// syncBuffer collects a process's output while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// proc is a running up daemon.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	log  *syncBuffer
	addr string
	done chan error
}

// startUp runs `up` with args and waits until its API answers on addr.
func startUp(t *testing.T, addr string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, log: &syncBuffer{}, addr: addr, done: make(chan error, 1)}
	p.cmd = exec.Command(upBin, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("up output:\n%s", p.log.String())
		}
	})
	eventually(t, 20*time.Second, "the API to answer /healthz", func() bool {
		select {
		case err := <-p.done:
			t.Fatalf("up exited early: %v\n%s", err, p.log.String())
		default:
		}
		body, err := get("http://" + addr + "/healthz")
		return err == nil && strings.Contains(body, `"ok"`)
	})
	return p
}

// stop sends sig and waits for the exit, bounded.
func (p *proc) stop(sig syscall.Signal) error {
	p.t.Helper()
	_ = p.cmd.Process.Signal(sig)
	select {
	case err := <-p.done:
		return err
	case <-time.After(30 * time.Second):
		p.t.Fatalf("up did not exit within 30s of %v", sig)
		return nil
	}
}

func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
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

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
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
	closed := freeAddr(t)
	code, out = runUp(t, "probe", closed, "--timeout", "2s")
	if code != 1 || !strings.Contains(out, "connection refused") {
		t.Fatalf("up probe of a closed port exited %d:\n%s", code, out)
	}
	code, out = runUp(t, "probe", "not a target")
	if code != 2 {
		t.Fatalf("up probe of garbage exited %d:\n%s", code, out)
	}
}

// TestDemoConfigFillsMetrics is the README's quick start: `up` with no
// config probes itself, and /metrics shows it at once.
func TestDemoConfigFillsMetrics(t *testing.T) {
	// The demo listens on the fixed port of the README. A developer may
	// have an up running there; CI has nothing else on it.
	if ln, err := net.Listen("tcp", "127.0.0.1:5010"); err != nil {
		if testenv.InCI() {
			t.Fatalf("127.0.0.1:5010 is taken: %v", err)
		}
		t.Skipf("127.0.0.1:5010 is taken (an up running?): %v", err)
	} else {
		ln.Close()
	}
	dir := t.TempDir()
	p := startUp(t, "127.0.0.1:5010", "run", "--data", dir)
	eventually(t, 30*time.Second, "the demo's own checks to succeed in /metrics", func() bool {
		body, err := get("http://127.0.0.1:5010/metrics")
		return err == nil &&
			strings.Contains(body, `probe_success{check="healthz",component="api",target="http://127.0.0.1:5010/healthz",type="http"} 1`) &&
			strings.Contains(body, `probe_success{check="port",component="api",target="127.0.0.1:5010",type="tcp"} 1`)
	})
	if err := p.stop(syscall.SIGTERM); err != nil {
		t.Fatalf("up exited with %v after SIGTERM", err)
	}
}

func TestSIGHUPReloadsAndABadConfigKeepsTheRunningOne(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer target.Close()
	cfgPath := filepath.Join(dir, "config.yaml")
	head := fmt.Sprintf("listen: {api: %q, websocket: %q}\nstorage: {path: %q}\ndefaults: {interval: 1s}\ncomponents:\n  - id: web\n    name: Web\n    checks:\n",
		addr, addr, filepath.Join(dir, "up.db"))
	one := fmt.Sprintf("      - {name: one, http: {url: %q}}\n", target.URL+"/one")
	two := fmt.Sprintf("      - {name: two, http: {url: %q}}\n", target.URL+"/two")
	writeFile(t, cfgPath, head+one)
	p := startUp(t, addr, "run", "--config", cfgPath)
	metric := func(name string) string {
		return fmt.Sprintf(`probe_success{check="%s",component="web",target="%s/%s",type="http"} 1`, name, target.URL, name)
	}
	eventually(t, 20*time.Second, "check one to succeed", func() bool {
		body, _ := get("http://" + addr + "/metrics")
		return strings.Contains(body, metric("one"))
	})

	writeFile(t, cfgPath, head+one+two)
	_ = p.cmd.Process.Signal(syscall.SIGHUP)
	eventually(t, 20*time.Second, "check two to appear after SIGHUP", func() bool {
		body, _ := get("http://" + addr + "/metrics")
		return strings.Contains(body, metric("two")) && strings.Contains(body, metric("one"))
	})

	writeFile(t, cfgPath, head+one+"      - {name: three, htp: {}}\n")
	_ = p.cmd.Process.Signal(syscall.SIGHUP)
	eventually(t, 20*time.Second, "the bad reload to be logged", func() bool {
		return strings.Contains(p.log.String(), "keeping the running config")
	})
	body, _ := get("http://" + addr + "/metrics")
	if !strings.Contains(body, metric("two")) {
		t.Fatal("a bad config removed a running check")
	}
	if err := p.stop(syscall.SIGINT); err != nil {
		t.Fatalf("up exited with %v after SIGINT", err)
	}
}

// TestABadStateFileStopsTheStartWithItsPath: a database held by another
// up, or one that is not a database, is refused at start with its path,
// never replaced by a fresh one.
func TestABadStateFileStopsTheStartWithItsPath(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "up.db")
	cfg := func(addr string) string {
		p := filepath.Join(dir, strings.ReplaceAll(addr, ":", "_")+".yaml")
		writeFile(t, p, fmt.Sprintf("listen: {api: %q, websocket: %q}\nstorage: {path: %q}\n", addr, addr, db))
		return p
	}
	first := freeAddr(t)
	startUp(t, first, "run", "--config", cfg(first))
	code, out := runUp(t, "run", "--config", cfg(freeAddr(t)))
	if code != 1 || !strings.Contains(out, db) || !strings.Contains(out, "in use by another process") {
		t.Fatalf("second up on the same database exited %d:\n%s", code, out)
	}

	garbage := filepath.Join(dir, "garbage.db")
	writeFile(t, garbage, strings.Repeat("not a database\n", 400))
	p := filepath.Join(dir, "garbage.yaml")
	addr := freeAddr(t)
	writeFile(t, p, fmt.Sprintf("listen: {api: %q, websocket: %q}\nstorage: {path: %q}\n", addr, addr, garbage))
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
