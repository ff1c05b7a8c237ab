package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// crashChildEnv names the database the child process of TestKillNineKeepsCommits
// writes to; it is only set in that child.
const crashChildEnv = "UP_STORE_CRASH_CHILD_DB"

// TestKillNineKeepsCommits runs a writer in a child process, kills it with
// SIGKILL at an arbitrary moment, and checks that every Apply the child
// saw return nil is in the database.
func TestKillNineKeepsCommits(t *testing.T) {
	// Only -short skips it, and CI never passes -short.
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	path := filepath.Join(t.TempDir(), "up.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	commits := make(chan int)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if n, ok := strings.CutPrefix(sc.Text(), "committed "); ok {
				if i, err := strconv.Atoi(n); err == nil {
					commits <- i
				}
			}
		}
	}()

	// Kill once the child has committed a few hundred steps or after a
	// while, whichever comes first; give up if it never gets going.
	last := -1
	start := time.Now()
	timeout := time.After(60 * time.Second)
wait:
	for {
		select {
		case i := <-commits:
			last = i
			if last >= 300 || (last >= 0 && time.Since(start) > 3*time.Second) {
				break wait
			}
		case <-timeout:
			break wait
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	// Lines already in the pipe were committed too.
	for drained := false; !drained; {
		select {
		case i := <-commits:
			last = i
		case <-done:
			drained = true
		}
	}
	_ = cmd.Wait()
	if last < 0 {
		t.Fatal("the child committed nothing")
	}
	t.Logf("child reported %d commits before SIGKILL", last+1)

	ctx := context.Background()
	db, err := Open(ctx, path) // the dead child's lock and -wal are left behind
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	incs, err := db.Incidents(ctx, store.IncidentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, i := range incs {
		have[i.ID] = len(i.Updates) == 2
	}
	pending, err := db.PendingSubscribers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i <= last; i++ {
		if !have[fmt.Sprintf("crash-%d", i)] {
			t.Fatalf("incident crash-%d (with its 2 updates) lost; the child reported %d commits", i, last+1)
		}
	}
	if pending["ops"] < last+1 {
		t.Fatalf("%d deliveries pending, the child committed %d", pending["ops"], last+1)
	}
}

// TestCrashChild is the child side of TestKillNineKeepsCommits; it does
// nothing in a normal test run.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("only runs as the child of TestKillNineKeepsCommits")
	}
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// Bounded: the parent kills us long before this ends.
	deadline := time.Now().Add(2 * time.Minute)
	for i := 0; i < 1_000_000 && time.Now().Before(deadline); i++ {
		inc := incident(fmt.Sprintf("crash-%d", i), ms(int64(i)), 2)
		err := db.Apply(ctx, []status.Event{incidentEvent(inc)},
			[]store.Delivery{delivery(fmt.Sprintf("crash-%d", i), "ops")})
		if err != nil {
			t.Fatal(err)
		}
		// Stdout is unbuffered: once this line is written, the parent
		// may count it whatever happens to us next.
		fmt.Printf("committed %d\n", i)
	}
	db.Close()
}
