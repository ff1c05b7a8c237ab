package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/up-status/up/internal/testenv"
)

// TestProbeConfigFollowsTheConfiguredPort: `up probe --config FILE` is
// the container's health check, so it must probe where FILE listens.
func TestProbeConfigFollowsTheConfiguredPort(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	closed := testenv.ClosedAddr(t)
	writeFile(t, cfg, fmt.Sprintf("listen: {api: %q, websocket: %q}\nstorage: {path: %q}\n", closed, closed, filepath.Join(dir, "up.db")))
	if code, out := runUp(t, "probe", "--config", cfg, "--timeout", "2s"); code != 1 || !strings.Contains(out, "connection refused") {
		t.Fatalf("up probe --config where nothing listens exited %d:\n%s", code, out)
	}
	// up on a port of its own; the probe's config then names that port.
	running := filepath.Join(dir, "running.yaml")
	writeFile(t, running, anyPort+fmt.Sprintf("storage: {path: %q}\n", filepath.Join(dir, "up.db")))
	u := startUp(t, "run", "--config", running)
	writeFile(t, cfg, fmt.Sprintf("listen: {api: %q}\n", u.API))
	if code, out := runUp(t, "probe", "--config", cfg, "--timeout", "2s"); code != 0 || !strings.Contains(out, "200") {
		t.Fatalf("up probe --config exited %d:\n%s", code, out)
	}

	// A wildcard listener is reached through loopback.
	for listen, want := range map[string]string{
		"0.0.0.0:5999": "http://127.0.0.1:5999/healthz",
		":5999":        "http://127.0.0.1:5999/healthz",
		"[::]:5999":    "http://[::1]:5999/healthz",
		"[::1]:5999":   "http://[::1]:5999/healthz",
	} {
		writeFile(t, cfg, fmt.Sprintf("listen: {api: %q}\n", listen))
		if got, err := healthzOf(cfg); err != nil || got != want {
			t.Errorf("listen.api %s: probes %q (%v), want %q", listen, got, err, want)
		}
	}
	writeFile(t, cfg, "listen: {api: \"${UP_TEST_UNSET_PORT}\"}\n")
	if code, out := runUp(t, "probe", "--config", cfg); code != 2 || !strings.Contains(out, "UP_TEST_UNSET_PORT") {
		t.Errorf("up probe --config with an unset variable exited %d:\n%s", code, out)
	}
}
