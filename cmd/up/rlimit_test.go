package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/up-status/up/internal/testenv"
)

// TestUpRunsWithTheHardFileLimit: a soft file limit below the hard one,
// as a login shell or an old init script leaves it, does not cap up. It
// runs with (one below) the hard limit, and sizes its connection caps
// from that, so clients cannot take the descriptors its probes need.
func TestUpRunsWithTheHardFileLimit(t *testing.T) {
	prlimit := testenv.LookPath(t, "prlimit", "apt-get install util-linux")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	writeFile(t, cfg, anyPort+fmt.Sprintf("storage: {path: %q}\n", filepath.Join(dir, "up.db")))
	u := testenv.StartUp(t, prlimit, "--nofile=64:4096", upBin, "run", "--config", cfg)
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", u.Pid()))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "Max open files") {
			continue
		}
		f := strings.Fields(strings.TrimPrefix(line, "Max open files"))
		soft, err := strconv.Atoi(f[0])
		if err != nil {
			t.Fatalf("limits line %q: %v", line, err)
		}
		if soft < 4095 {
			t.Fatalf("up runs with a soft file limit of %d under a hard one of 4096", soft)
		}
		return
	}
	t.Fatalf("no open-files line in:\n%s", b)
}
