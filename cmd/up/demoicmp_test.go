package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/up-status/up/internal/testenv"
)

// nobody is the user the demo runs as when it may not ping.
const nobody = 65534

// asNobody prepares a copy of up that user nobody may run, or skips the
// test where this process cannot switch users or nobody may ping.
func asNobody(t *testing.T) (bin, data string) {
	t.Helper()
	if os.Geteuid() != 0 {
		testenv.SkipOrFail(t, "switching to user nobody needs root")
	}
	b, err := os.ReadFile("/proc/sys/net/ipv4/ping_group_range")
	if err != nil {
		testenv.SkipOrFail(t, "ping_group_range: %v", err)
	}
	var lo, hi int
	if _, err := fmt.Sscan(string(b), &lo, &hi); err != nil {
		t.Fatalf("ping_group_range %q: %v", b, err)
	}
	if lo <= nobody && nobody <= hi {
		// The machine lets every user ping: the case this test is about
		// cannot happen here, under CI or not.
		t.Skipf("net.ipv4.ping_group_range %q lets nobody ping here", strings.TrimSpace(string(b)))
	}
	dir, err := os.MkdirTemp("", "up-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin, data = filepath.Join(dir, "up"), filepath.Join(dir, "data")
	exe, err := os.ReadFile(upBin)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		os.Chmod(dir, 0o755), os.WriteFile(bin, exe, 0o755), os.Mkdir(data, 0o700), os.Chown(data, nobody, nobody),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return bin, data
}

// TestTheDemoOfAUserWhoMayNotPingShowsNoOutage: the first screen of a
// user without ICMP permission shows what works, and the log says how to
// grant the rest; no component is down or falsely up, no incident opens.
func TestTheDemoOfAUserWhoMayNotPingShowsNoOutage(t *testing.T) {
	bin, data := asNobody(t)
	addr := freeAddr(t)
	log := &testenv.Output{}
	cmd := exec.Command(bin, "run", "--listen", addr, "--data", data)
	cmd.Dir = data
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}}}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("up output:\n%s", log.String())
		}
	})

	var st statusView
	testenv.Eventually(t, 30*time.Second, "the demo's own checks to make the page operational", func() bool {
		select {
		case err := <-done:
			t.Fatalf("up exited early: %v\n%s", err, log.String())
		default:
		}
		body, err := get("http://" + addr + "/status")
		if err != nil || json.Unmarshal([]byte(body), &st) != nil {
			return false
		}
		for _, c := range st.Components {
			if c.ID == "api" && c.Status != "OPERATIONAL" {
				return false
			}
		}
		return len(st.Components) > 0
	})
	if st.Page.Indicator != "UP" || len(st.Incidents) != 0 {
		t.Errorf("page %+v with %d incidents, want UP and none", st.Page, len(st.Incidents))
	}
	var ids []string
	for _, c := range st.Components {
		ids = append(ids, c.ID)
	}
	if strings.Join(ids, " ") != "api docs" {
		t.Errorf("components %v, want api and docs: the ping could only show what this user may not do", ids)
	}
	warn := lines(log.String(), "leaves out its ping check")
	if len(warn) != 1 || !strings.Contains(warn[0], "CAP_NET_RAW") || !strings.Contains(warn[0], "ping_group_range") {
		t.Errorf("want one log line saying how to grant ICMP, got %q", warn)
	}
	if n := len(lines(log.String(), "ICMP not permitted")); n != 0 {
		t.Errorf("%d errors of a check that should not run", n)
	}
}

// statusView is the part of /status the first screen shows.
type statusView struct {
	Page struct {
		Indicator   string `json:"status_indicator"`
		Description string `json:"status_description"`
	} `json:"page"`
	Components []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"components"`
	Incidents []json.RawMessage `json:"incidents"`
}

// lines returns the lines of s that contain sub.
func lines(s, sub string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return out
}
