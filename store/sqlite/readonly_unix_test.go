//go:build unix

package sqlite

import (
	"os"
	"testing"
)

// makeReadOnly makes path unwritable for this process until the test
// ends. chmod is enough for an ordinary user; root ignores permission
// bits, so as root the file or directory is made immutable instead (chattr
// +i), which root cannot write either.
func makeReadOnly(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if os.Geteuid() == 0 {
		setImmutable(t, path)
		return
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(path, fi.Mode().Perm()) })
}
