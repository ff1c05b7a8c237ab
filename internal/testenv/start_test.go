package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A test binary that dies without running its cleanups (a panic, a
// -timeout) takes the processes it started with it.
func TestStartedProcessDiesWithTheTest(t *testing.T) {
	sleep := LookPath(t, "sleep", "coreutils")
	if os.Getenv("TESTENV_ORPHAN_CHILD") == "1" {
		p := Start(t, "sleep", sleep, "60")
		fmt.Printf("pid %d\n", p.Pid())
		os.Exit(0) // no cleanup runs
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestStartedProcessDiesWithTheTest$")
	cmd.Env = append(os.Environ(), "TESTENV_ORPHAN_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var pid int
	if _, err := fmt.Sscanf(string(out[bytes.Index(out, []byte("pid ")):]), "pid %d", &pid); err != nil {
		t.Fatalf("child printed no pid: %s", out)
	}
	EventuallyOK(t, 10*time.Second, "the orphaned sleep to end", func() error {
		if alive(pid) {
			return errors.New("still running")
		}
		return nil
	})
}

// alive reports whether pid runs: it exists and is not a zombie waiting
// for a parent that never reaps.
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// pid (comm) state ...: comm may hold spaces, so read after the last ')'.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && fields[0] != "Z"
}
