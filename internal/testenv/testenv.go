// Package testenv holds what many packages' tests need: the external
// tools some tests run (promtool, prometheus, chromium), bounded polling,
// the built up daemon, loopback addresses and Prometheus expositions.
// Outside CI a missing tool or capability skips the test with a hint;
// under CI=true it fails it, so a green CI run never hides a test that
// did not run.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the CI variable is set to true.
func InCI() bool { return os.Getenv("CI") == "true" }

// SkipOrFail ends a test that cannot run here: skipped locally, failed
// under CI=true, where every test must run.
func SkipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf("required under CI=true: "+format, args...)
	}
	t.Skipf(format, args...)
}

// LookPath returns the path of the named tool, or ends the test with
// SkipOrFail. install says how to get the tool.
func LookPath(t testing.TB, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	SkipOrFail(t, "%s not found (%s)", name, install)
	return ""
}
