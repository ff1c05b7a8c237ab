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
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/up-status/up/config"
	"github.com/up-status/up/internal/testenv"
)

func icmpCheck(host string, count int, timeout time.Duration) *config.Check {
	return &config.Check{
		ID: "net.ping", Component: "net", Name: "ping", Timeout: timeout,
		ICMP: &config.ICMPCheck{Host: host, Count: count},
	}
}

// pingOrSkip probes and, when the machine refuses ICMP sockets, skips
// (or fails under CI) instead of reporting the refusal as a bug.
func pingOrSkip(t *testing.T, c *config.Check, opts Options) Result {
	t.Helper()
	r := probeWithin(t, mustNew(t, c, opts), c.Timeout)
	if r.Err == ICMPNotPermitted {
		testenv.SkipOrFail(t, "ICMP sockets not permitted for uid %d", os.Geteuid())
	}
	return r
}

func TestICMPLoopback(t *testing.T) {
	c := icmpCheck("127.0.0.1", 3, 5*time.Second)
	r := pingOrSkip(t, c, testOptions(t))
	if !r.Success || r.Err != "" {
		t.Fatalf("Success=%v Err=%q", r.Success, r.Err)
	}
	if r.CheckID != "net.ping" || r.Type != "icmp" || r.Target != "127.0.0.1" {
		t.Errorf("identity = %q %q %q", r.CheckID, r.Type, r.Target)
	}
	i := r.ICMP
	if i.Sent != 3 || i.Received != 3 || i.LossRatio != 0 || i.RTT <= 0 || i.Setup <= 0 || i.Resolve != 0 {
		t.Errorf("ICMP = %+v", *i)
	}
}

// The pauses between echo requests are the prober's own doing, not the
// host's latency: Duration, which degraded_latency is judged by, is the
// average round trip, and on loopback that is far below one pause.
func TestICMPDurationIsTheRoundTrip(t *testing.T) {
	c := icmpCheck("127.0.0.1", 5, 5*time.Second)
	pause := mustNew(t, c, testOptions(t)).(*icmpProber).spacing
	r := pingOrSkip(t, c, testOptions(t))
	if !r.Success || r.ICMP.Received != 5 {
		t.Fatalf("Success=%v Err=%q ICMP=%+v", r.Success, r.Err, *r.ICMP)
	}
	if r.Duration <= 0 || r.Duration >= pause {
		t.Errorf("Duration = %v, want the round trip, below the %v pause between requests", r.Duration, pause)
	}
	if r.Duration != r.ICMP.RTT {
		t.Errorf("Duration = %v, ICMP.RTT = %v: want the same average round trip", r.Duration, r.ICMP.RTT)
	}
}

func TestICMPConcurrentRunsOfOneProber(t *testing.T) {
	c := icmpCheck("127.0.0.1", 2, 5*time.Second)
	p := mustNew(t, c, testOptions(t))
	var wg sync.WaitGroup
	results := make(chan Result, 8)
	for range 4 {
		wg.Go(func() {
			for range 2 {
				results <- p.Probe(context.Background())
			}
		})
	}
	wg.Wait()
	close(results)
	for r := range results {
		if r.Err == ICMPNotPermitted {
			testenv.SkipOrFail(t, "ICMP sockets not permitted for uid %d", os.Geteuid())
		}
		if !r.Success || r.ICMP.Received != 2 {
			t.Errorf("Success=%v Err=%q ICMP=%+v", r.Success, r.Err, *r.ICMP)
		}
	}
}

func TestICMPNames(t *testing.T) {
	opts := Options{Resolver: testResolver(t, map[string][]netip.Addr{"loop.up.test": {netip.MustParseAddr("127.0.0.1")}})}
	r := pingOrSkip(t, icmpCheck("loop.up.test", 1, 5*time.Second), opts)
	if !r.Success || r.ICMP.Resolve <= 0 || r.ICMP.Received != 1 {
		t.Errorf("by name: Success=%v Err=%q ICMP=%+v", r.Success, r.Err, *r.ICMP)
	}
	r = probeWithin(t, mustNew(t, icmpCheck("nope.invalid", 1, 5*time.Second), opts), 5*time.Second)
	if r.Success || r.Err != "no such host nope.invalid" {
		t.Errorf("unknown name: Success=%v Err=%q", r.Success, r.Err)
	}
	c := icmpCheck("slow.up.test", 1, 300*time.Millisecond)
	r = probeWithin(t, mustNew(t, c, Options{Resolver: hangingResolver()}), c.Timeout)
	if r.Success || r.Err != "timeout after 300ms while resolving slow.up.test" {
		t.Errorf("resolver hangs: Success=%v Err=%q", r.Success, r.Err)
	}
}

