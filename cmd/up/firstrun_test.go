package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestVersionFlagAndBuildInfo: `up --version` is `up version`, and a
// build without -ldflags reports what the toolchain stamped in it.
func TestVersionFlagAndBuildInfo(t *testing.T) {
	code, want := runUp(t, "version")
	if code != 0 {
		t.Fatalf("up version exited %d:\n%s", code, want)
	}
	for _, flag := range []string{"--version", "-version"} {
		if code, out := runUp(t, flag); code != 0 || out != want {
			t.Errorf("up %s exited %d:\n%s\nwant the output of up version:\n%s", flag, code, out, want)
		}
	}

	out, err := exec.Command("go", "version", "-m", upBin).Output()
	if err != nil {
		t.Fatal(err)
	}
	// go version -m prints the binary's BuildInfo indented by a tab.
	_, stamp, _ := strings.Cut(string(out), "\n")
	info, err := debug.ParseBuildInfo(strings.ReplaceAll("\n"+stamp, "\n\t", "\n"))
	if err != nil {
		t.Fatalf("go version -m: %v\n%s", err, out)
	}
	s := buildVersion(info)
	if s.version == "" {
		t.Fatalf("the module version of %+v is empty", info.Main)
	}
	if first := strings.SplitN(want, "\n", 2)[0]; !strings.HasPrefix(first, "up, version "+s.version+" (") {
		t.Errorf("up version says %q, want the module version %q", first, s.version)
	}
	if s.revision != "" && !strings.Contains(want, "revision: "+s.revision+")") {
		t.Errorf("up version lacks the stamped revision %s:\n%s", s.revision, want)
	}
	if !regexp.MustCompile(`(?m)^\s*build date:\s*` + regexp.QuoteMeta(s.date) + `$`).MatchString(want) {
		t.Errorf("up version lacks the stamped date %q:\n%s", s.date, want)
	}
}

