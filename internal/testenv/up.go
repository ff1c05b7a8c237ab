package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BuildUp builds the up command into dir and returns the binary's path.
// env adds to the build's environment (CGO_ENABLED=0), flags go to go
// build before the package (-race, -trimpath, -ldflags ...). It takes
// no testing.TB so that a TestMain can build once for a whole package.
func BuildUp(dir string, env []string, flags ...string) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	out := dir + string(os.PathSeparator) + "up"
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	args := append(append([]string{"build"}, flags...), "-o", out, "github.com/up-status/up/cmd/up")
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Env = append(os.Environ(), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	return out, nil
}

// Up is an up daemon a test started with StartUp. The test's cleanup
// stops it (SIGTERM, then SIGKILL) and shows its log if the test failed.
type Up struct {
	// API is the address the API listener is bound to, as up logged it.
	API string
	// WebSocket is the address of the separate WebSocket listener; ""
	// when it shares the API's.
	WebSocket string

	t    testing.TB
	cmd  *exec.Cmd
	out  *Output
	done chan struct{}
	err  error
}

// Running is how long StartUp waits for up to log that it runs and to
// answer /healthz.
const Running = 30 * time.Second

// StartUp runs `bin args...` (bin built by BuildUp), reads the bound
// addresses from its "up is running" log line, and returns once the API
// answers /healthz. Listeners on port 0 are how tests get addresses no
// one else holds.
func StartUp(t testing.TB, bin string, args ...string) *Up {
	t.Helper()
	u := &Up{t: t, cmd: exec.Command(bin, args...), out: &Output{}, done: make(chan struct{})}
	u.cmd.Stdout, u.cmd.Stderr = u.out, u.out
	if err := u.cmd.Start(); err != nil {
		t.Fatalf("starting up: %v", err)
	}
	go func() {
		u.err = u.cmd.Wait()
		close(u.done)
	}()
	t.Cleanup(func() {
		if done, _ := u.Exited(); !done {
			_ = u.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-u.done:
			case <-time.After(15 * time.Second):
				t.Errorf("up did not stop within 15s of SIGTERM; killing it")
				u.Kill()
			}
		}
		if t.Failed() {
			t.Logf("up output (end):\n%s", u.out.Tail(16<<10))
		}
	})
	u.await("up to log that it runs", func() error {
		var ok bool
		if u.API, u.WebSocket, ok = runningAddrs(u.out.String()); !ok {
			return errors.New(`no "up is running" line yet`)
		}
		return nil
	})
	u.await("the API to answer /healthz", func() error {
		resp, err := httpClient.Get("http://" + u.API + "/healthz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET /healthz: %s", resp.Status)
		}
		return nil
	})
	return u
}

var httpClient = &http.Client{Timeout: 5 * time.Second}

// await polls ready, failing at once with the log when up exits.
func (u *Up) await(what string, ready func() error) {
	u.t.Helper()
	EventuallyOK(u.t, Running, what, func() error {
		if done, err := u.Exited(); done {
			u.t.Fatalf("up exited (%v) while waiting for %s:\n%s", err, what, u.out.Tail(16<<10))
		}
		return ready()
	})
}

var (
	runningLine = regexp.MustCompile(`(?m)^.*up is running.*$`)
	apiAddr     = regexp.MustCompile(`\bapi"?[=:]"?http://([^\s"/]+)`)
	wsAddr      = regexp.MustCompile(`\bwebsocket"?[=:]"?ws://([^\s"/]+)`)
)

// runningAddrs finds the bound addresses in the "up is running" line of
// a text or JSON log.
func runningAddrs(log string) (api, ws string, ok bool) {
	line := runningLine.FindString(log)
	m := apiAddr.FindStringSubmatch(line)
	if m == nil {
		return "", "", false
	}
	if w := wsAddr.FindStringSubmatch(line); w != nil {
		ws = w[1]
	}
	return m[1], ws, true
}

// URL is the API's base URL with path appended.
func (u *Up) URL(path string) string { return "http://" + u.API + path }

// Log is what up has written so far to stdout and stderr.
func (u *Up) Log() string { return u.out.String() }

// Signal sends sig to up.
func (u *Up) Signal(sig syscall.Signal) { _ = u.cmd.Process.Signal(sig) }

// Stop sends sig and waits, bounded, for up to exit; it returns how up
// exited.
func (u *Up) Stop(sig syscall.Signal) error {
	u.t.Helper()
	u.Signal(sig)
	select {
	case <-u.done:
		return u.err
	case <-time.After(30 * time.Second):
		u.t.Fatalf("up did not exit within 30s of %v", sig)
		return nil
	}
}

// Kill ends up with SIGKILL, as a crash would, and waits for it.
func (u *Up) Kill() {
	_ = u.cmd.Process.Kill()
	<-u.done
}

// Exited reports whether up has ended, and how.
func (u *Up) Exited() (bool, error) {
	select {
	case <-u.done:
		return true, u.err
	default:
		return false, nil
	}
}

// Output collects a child process's output from its two pipes. It keeps
// at most about a MiB: the end is what explains a failure.
type Output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

var _ io.Writer = (*Output)(nil)

// Write appends p, dropping the older half once the buffer passes a MiB.
func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.buf.Len() > 1<<20 {
		o.buf.Next(o.buf.Len() / 2)
	}
	return o.buf.Write(p)
}

// String is everything kept so far.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// Tail is the last n bytes kept.
func (o *Output) Tail(n int) string {
	s := o.String()
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
}
