//go:build !linux

package sqlite

import "testing"

// setImmutable is only implemented on Linux; elsewhere a test that needs a
// read-only path as root is skipped.
func setImmutable(t *testing.T, path string) {
	t.Skip("no immutable attribute on this system; run as a non-root user")
}