// TestBuildVersionReadsTheStamp: what `go build` records of a checkout.
func TestBuildVersionReadsTheStamp(t *testing.T) {
	info := &debug.BuildInfo{
		Main: debug.Module{Path: "github.com/up-status/up", Version: "v0.0.0-20261202085853-1c5b54b0e2a1+dirty"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "1c5b54b0e2a1"},
			{Key: "vcs.time", Value: "2026-12-02T08:58:53Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	want := stamped{"v0.0.0-20261202085853-1c5b54b0e2a1+dirty", "1c5b54b0e2a1-modified", "2026-12-02T08:58:53Z"}
	if got := buildVersion(info); got != want {
		t.Errorf("buildVersion = %+v, want %+v", got, want)
	}
	// go run and builds outside a checkout know nothing better.
	if got := buildVersion(&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}); got != (stamped{version: "devel"}) {
		t.Errorf("buildVersion of a bare build = %+v", got)
	}
}

// demoWrite is the request the demo prints for its admin token.
var demoWrite = regexp.MustCompile(`curl -s -X PUT (\S+) -H "Authorization: Bearer (\S+)" -H 'Content-Type: application/json' -d '([^']+)'`)

// TestTheDemoPrintsATokenThatWrites: the demo prints an admin token with
// a command, and the command works as printed.
func TestTheDemoPrintsATokenThatWrites(t *testing.T) {
	addr, data := freeAddr(t), t.TempDir()
	p := startUp(t, "run", "--listen", addr, "--data", data)
	m := demoWrite.FindStringSubmatch(p.Log())
	if m == nil {
		t.Fatalf("the demo printed no write command:\n%s", p.Log())
	}
	url, token, body := m[1], m[2], m[3]
	if url != "http://"+addr+"/components" || !strings.HasPrefix(token, "up_") {
		t.Fatalf("printed URL %s, token %s", url, token)
	}
	if strings.Count(p.Log(), token) != 2 {
		t.Errorf("the token should appear in the banner and the command only:\n%s", p.Log())
	}
	put := func(token string) int {
		req, err := http.NewRequest(http.MethodPut, url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := put("up_" + strings.Repeat("0", 40)); code != http.StatusUnauthorized {
		t.Errorf("a made-up token got %d, want 401", code)
	}
	if code := put(token); code != http.StatusOK {
		t.Fatalf("the printed command got %d, want 200", code)
	}
	var comps []componentView
	if !getJSON(t, "http://"+addr+"/components/id/docs", &comps) || len(comps) != 1 || comps[0].Status != "DEGRADEDPERFORMANCE" {
		t.Errorf("docs after the printed command: %+v", comps)
	}
	if err := p.Stop(syscall.SIGTERM); err != nil {
		t.Fatalf("up exited with %v after SIGTERM", err)
	}
	// A new start on the same state makes a new token; the old one is gone.
	p = startUp(t, "run", "--listen", addr, "--data", data)
	if m2 := demoWrite.FindStringSubmatch(p.Log()); m2 == nil || m2[2] == token {
		t.Errorf("second start printed %v, want a new token", m2)
	}
	if code := put(token); code != http.StatusUnauthorized {
		t.Errorf("the token of the previous start got %d, want 401", code)
	}
}

// TestTheDemoBeyondLoopbackHasNoToken: a token printed for a demo anyone
// on the network reaches would hand them the API.
func TestTheDemoBeyondLoopbackHasNoToken(t *testing.T) {
	for _, listen := range []string{"0.0.0.0:5020", ":5020", "[::]:5020"} {
		var log bytes.Buffer
		o, err := demoOptions(context.Background(), listen, slog.New(slog.NewTextHandler(&log, nil)))
		if err != nil || o.AdminToken != "" || !strings.Contains(log.String(), "no admin token") {
			t.Errorf("%s: token %q, err %v, log:\n%s", listen, o.AdminToken, err, log.String())
		}
	}
	o, err := demoOptions(context.Background(), "127.0.0.1:5020", slog.New(slog.DiscardHandler))
	if err != nil || !strings.HasPrefix(o.AdminToken, "up_") {
		t.Errorf("on loopback: token %q, err %v", o.AdminToken, err)
	}
}

// takenAddr is a loopback address something else listens on.
func takenAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}

// runUpIn runs up in dir and returns its exit code and output.
func runUpIn(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, upBin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

// TestATakenPortStopsTheStartBeforeTouchingDisk: the error names the
// way out, and no data directory or database is left behind.
func TestATakenPortStopsTheStartBeforeTouchingDisk(t *testing.T) {
	taken := takenAddr(t)
	dir := t.TempDir()
	code, out := runUpIn(t, dir, "run", "--listen", taken)
	if code == 0 || !strings.Contains(out, "address in use: listen.api "+taken) || !strings.Contains(out, "run with --listen 127.0.0.1:") {
		t.Errorf("the demo on a taken port exited %d:\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); !os.IsNotExist(err) {
		t.Errorf("the demo created ./data before finding its port taken: %v", err)
	}

	// A config file whose WebSocket port is taken.
	cfg := filepath.Join(dir, "config.yaml")
	data := filepath.Join(dir, "state")
	writeFile(t, cfg, fmt.Sprintf("page: {url: \"http://127.0.0.1\"}\nlisten: {api: \"127.0.0.1:0\", websocket: %q}\nstorage: {path: %q}\n",
		taken, filepath.Join(data, "up.db")))
	code, out = runUpIn(t, dir, "run", "--config", cfg)
	if code == 0 || !strings.Contains(out, "address in use: listen.websocket "+taken) || !strings.Contains(out, "--listen") {
		t.Errorf("a config on a taken port exited %d:\n%s", code, out)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("the state directory was created before finding the port taken: %v", err)
	}

	code, out = runUpIn(t, dir, "run", "--listen", "5020")
	if code != 2 || !strings.Contains(out, `--listen "5020" is not host:port`) {
		t.Errorf("--listen 5020 exited %d:\n%s", code, out)
	}
}

// TestListenOverridesTheConfigFile: --listen moves both listeners of a
// configuration file, which is how a second up starts next to a first.
func TestListenOverridesTheConfigFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	taken := takenAddr(t)
	writeFile(t, cfg, fmt.Sprintf("listen: {api: %q, websocket: %q}\nstorage: {path: %q}\n",
		taken, taken, filepath.Join(dir, "up.db")))
	addr := freeAddr(t)
	p := startUp(t, "run", "--config", cfg, "--listen", addr)
	// The status page's WebSocket is on the same listener.
	resp, err := http.Get("http://" + addr + "/status")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /status on --listen: %v %v", resp, err)
	}
	resp.Body.Close()
	if err := p.Stop(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
}
