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

// Process is a child process a test started with Start. The test's
// cleanup stops it (SIGTERM, then SIGKILL) and shows the end of its
// output if the test failed.
type Process struct {
	t    testing.TB
	name string
	cmd  *exec.Cmd
	out  *Output
	done chan struct{}
	err  error
}

// Start runs `bin args...`, named name in messages.
func Start(t testing.TB, name, bin string, args ...string) *Process {
	t.Helper()
	p := &Process{t: t, name: name, cmd: exec.Command(bin, args...), out: &Output{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	// Should the test binary die without its cleanups (a panic, -timeout),
	// the child goes with it instead of running on.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		if done, _ := p.Exited(); !done {
			p.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(15 * time.Second):
				t.Errorf("%s did not stop within 15s of SIGTERM; killing it", name)
				p.Kill()
			}
		}
		if t.Failed() {
			t.Logf("%s output (end):\n%s", name, p.out.Tail(16<<10))
		}
	})
	return p
}

// Await polls ready until it returns nil, bounded by limit, and fails at
// once, with the output, if the process exits meanwhile.
func (p *Process) Await(limit time.Duration, what string, ready func() error) {
	p.t.Helper()
	EventuallyOK(p.t, limit, what, func() error {
		if done, err := p.Exited(); done {
			p.t.Fatalf("%s exited (%v) while waiting for %s:\n%s", p.name, err, what, p.out.Tail(16<<10))
		}
		return ready()
	})
}

// AwaitLog waits, bounded by limit, for a line of output that re
// matches, and returns the match and its groups.
func (p *Process) AwaitLog(limit time.Duration, re *regexp.Regexp) []string {
	p.t.Helper()
	var m []string
	p.Await(limit, fmt.Sprintf("%s to log %s", p.name, re), func() error {
		if m = re.FindStringSubmatch(p.out.String()); m == nil {
			return errors.New("not logged yet")
		}
		return nil
	})
	return m
}

// Pid is the process's id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Log is what the process has written so far to stdout and stderr.
func (p *Process) Log() string { return p.out.String() }

// Signal sends sig to the process.
func (p *Process) Signal(sig syscall.Signal) { _ = p.cmd.Process.Signal(sig) }

// Stop sends sig and waits, bounded, for the process to exit; it returns
// how it exited.
func (p *Process) Stop(sig syscall.Signal) error {
	p.t.Helper()
	p.Signal(sig)
	select {
	case <-p.done:
		return p.err
	case <-time.After(30 * time.Second):
		p.t.Fatalf("%s did not exit within 30s of %v", p.name, sig)
		return nil
	}
}

// Kill ends the process with SIGKILL, as a crash would, and waits for it.
func (p *Process) Kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// Exited reports whether the process has ended, and how.
func (p *Process) Exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// Up is an up daemon a test started with StartUp.
type Up struct {
	*Process
	// API is the address the API listener is bound to, as up logged it.
	API string
	// WebSocket is the address of the separate WebSocket listener; ""
	// when it shares the API's.
	WebSocket string
}

// Running is how long StartUp waits for up to log that it runs and to
// answer /healthz.
const Running = 30 * time.Second

// StartUp runs `bin args...` (bin built by BuildUp), reads the bound
// addresses from its "up is running" log line, and returns once the API
// answers /healthz. Listeners on port 0 are how tests get addresses no
// one else holds. With --log-level warn or error, which hide that line,
// it finds the listeners from the process instead (see Listening).
func StartUp(t testing.TB, bin string, args ...string) *Up {
	t.Helper()
	return StartUpNamed(t, "up", bin, args...)
}

// StartUpNamed is StartUp for a test that runs several daemons: name
// tells them apart in messages and in the output shown on failure.
func StartUpNamed(t testing.TB, name, bin string, args ...string) *Up {
	t.Helper()
	u := &Up{Process: Start(t, name, bin, args...)}
	u.Await(Running, name+" to say where it listens", func() error {
		var ok bool
		if u.API, u.WebSocket, ok = runningAddrs(u.Log()); ok {
			return nil
		}
		return u.findListeners()
	})
	u.Await(Running, "the API to answer /healthz", func() error { return Answers(u.URL("/healthz")) })
	return u
}

// findListeners sets API and WebSocket from the process's listening
// sockets. Both listeners are bound before either serves, so once one
// of them answers /healthz (the API; the WebSocket listener serves only
// /ws) the other, if any, is there too.
func (u *Up) findListeners() error {
	addrs, err := Listening(u.Pid())
	if err != nil {
		return err
	}
	var api, others []string
	for _, a := range addrs {
		if Answers("http://"+a+"/healthz") == nil {
			api = append(api, a)
		} else {
			others = append(others, a)
		}
	}
	switch {
	case len(api) == 0:
		return fmt.Errorf("no listener answers /healthz yet (listening on %v)", addrs)
	case len(api) > 1 || len(others) > 1:
		return fmt.Errorf("cannot tell the API from the WebSocket listener among %v", addrs)
	}
	u.API, u.WebSocket = api[0], ""
	if len(others) == 1 {
		u.WebSocket = others[0]
	}
	return nil
}

var httpClient = &http.Client{Timeout: 5 * time.Second}

// Answers is nil once GET url answers 200 OK, for polling a server that
// is starting.
func Answers(url string) error {
	resp, err := httpClient.Get(url)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
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
