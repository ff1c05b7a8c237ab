package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
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

// serveDNS answers A queries for t<i>.bench.test. on the UDP socket pc:
// the first label names the check.
func (t *target) serveDNS(pc net.PacketConn) {
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		if len(q.Question) != 1 {
			return
		}
		name := q.Question[0].Name
		label, _, _ := strings.Cut(name, ".")
		i, err := strconv.Atoi(strings.TrimPrefix(label, "t"))
		if err != nil {
			i = -1
		}
		if t.hit(i) {
			return // no answer: the probe times out
		}
		m := new(dns.Msg)
		m.SetReply(q)
		m.Answer = []dns.RR{&dns.A{
			Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
			A:   net.IPv4(10, 0, byte(i>>8), byte(i)),
		}}
		_ = w.WriteMsg(m)
	})}
	_ = srv.ActivateAndServe()
}

// healthTarget is the standard gRPC health service, whose service names
// (t<i>) name the checks.
type healthTarget struct {
	healthpb.UnimplementedHealthServer
	t *target
}

func (h healthTarget) Check(ctx context.Context, req *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	i, err := strconv.Atoi(strings.TrimPrefix(req.GetService(), "t"))
	if err != nil {
		i = -1
	}
	if h.t.hit(i) {
		<-ctx.Done() // until the prober gives up
		return nil, ctx.Err()
	}
	return &healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_SERVING}, nil
}

// serveGRPC runs the health service in plaintext on ln.
func (t *target) serveGRPC(ln net.Listener) {
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, healthTarget{t: t})
	_ = srv.Serve(ln)
}