func TestICMPNotPermittedClassification(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"datagram socket outside ping_group_range", os.NewSyscallError("socket", syscall.EACCES), true},
		{"raw socket without CAP_NET_RAW", &net.OpError{Op: "listen", Net: "ip4:icmp", Err: os.NewSyscallError("socket", syscall.EPERM)}, true},
		{"firewall on send", &net.OpError{Op: "write", Err: os.NewSyscallError("sendto", syscall.EPERM)}, false},
		{"other socket error", os.NewSyscallError("socket", syscall.EMFILE), false},
		{"deadline", context.DeadlineExceeded, false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		if got := notPermitted(tt.err); got != tt.want {
			t.Errorf("%s: notPermitted(%v) = %v", tt.name, tt.err, got)
		}
	}
	const want = `ICMP not permitted for this user: run as root, grant CAP_NET_RAW (setcap cap_net_raw+ep "$(command -v up)"), or allow unprivileged ping (sysctl -w net.ipv4.ping_group_range="0 2147483647")`
	if ICMPNotPermitted != want {
		t.Errorf("ICMPNotPermitted = %q\nwant %q", ICMPNotPermitted, want)
	}
}

// The next two tests run a copy of this test binary in a network
// namespace of its own, where loopback can be made silent or ICMP
// sockets refused without touching the host.

func TestICMPNoReplyEndsAtTimeout(t *testing.T) {
	r, took := runICMPChild(t, "silent")
	if r.Success || r.Err != "timeout after 500ms: no reply to 2 echo requests" {
		t.Errorf("Success=%v Err=%q", r.Success, r.Err)
	}
	if r.ICMP == nil || r.ICMP.Sent != 2 || r.ICMP.Received != 0 || r.ICMP.LossRatio != 1 {
		t.Errorf("ICMP = %+v", r.ICMP)
	}
	if r.Duration < 500*time.Millisecond || took > 500*time.Millisecond+margin {
		t.Errorf("Duration=%v, child took %v: want the 500ms timeout, not earlier, not much later", r.Duration, took)
	}
}

func TestICMPRefusedSocketsSayWhatToGrant(t *testing.T) {
	r, _ := runICMPChild(t, "denied")
	if r.Success || r.Err != ICMPNotPermitted {
		t.Errorf("Success=%v Err=%q, want %q", r.Success, r.Err, ICMPNotPermitted)
	}
	// The host may be fine: it is this machine that forbids the ping.
	if !r.Local || r.Cause != "ErrICMPNotPermitted" {
		t.Errorf("Local=%v LocalCause=%q, want Local with ErrICMPNotPermitted", r.Local, r.Cause)
	}
}

const (
	icmpChildEnv    = "UP_PROBE_ICMP_CHILD"
	icmpChildPrefix = "ICMP-CHILD-RESULT "
)

// runICMPChild runs TestICMPChild in a new network namespace and returns
// the report it printed and how long the child ran.
func runICMPChild(t *testing.T, mode string) (childReport, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestICMPChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), icmpChildEnv+"="+mode)
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err != nil && !bytes.Contains(out, []byte(icmpChildPrefix)) {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("child: %v\n%s", err, out)
		}
		testenv.SkipOrFail(t, "cannot start a process in a new network namespace: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), icmpChildPrefix); ok {
			var r childReport
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			return r, took
		}
	}
	t.Fatalf("child printed no result:\n%s", out)
	return childReport{}, 0
}

// TestICMPChild is the child side of runICMPChild; it does nothing in a
// normal run. It prints the probe's Result as one JSON line (a
// childReport).
func TestICMPChild(t *testing.T) {
	mode := os.Getenv(icmpChildEnv)
	if mode == "" {
		return
	}
	c := icmpCheck("127.0.0.1", 2, 500*time.Millisecond)
	switch mode {
	case "silent":
		// Loopback is down in a new namespace; bring it up and make the
		// kernel ignore echo requests (both only in this namespace).
		if err := loopbackUp(); err != nil {
			t.Fatalf("loopback up: %v", err)
		}
		if err := os.WriteFile("/proc/sys/net/ipv4/icmp_echo_ignore_all", []byte("1"), 0o644); err != nil {
			t.Fatalf("icmp_echo_ignore_all: %v", err)
		}
	case "denied":
		// A fresh namespace has ping_group_range "1 0", which allows no
		// one datagram ICMP; nobody has no CAP_NET_RAW either.
		if err := syscall.Setgroups(nil); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Setgid(65534); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Setuid(65534); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("unknown mode %q", mode)
	}
	p, err := New(c, Options{Resolver: hangingResolver()})
	if err != nil {
		t.Fatal(err)
	}
	r := p.Probe(context.Background())
	b, err := json.Marshal(childReport{Name: mode, Result: r, Cause: causeName(r.LocalCause)})
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("\n" + icmpChildPrefix + string(b) + "\n")
}

// loopbackUp sets IFF_UP on "lo" with SIOCSIFFLAGS, which is all
// `ip link set lo up` does.
func loopbackUp() error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	var ifr struct {
		name  [syscall.IFNAMSIZ]byte
		flags uint16
		_     [22]byte
	}
	copy(ifr.name[:], "lo")
	ifr.flags = syscall.IFF_UP | syscall.IFF_RUNNING
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.SIOCSIFFLAGS, uintptr(unsafe.Pointer(&ifr))); errno != 0 {
		return errno
	}
	return nil
}
