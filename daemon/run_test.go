package daemon

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/up-status/up/config"
	"github.com/up-status/up/internal/testenv"
	"github.com/up-status/up/store/sqlite"
)

// logBuffer is a slog destination the test reads while the daemon writes.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// running is a daemon of the test's, on loopback ports of its own.
type running struct {
	d    *Daemon
	log  *logBuffer
	db   string
	stop func() error
}

// daemonConfig is a config on free loopback ports with the given checks
// (YAML list items) and users, storing in dir.
func daemonConfig(t *testing.T, dir, checks, users string) *config.Config {
	t.Helper()
	return parse(t, fmt.Sprintf(`page: {url: "http://127.0.0.1"}
listen: {api: "127.0.0.1:0", websocket: "127.0.0.1:0"}
storage: {path: %q}
defaults: {interval: 250ms, timeout: 200ms, failure_threshold: 1, success_threshold: 1}
components:
  - id: web
    name: Web
    checks:
%s
users:
%s
`, filepath.Join(dir, "up.db"), checks, users))
}

func startDaemon(t *testing.T, cfg *config.Config) *running {
	t.Helper()
	return startDaemonWith(t, cfg, Options{})
}

// startDaemonWith is startDaemon with options; the logger is the test's.
func startDaemonWith(t *testing.T, cfg *config.Config, opts Options) *running {
	t.Helper()
	r := &running{log: &logBuffer{}, db: cfg.Storage.Path}
	opts.Logger = slog.New(slog.NewTextHandler(r.log, nil))
	d, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	r.d = d
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	var runErr error
	r.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("Run did not return within 30s of its context ending")
			}
		})
		return runErr
	}
	t.Cleanup(func() {
		r.stop()
		if t.Failed() {
			t.Logf("daemon log:\n%s", r.log.String())
		}
	})
	return r
}

func (r *running) get(t *testing.T, path string, v any) bool {
	t.Helper()
	resp, err := http.Get("http://" + r.d.APIAddr() + path)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode == http.StatusOK && json.Unmarshal(body, v) == nil
}

// checkStates reads the checks' states from GET /status.
func (r *running) checkStates(t *testing.T) map[string]string {
	var s struct {
		Components []struct {
			ID     string `json:"id"`
			Checks []struct {
				ID    string `json:"id"`
				State string `json:"state"`
			} `json:"checks"`
		} `json:"components"`
	}
	out := map[string]string{}
	if r.get(t, "/status", &s) {
		for _, c := range s.Components {
			for _, k := range c.Checks {
				out[k.ID] = k.State
			}
		}
	}
	return out
}

func target(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(srv.Close)
	return srv
}

// TestRunServesResultsAndShutdownSavesTheLastState: a probe result
// reaches GET /status, and the hourly uptime gathered since the last
// periodic save (every minute) is in the store once Run has returned.
func TestRunServesResultsAndShutdownSavesTheLastState(t *testing.T) {
	dir := t.TempDir()
	srv := target(t)
	cfg := daemonConfig(t, dir, fmt.Sprintf("      - {name: home, http: {url: %q}}", srv.URL), "  []")
	r := startDaemon(t, cfg)
	// Port 0 twice is two listeners, and the running line says where.
	testenv.Eventually(t, 5*time.Second, "the running line with both addresses", func() bool {
		return strings.Contains(r.log.String(), "websocket=ws://127.0.0.1:") && r.d.wsLn != nil
	})
	testenv.Eventually(t, 10*time.Second, "web.home UP in /status", func() bool {
		return r.checkStates(t)["web.home"] == "UP"
	})
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}

	db, err := sqlite.Open(context.Background(), r.db)
	if err != nil {
		t.Fatalf("the store after shutdown: %v", err)
	}
	defer db.Close()
	now := time.Now()
	hours, err := db.Uptime(context.Background(), "web.home", now.Add(-2*time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var up time.Duration
	for _, h := range hours {
		up += h.Up
	}
	if up <= 0 {
		t.Errorf("no uptime saved at shutdown: %+v", hours)
	}
}

// TestReloadLogsWhatChangedOnce: one line says what the reload did to
// the checks, and only one.
func TestReloadLogsWhatChangedOnce(t *testing.T) {
	dir := t.TempDir()
	srv := target(t)
	one := fmt.Sprintf("      - {name: one, http: {url: %q}}", srv.URL+"/one")
	two := fmt.Sprintf("      - {name: two, http: {url: %q}}", srv.URL+"/two")
	r := startDaemon(t, daemonConfig(t, dir, one, "  []"))
	if err := r.d.Reload(daemonConfig(t, dir, one+"\n"+two, "  []")); err != nil {
		t.Fatal(err)
	}
	want := `msg="checks scheduled" added=1 kept=1 replaced=0 removed=0`
	if n := strings.Count(r.log.String(), want); n != 1 {
		t.Fatalf("%q logged %d times, want once:\n%s", want, n, r.log.String())
	}
	testenv.Eventually(t, 10*time.Second, "both checks UP in /status", func() bool {
		s := r.checkStates(t)
		return s["web.one"] == "UP" && s["web.two"] == "UP"
	})
}

// TestAFailedReloadChangesNothing: a reload whose probe cannot be built
// is refused whole: the old checks keep running, the old users keep
// their tokens and the new ones get none, and nothing is logged as
// scheduled.
func TestAFailedReloadChangesNothing(t *testing.T) {
	dir := t.TempDir()
	srv := target(t)
	one := fmt.Sprintf("      - {name: one, http: {url: %q}}", srv.URL+"/one")
	two := fmt.Sprintf("      - {name: two, http: {url: %q}}", srv.URL+"/two")
	oldUser := "  - {id: old, role: admin, token: old-token-0123456789}"
	r := startDaemon(t, daemonConfig(t, dir, one, oldUser))
	testenv.Eventually(t, 10*time.Second, "web.one UP", func() bool { return r.checkStates(t)["web.one"] == "UP" })

	next := daemonConfig(t, dir, one+"\n"+two, "  - {id: new, role: admin, token: new-token-0123456789}")
	// Valid as a file, but no prober can be built for it: the one step
	// of a reload that can fail after validation.
	next.Checks()[1].HTTP = nil
	before := r.log.String()
	if err := r.d.Reload(next); err == nil || !strings.Contains(err.Error(), "web.two") {
		t.Fatalf("Reload = %v, want an error naming web.two", err)
	}
	if after := strings.TrimPrefix(r.log.String(), before); strings.Contains(after, "checks scheduled") {
		t.Errorf("a failed reload logged a schedule:\n%s", after)
	}
	if n := r.d.sched.Len(); n != 1 {
		t.Errorf("%d checks scheduled after the failed reload, want the old 1", n)
	}
	if s := r.checkStates(t); len(s) != 1 || s["web.one"] != "UP" {
		t.Errorf("checks in /status after the failed reload: %v, want only web.one UP", s)
	}
	for token, want := range map[string]bool{"old-token-0123456789": true, "new-token-0123456789": false} {
		h := sha256.Sum256([]byte(token))
		_, err := r.d.store.UserByTokenHash(context.Background(), h[:])
		if (err == nil) != want {
			t.Errorf("token %s valid = %v after the failed reload, want %v", token, err == nil, want)
		}
	}
	// The old checks still run: a change of the target shows.
	srv.Close()
	testenv.Eventually(t, 10*time.Second, "web.one DOWN after its target closed", func() bool {
		return r.checkStates(t)["web.one"] == "DOWN"
	})
}
