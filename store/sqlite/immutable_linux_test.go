package sqlite

import (
	"github.com/up-status/up/internal/testenv"

	"os"
	"syscall"
	"testing"
	"unsafe"
)

// Linux's FS_IOC_GETFLAGS, FS_IOC_SETFLAGS (as on amd64 and arm64) and
// FS_IMMUTABLE_FL, from linux/fs.h.
const (
	fsIocGetFlags  = 0x80086601
	fsIocSetFlags  = 0x40086602
	fsImmutableFlg = 0x10
)

// setImmutable sets the immutable attribute on path and clears it when the
// test ends, skipping the test where the filesystem or the process's
// capabilities do not allow it.
func setImmutable(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var flags int32
	if err := ioctl(f, fsIocGetFlags, &flags); err != nil {
		testenv.SkipOrFail(t, "cannot read file attributes of %s: %v", path, err)
	}
	set := flags | fsImmutableFlg
	if err := ioctl(f, fsIocSetFlags, &set); err != nil {
		testenv.SkipOrFail(t, "cannot make %s immutable: %v", path, err)
	}
	t.Cleanup(func() {
		f, err := os.Open(path)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		if err := ioctl(f, fsIocSetFlags, &flags); err != nil {
			t.Errorf("clear immutable on %s: %v", path, err)
		}
	})
}

func ioctl(f *os.File, req uintptr, arg *int32) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), req, uintptr(unsafe.Pointer(arg))); errno != 0 {
		return errno
	}
	return nil
}
