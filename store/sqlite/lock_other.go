//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package sqlite

import (
	"fmt"
	"os"
)

// lockFile only creates the lock file where flock(2) is missing. SQLite's
// own locks remain: a second process's first write then waits for the busy
// timeout and fails with ErrLocked instead of being refused at Open.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, classifyOS(fmt.Errorf("lock file: %w", err))
	}
	return f, nil
}
