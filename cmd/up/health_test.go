package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestProbeConfigFollowsTheConfiguredPort: `up probe --config FILE` is
// the container's health check, so it must probe where FILE listens.
func TestProbeConfigFollowsTheConfiguredPort(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	cfg := filepath.Join(dir, "config.yaml")
	writeFile(t, cfg, fmt.Sprintf("listen: {api: %q, websocket: %q}\nstorage: {path: %q}\n", addr, addr, filepath.Join(dir, "up.db")))
	if code, out := runUp(t, "probe", "--config", cfg, "--timeout", "2s"); code != 1 || !strings.Contains(out, "connection refused") {
		t.Fatalf("up probe --config before up runs exited %d:\n%s", code, out)
	}
	startUp(t, addr, "run", "--config", cfg)
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
