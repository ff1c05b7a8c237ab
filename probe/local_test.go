package probe

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLocalErrnos(t *testing.T) {
	dial := func(errno syscall.Errno) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", errno)}
	}
	tests := []struct {
		err  error
		want string // "" when the failure is the target's
	}{
		{&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("socket", syscall.EMFILE)}, "up itself is out of file descriptors (too many open files)"},
		{&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("socket", syscall.ENFILE)}, "up's host is out of file descriptors (too many open files in system)"},
		{&net.OpError{Op: "write", Net: "ip4:icmp", Err: os.NewSyscallError("sendto", syscall.ENOBUFS)}, "up's host is out of socket buffer memory (no buffer space available)"},
		{&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("socket", syscall.ENOMEM)}, "up's host is out of memory (cannot allocate memory)"},
		{dial(syscall.EADDRNOTAVAIL), "up's host has no local address or port free to connect from (cannot assign requested address)"},
		{&handshakeError{dial(syscall.ENOBUFS)}, "up's host is out of socket buffer memory (no buffer space available)"},
		// The resolver keeps only the text of its socket's error.
		{&net.DNSError{Err: "dial udp 127.0.0.1:53: socket: too many open files", Name: "db.internal"}, "lookup db.internal: up itself is out of file descriptors (too many open files)"},
		{&net.DNSError{Err: "too many open files in system", Name: "db.internal"}, "lookup db.internal: up's host is out of file descriptors (too many open files in system)"},
		{dial(syscall.ECONNREFUSED), ""},
		{dial(syscall.ECONNRESET), ""},
		{dial(syscall.EHOSTUNREACH), ""},
		{dial(syscall.ENETUNREACH), ""},
		{dial(syscall.ETIMEDOUT), ""},
		{os.ErrDeadlineExceeded, ""},
		{context.DeadlineExceeded, ""},
		{&net.DNSError{Err: "server misbehaving", Name: "db.internal"}, ""},
		{&net.DNSError{Err: "no such host", Name: "db.internal", IsNotFound: true}, ""},
	}
	for _, tt := range tests {
		var r Result
		r.noteLocal(tt.err)
		if tt.want == "" {
			if r.Local || r.LocalCause != nil {
				t.Errorf("%v: Local=%v LocalCause=%v, want the target's failure", tt.err, r.Local, r.LocalCause)
			}
			continue
		}
		if !r.Local || r.LocalCause == nil {
			t.Errorf("%v: Local=%v LocalCause=%v, want a failure of up itself", tt.err, r.Local, r.LocalCause)
		}
		if got := describe(tt.err); got != tt.want {
			t.Errorf("describe(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
	// Local beats a budget that ran out at the same time: the timeout
	// would send on-call to the target.
	ctx, cancel := context.WithDeadline(context.Background(), time.Unix(1, 0))
	defer cancel()
	if got := failureText(ctx, dial(syscall.EADDRNOTAVAIL), time.Second, "while connecting"); !strings.HasPrefix(got, "up's host has no local address") {
		t.Errorf("failureText after the deadline = %q", got)
	}
}

// TestLocalFailuresSayNothingAboutTheTarget runs the probes in a copy of
// this test binary whose file descriptors are used up, with a limit set
// in that process only, so the other tests keep theirs.
func TestLocalFailuresSayNothingAboutTheTarget(t *testing.T) {
	reports := runLocalChild(t)
	want := map[string]string{
		"tcp":         "up itself is out of file descriptors (too many open files)",
		"http":        "up itself is out of file descriptors (too many open files)",
		"tcp by name": "lookup loop.up.test: up itself is out of file descriptors (too many open files)",
		"icmp":        "up itself is out of file descriptors (too many open files)",
	}
	for name, text := range want {
		r, ok := reports[name]
		switch {
		case !ok:
			t.Errorf("%s: no report from the child", name)
		case r.Success || !r.Local || r.Err != text || r.Cause != "EMFILE":
			t.Errorf("%s: Success=%v Local=%v Cause=%q Err=%q, want Local, cause EMFILE, %q", name, r.Success, r.Local, r.Cause, r.Err, text)
		}
	}
	// The same process with descriptors to spare: a refusal is the
	// target's doing, and a listener is reached.
	if r := reports["refused"]; r.Local || r.Err != "connection refused" || r.Cause != "" {
		t.Errorf("refused: Local=%v Cause=%q Err=%q, want the target's connection refused", r.Local, r.Cause, r.Err)
	}
	if r := reports["tcp again"]; !r.Success || r.Local {
		t.Errorf("tcp again: Success=%v Local=%v Err=%q", r.Success, r.Local, r.Err)
	}
}

const (
	localChildEnv    = "UP_PROBE_LOCAL_CHILD"
	localChildPrefix = "LOCAL-CHILD-RESULT "
)

// childReport is a Result as a child process prints it, with what
// errors.Is says of LocalCause, which JSON does not carry.
type childReport struct {
	Name string
	Result
	Cause string // "EMFILE", "ErrICMPNotPermitted", another error's text, or ""
}

func causeName(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, syscall.EMFILE):
		return "EMFILE"
	case errors.Is(err, ErrICMPNotPermitted):
		return "ErrICMPNotPermitted"
	}
	return err.Error()
}

