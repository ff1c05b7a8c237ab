package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/up-status/up/internal/testenv"
)

// raceFlags are the flags of the go command that builds the up the
// tests run: with -race exactly when the tests themselves have it, since
// -race needs cgo and a C compiler, which a machine may lack.
func raceFlags() []string {
	if raceEnabled {
		return []string{"-race"}
	}
	return nil
}

// TestMakeTestRacesOnlyWithCgo: `make test` uses -race where cgo works
// and, where it cannot (no C compiler, CGO_ENABLED=0), runs the tests
// without it and says so, instead of failing every package.
func TestMakeTestRacesOnlyWithCgo(t *testing.T) {
	mk := testenv.LookPath(t, "make", "apt-get install make")
	run := func(env ...string) string {
		cmd := exec.Command(mk, "-n", "test")
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make -n test %v: %v\n%s", env, err, out)
		}
		return string(out)
	}
	testLine := func(out string) string {
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, " test ") && strings.Contains(l, "./...") {
				return l
			}
		}
		t.Fatalf("no go test line in:\n%s", out)
		return ""
	}
	for _, env := range [][]string{{"CC=no-such-compiler"}, {"CGO_ENABLED=0"}} {
		out := run(env...)
		if l := testLine(out); strings.Contains(l, "-race") || !strings.Contains(out, "running without -race") {
			t.Errorf("%v: make test runs %q and says:\n%s", env, l, out)
		}
	}
	if _, err := exec.LookPath("gcc"); err == nil {
		out := run("CGO_ENABLED=1", "CC=gcc")
		if l := testLine(out); !strings.Contains(l, "-race") || strings.Contains(out, "without -race") {
			t.Errorf("with gcc, make test runs %q and says:\n%s", l, out)
		}
	}
}
