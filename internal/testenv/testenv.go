// Package testenv finds the external tools some tests need (promtool,
// prometheus, chromium). Outside CI a missing tool skips the test with a
// hint; under CI=true it fails it, so a green CI run never hides a test
// that did not run.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the CI variable is set to true.
func InCI() bool { return os.Getenv("CI") == "true" }

// LookPath returns the path of the named tool, or ends the test: skipped
// locally, failed under CI=true. install says how to get the tool.
func LookPath(t testing.TB, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if InCI() {
		t.Fatalf("%s is required under CI=true but not found: %s", name, install)
	}
	t.Skipf("%s not found (%s); skipping", name, install)
	return ""
}