// runLocalChild runs TestLocalChild and returns its reports by name.
func runLocalChild(t *testing.T) map[string]childReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestLocalChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), localChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	reports := map[string]childReport{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), localChildPrefix); ok {
			var r childReport
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			reports[r.Name] = r
		}
	}
	if len(reports) == 0 {
		t.Fatalf("child printed no result:\n%s", out)
	}
	return reports
}

// TestLocalChild is the child side of runLocalChild; it does nothing in a
// normal run. It prints one report line per probe.
func TestLocalChild(t *testing.T) {
	if os.Getenv(localChildEnv) == "" {
		return
	}
	report := func(name string, r Result) {
		b, err := json.Marshal(childReport{Name: name, Result: r, Cause: causeName(r.LocalCause)})
		if err != nil {
			t.Fatal(err)
		}
		os.Stdout.WriteString("\n" + localChildPrefix + string(b) + "\n")
	}
	// Everything that needs a descriptor of its own comes first: the
	// listener, the DNS server and the probers.
	srv := serveTCP(t, silent)
	refused := closedPort(t)
	opts := Options{Resolver: testResolver(t, map[string][]netip.Addr{"loop.up.test": {netip.MustParseAddr("127.0.0.1")}})}
	_, port, _ := net.SplitHostPort(srv.addr)
	probers := []struct {
		name string
		p    Prober
	}{
		{"tcp", mustNew(t, tcpCheck(srv.addr, 5*time.Second, nil), opts)},
		{"http", mustNew(t, httpCheck("http://"+srv.addr+"/", 5*time.Second, nil), opts)},
		{"tcp by name", mustNew(t, tcpCheck("loop.up.test:"+port, 5*time.Second, nil), opts)},
		{"icmp", mustNew(t, icmpCheck("127.0.0.1", 1, 5*time.Second), opts)},
	}

	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	lim.Cur = 256
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	var held []*os.File
	for range lim.Cur {
		f, err := os.Open(os.DevNull)
		if errors.Is(err, syscall.EMFILE) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, f)
	}
	if len(held) == int(lim.Cur) {
		t.Fatalf("opened %d files under a limit of %d without EMFILE", len(held), lim.Cur)
	}
	for _, pr := range probers {
		report(pr.name, pr.p.Probe(context.Background()))
	}

	for _, f := range held {
		f.Close()
	}
	report("refused", mustNew(t, tcpCheck(refused, 5*time.Second, nil), opts).Probe(context.Background()))
	report("tcp again", probers[0].p.Probe(context.Background()))
}
