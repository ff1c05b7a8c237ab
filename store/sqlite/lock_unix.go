//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package sqlite

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// lockFile takes an exclusive flock(2) on a lock file beside the database
// and keeps it until the returned file is closed. SQLite's own locks only
// guard single transactions; this lock keeps a second up from running
// against the same state at all, and the kernel drops it when the holder
// dies, even by kill -9. flock locks belong to the open file description,
// so two Opens in one process exclude each other too. The file is never
// removed: unlinking it would let a third process lock a new file while a
// second still holds the old one.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, classifyOS(fmt.Errorf("lock file: %w", err))
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := readHolder(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s held by pid %s)", ErrLocked, path, holder)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// The pid is only for the message above; a failure to write it
	// changes nothing about the lock.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

// readHolder returns the pid the lock's holder wrote, or "unknown".
func readHolder(f *os.File) string {
	b, err := io.ReadAll(io.LimitReader(f, 32))
	if s := strings.TrimSpace(string(b)); err == nil && s != "" {
		return s
	}
	return "unknown"
}
