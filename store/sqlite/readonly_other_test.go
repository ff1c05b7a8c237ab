//go:build !unix

package sqlite

import (
	"os"
	"testing"
)

// makeReadOnly is not implemented where Unix permissions are missing.
func makeReadOnly(t *testing.T, path string, mode os.FileMode) {
	t.Skip("read-only test needs Unix permissions")
}
