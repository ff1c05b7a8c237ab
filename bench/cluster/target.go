package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// target is the service every check probes: check i is GET /t/i on one
// of a few loopback ports (spread so that TIME_WAIT cannot use up the
// ephemeral ports). It answers 200, or 500 for the checks the agreement
// phase has failed, and counts every probe that reaches it: the probes
// made, whoever made them.
type target struct {
	probes  atomic.Int64
	failing []atomic.Bool
	addrs   []string
	lns     []net.Listener
}

func startTarget(checks, ports int) (*target, error) {
	t := &target{failing: make([]atomic.Bool, checks)}
	for range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.close()
			return nil, err
		}
		t.lns = append(t.lns, ln)
		t.addrs = append(t.addrs, ln.Addr().String())
		srv := &http.Server{Handler: t, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
	}
	return t, nil
}

func (t *target) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/t/"))
	if err != nil || i < 0 || i >= len(t.failing) {
		http.NotFound(w, r)
		return
	}
	t.probes.Add(1)
	if t.failing[i].Load() {
		w.WriteHeader(http.StatusInternalServerError)
	}
	_, _ = io.WriteString(w, "ok\n")
}

// url is the URL check i probes.
func (t *target) url(i int) string {
	return fmt.Sprintf("http://%s/t/%d", t.addrs[i%len(t.addrs)], i)
}

// setFailing makes the given checks' paths answer 500 (fail) or 200.
func (t *target) setFailing(checks []int, fail bool) {
	for _, i := range checks {
		t.failing[i].Store(fail)
	}
}

func (t *target) close() {
	for _, ln := range t.lns {
		_ = ln.Close()
	}
}

// procStat is the part of /proc/<pid>/stat the bench reads.
type procStat struct {
	ppid                         int
	utime, stime, cutime, cstime int64 // clock ticks
}

// readStat reads /proc/<pid>/stat.
func readStat(pid int) (procStat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	// The fields after the command name, which is in parentheses and may
	// hold spaces: state ppid ... utime(14) stime cutime cstime.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	if len(f) < 15 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(f[i], 10, 64); return v }
	return procStat{ppid: int(n(1)), utime: n(11), stime: n(12), cutime: n(13), cstime: n(14)}, nil
}

// ticks converts clock ticks to time; USER_HZ is 100 on Linux.
func ticks(n int64) time.Duration { return time.Duration(n) * time.Second / 100 }

// processCPU is the user+system time process pid has used.
func processCPU(pid int) (time.Duration, error) {
	s, err := readStat(pid)
	return ticks(s.utime + s.stime), err
}
