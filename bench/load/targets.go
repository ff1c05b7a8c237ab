package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The target servers up probes in a run, one kind per -type, and the
// record of when each check's probe arrived, from which main derives
// CPU per probe, spacing and coverage.

// target records when each check's probe arrives.
type target struct {
	mu       sync.Mutex
	start    time.Time
	arrivals [][]time.Time
	hang     []bool
	floor    []time.Time // arrivals of the floor client's requests
}

func newTarget(n int, hang float64, perCheck time.Duration) *target {
	t := &target{arrivals: make([][]time.Time, n), hang: make([]bool, n)}
	every := 0
	if hang > 0 {
		every = int(1 / hang)
	}
	for i := range t.arrivals {
		t.arrivals[i] = make([]time.Time, 0, int(perCheck))
		t.hang[i] = every > 0 && i%every == every-1
	}
	return t
}

func (t *target) setStart(s time.Time) { t.mu.Lock(); t.start = s; t.mu.Unlock() }

// hit records an arrival and says whether the target must hang.
func (t *target) hit(i int) bool {
	if i < 0 || i >= len(t.arrivals) {
		return false
	}
	now := time.Now()
	t.mu.Lock()
	t.arrivals[i] = append(t.arrivals[i], now)
	t.mu.Unlock()
	return t.hang[i]
}

func (t *target) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/floor/") {
		// The floor's requests get the same answer as up's, counted apart.
		now := time.Now()
		t.mu.Lock()
		t.floor = append(t.floor, now)
		t.mu.Unlock()
		io.WriteString(w, "ok\n")
		return
	}
	i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/t/"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if t.hit(i) {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
		return
	}
	io.WriteString(w, "ok\n")
}

func (t *target) serveTCP(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			c.SetDeadline(time.Now().Add(time.Minute))
			line, err := bufio.NewReader(c).ReadString('\n')
			if err != nil {
				return
			}
			i, _ := strconv.Atoi(strings.TrimSpace(line))
			if t.hit(i) {
				io.Copy(io.Discard, c) // until the prober gives up
				return
			}
			io.WriteString(c, "ok\n")
		}()
	}
}

// serveConnect counts each connection to the port of check i.
func (t *target) serveConnect(ln net.Listener, i int) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		if t.hit(i) {
			go func() {
				c.SetDeadline(time.Now().Add(time.Minute))
				io.Copy(io.Discard, c)
				c.Close()
			}()
			continue
		}
		c.Close()
	}
}

func (t *target) total() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, a := range t.arrivals {
		n += len(a)
	}
	return n
}

func (t *target) arrivalsBetween(from, to time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, a := range t.arrivals {
		for _, at := range a {
			if !at.Before(from) && at.Before(to) {
				n++
			}
		}
	}
	return n
}

func (t *target) floorBetween(from, to time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, at := range t.floor {
		if !at.Before(from) && at.Before(to) {
			n++
		}
	}
	return n
}

type spacing struct{ p50, p99, max, devP99 time.Duration }

func (t *target) spacing(interval time.Duration) spacing {
	t.mu.Lock()
	defer t.mu.Unlock()
	var gaps, devs []time.Duration
	for i, a := range t.arrivals {
		if t.hang[i] {
			continue
		}
		for j := 1; j < len(a); j++ {
			g := a[j].Sub(a[j-1])
			gaps = append(gaps, g)
			d := g - interval
			if d < 0 {
				d = -d
			}
			devs = append(devs, d)
		}
	}
	if len(gaps) == 0 {
		return spacing{}
	}
	slices.Sort(gaps)
	slices.Sort(devs)
	q := func(s []time.Duration, p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s))))] }
	return spacing{q(gaps, .5), q(gaps, .99), gaps[len(gaps)-1], q(devs, .99)}
}

func (t *target) allProbedAfter() (time.Duration, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var last time.Time
	missing := 0
	for _, a := range t.arrivals {
		if len(a) == 0 {
			missing++
			continue
		}
		if a[0].After(last) {
			last = a[0]
		}
	}
	return last.Sub(t.start), missing
}
