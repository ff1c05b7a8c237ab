// Command load measures up under many checks: it starts a loopback target
// server, writes a config with N checks against it, runs the up binary for
// a fixed window and prints what the target and /proc saw. It prints
// figures; it asserts nothing.
//
// With -floor it also runs, at the same rate against the same target and
// over the same window, a bare net/http client opening a fresh connection
// per request, in a process of its own, and prints up's CPU per probe as a
// ratio to that floor: on a shared, noisy machine the ratio is steadier
// than either figure.
//
//	go build -o bin/up ./cmd/up && go run ./bench/load -checks 5000
//	go run ./bench/load -checks 5000 -per-component 1 -floor
//	go run ./bench/load -checks 1000 -type dns
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	var (
		bin      = flag.String("up", "bin/up", "up binary to measure")
		checks   = flag.Int("checks", 1000, "number of checks")
		interval = flag.Duration("interval", 10*time.Second, "check interval")
		timeout  = flag.Duration("timeout", 3*time.Second, "check timeout (hanging targets hold a probe this long)")
		window   = flag.Duration("window", 40*time.Second, "how long to run up")
		hang     = flag.Float64("hang", 0, "share of targets that never answer (0..1)")
		kind     = flag.String("type", "http", "check type: http, tcp (connect, send, expect), connect (TCP connect only; one target port per check), dns (an A query over UDP) or grpc (the standard health check, plaintext)")
		ports    = flag.Int("ports", 16, "target ports (spreads connections so TIME_WAIT cannot exhaust ephemeral ports)")
		histo    = flag.Bool("histogram", true, "keep the per-check latency histogram (uptime_probe_latency_seconds)")
		profile  = flag.String("cpuprofile", "", "write a 20 s CPU profile of up, taken in the steady part, to this file")
		heap     = flag.String("memprofile", "", "write a heap profile of up, taken at the end of the window, to this file")
		per      = flag.Int("per-component", 10, "checks per component (1: one component per check, as after a migration from Gatus or Uptime Kuma)")
		floor    = flag.Bool("floor", false, "also run a bare net/http client (a fresh connection per request) at the same rate against the same target, and print up's CPU per probe as a ratio to it (http only)")
		floorRun = flag.String("floor-child", "", "internal: run as the floor client against these comma-separated target addresses")
	)
	flag.Parse()
	log.SetFlags(0)
	if *floorRun != "" {
		runFloor(strings.Split(*floorRun, ","), *checks, *interval, *timeout)
		return
	}
	if *per < 1 {
		log.Fatalf("-per-component %d: want at least 1", *per)
	}
	if *floor && *kind != "http" {
		log.Fatalf("-floor measures HTTP only, not -type %s", *kind)
	}
	switch *kind {
	case "http", "tcp", "connect", "dns", "grpc":
	default:
		log.Fatalf("-type %q: want http, tcp, connect, dns or grpc", *kind)
	}
	if *kind == "connect" {
		// A bare connect says nothing about which check made it, so each
		// check gets a port of its own.
		*ports = *checks
	}

	tgt := newTarget(*checks, *hang, *window / *interval + 3)
	addrs := make([]string, *ports)
	for i := range addrs {
		if *kind == "dns" {
			pc, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				log.Fatal(err)
			}
			addrs[i] = pc.LocalAddr().String()
			go tgt.serveDNS(pc)
			continue
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		addrs[i] = ln.Addr().String()
		switch *kind {
		case "http":
			srv := &http.Server{Handler: tgt, ReadHeaderTimeout: 10 * time.Second}
			go srv.Serve(ln)
		case "tcp":
			go tgt.serveTCP(ln)
		case "connect":
			go tgt.serveConnect(ln, i)
		case "grpc":
			go tgt.serveGRPC(ln)
		}
	}

	dir, err := os.MkdirTemp("", "up-bench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	api := freeAddr()
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(configText(*checks, *per, *kind, addrs, api, *interval, *timeout, dir, *histo)), 0o644); err != nil {
		log.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *window+time.Minute)
	defer cancel()
	// pprof is on in every run: the live heap after a collection is read
	// from it, a figure steadier than RSS on a busy machine.
	args := []string{"run", "--config", cfgPath, "--log-level", "warn", "--pprof"}
	if *profile != "" {
		go func() {
			time.Sleep(*interval + 2*time.Second)
			b, err := getTimeout("http://"+api+"/debug/pprof/profile?seconds=20", time.Minute)
			if err == nil {
				err = os.WriteFile(*profile, b, 0o644)
			}
			if err != nil {
				log.Printf("cpu profile: %v", err)
			}
		}()
	}
	cmd := exec.CommandContext(ctx, *bin, args...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	tgt.setStart(start)
	if err := cmd.Start(); err != nil {
		log.Fatalf("start %s: %v (build it with: go build -o bin/up ./cmd/up)", *bin, err)
	}
	pid := cmd.Process.Pid
	var fl *floorProc
	if *floor {
		fl = startFloor(ctx, addrs, *checks, *interval, *timeout)
	}

	// Sample CPU and RSS once a second; the first interval is warm-up
	// (start, first runs spread over the interval), measured separately.
	type sample struct {
		at       time.Time
		cpu      time.Duration
		rss      int64
		floorCPU time.Duration
	}
	var samples []sample
	tick := time.NewTicker(time.Second)
	for time.Since(start) < *window {
		<-tick.C
		cpu, rss, err := procStat(pid)
		if err != nil {
			log.Fatalf("up exited early: %v", err)
		}
		var fcpu time.Duration
		if fl != nil {
			if fcpu, _, err = procStat(fl.cmd.Process.Pid); err != nil {
				log.Fatalf("floor client exited early: %v", err)
			}
		}
		samples = append(samples, sample{time.Now(), cpu, rss, fcpu})
	}
	tick.Stop()

	if *heap != "" {
		b, err := get("http://" + api + "/debug/pprof/heap")
		if err == nil {
			err = os.WriteFile(*heap, b, 0o644)
		}
		if err != nil {
			log.Printf("heap profile: %v", err)
		}
	}
	// The first scrape is the figure; two more show how much of it was
	// the machine's noise.
	var body []byte
	var scrapes []time.Duration
	for range 3 {
		scrapeStart := time.Now()
		body, err = get("http://" + api + "/metrics")
		scrapes = append(scrapes, time.Since(scrapeStart).Round(time.Millisecond))
		if err != nil {
			log.Fatalf("scrape: %v", err)
		}
	}
	live := liveHeap("http://" + api + "/debug/pprof/heap?gc=1&debug=1")
	peak := vmHWM(pid)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	if fl != nil {
		fl.stop()
	}

	// CPU per probe over the steady part: after one interval, when every
	// check runs at its rhythm.
	var from, to sample
	for _, s := range samples {
		if s.at.Sub(start) >= *interval+time.Second && from.at.IsZero() {
			from = s
		}
		to = s
	}
	probes := tgt.arrivalsBetween(from.at, to.at)
	var rssSum int64
	var rssN int64
	for _, s := range samples[len(samples)/2:] {
		rssSum += s.rss
		rssN++
	}

	expected := int(float64(*checks) * window.Seconds() / interval.Seconds())
	done := tgt.total()
	fmt.Printf("up load benchmark: %d %s checks (%d per component) at %v, timeout %v, %v window, %.0f%% hanging, histogram %v\n",
		*checks, *kind, *per, *interval, *timeout, *window, *hang*100, *histo)
	fmt.Printf("  probes done / expected     %d / %d (%.1f%%)\n", done, expected, 100*float64(done)/float64(expected))
	if probes > 0 {
		fmt.Printf("  CPU per probe              %.3f ms (user+sys %v over %d probes, steady part)\n",
			float64((to.cpu-from.cpu).Microseconds())/1000/float64(probes), to.cpu-from.cpu, probes)
		fmt.Printf("  probes per second          %.0f\n", float64(probes)/to.at.Sub(from.at).Seconds())
		if fl != nil {
			upPer := float64((to.cpu - from.cpu).Microseconds()) / 1000 / float64(probes)
			if fp := tgt.floorBetween(from.at, to.at); fp > 0 {
				floorPer := float64((to.floorCPU - from.floorCPU).Microseconds()) / 1000 / float64(fp)
				fmt.Printf("  floor CPU per request      %.3f ms (bare net/http, fresh connection; %v over %d requests)\n",
					floorPer, to.floorCPU-from.floorCPU, fp)
				fmt.Printf("  up / floor                 %.2f\n", upPer/floorPer)
			}
		}
	}
	fmt.Printf("  RSS steady / peak          %.1f MiB / %.1f MiB (%.2f MiB per 1000 checks steady)\n",
		mib(rssSum/max(rssN, 1)), mib(peak), mib(rssSum/max(rssN, 1))*1000/float64(*checks))
	sp := tgt.spacing(*interval)
	fmt.Printf("  same-target spacing        p50 %v  p99 %v  max %v (interval %v; healthy targets)\n", sp.p50, sp.p99, sp.max, *interval)
	fmt.Printf("  spacing deviation p99      %v\n", sp.devP99)
	all, missing := tgt.allProbedAfter()
	if missing > 0 {
		fmt.Printf("  every check probed once    no: %d checks never probed\n", missing)
	} else {
		fmt.Printf("  every check probed once    after %v\n", all.Round(time.Millisecond))
	}
	fmt.Printf("  /metrics scrape            %v, %d bytes (%.0f bytes per check); then %v, %v\n", scrapes[0], len(body), float64(len(body))/float64(*checks), scrapes[1], scrapes[2])
	if live > 0 {
		fmt.Printf("  heap live after GC         %.1f MiB (%.2f MiB per 1000 checks)\n", mib(live), mib(live)*1000/float64(*checks))
	}
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func configText(n, per int, kind string, addrs []string, api string, interval, timeout time.Duration, dir string, histogram bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "page: {id: bench, name: Bench, url: \"http://%s\"}\n", api)
	fmt.Fprintf(&b, "listen: {api: \"%s\", websocket: \"%s\"}\n", api, api)
	fmt.Fprintf(&b, "storage: {path: \"%s\"}\n", filepath.Join(dir, "up.db"))
	fmt.Fprintf(&b, "metrics: {latency_histogram: %v}\n", histogram)
	fmt.Fprintf(&b, "defaults: {interval: %v, timeout: %v, failure_threshold: 2, success_threshold: 1}\n", interval, timeout)
	b.WriteString("components:\n")
	for c := 0; c*per < n; c++ {
		fmt.Fprintf(&b, "  - id: c%d\n    name: Component %d\n    checks:\n", c, c)
		for i := c * per; i < min(n, (c+1)*per); i++ {
			addr := addrs[i%len(addrs)]
			switch kind {
			case "http":
				fmt.Fprintf(&b, "      - {name: t%d, http: {url: \"http://%s/t/%d\"}}\n", i, addr, i)
			case "tcp":
				fmt.Fprintf(&b, "      - {name: t%d, tcp: {address: \"%s\", send: \"%d\\n\", expect: \"ok\"}}\n", i, addr, i)
			case "connect":
				fmt.Fprintf(&b, "      - {name: t%d, tcp: {address: \"%s\"}}\n", i, addr)
			case "dns":
				fmt.Fprintf(&b, "      - {name: t%d, dns: {server: \"%s\", name: t%d.bench.test, type: A}}\n", i, addr, i)
			case "grpc":
				fmt.Fprintf(&b, "      - {name: t%d, grpc: {address: \"%s\", service: t%d}}\n", i, addr, i)
			}
		}
	}
	return b.String()
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func get(url string) ([]byte, error) { return getTimeout(url, 30*time.Second) }

func getTimeout(url string, timeout time.Duration) ([]byte, error) {
	c := &http.Client{Timeout: timeout}
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// procStat reads user+system CPU time and RSS of a process.
func procStat(pid int) (time.Duration, int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	rssPages, _ := strconv.ParseInt(f[21], 10, 64)
	const hz = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / hz, rssPages * int64(os.Getpagesize()), nil
}

// liveHeap is HeapAlloc right after a forced collection, read from the
// text heap profile; 0 when it cannot be read.
func liveHeap(url string) int64 {
	b, err := get(url)
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "# HeapAlloc = "); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

// vmHWM is the peak resident set size of a process.
func vmHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.Fields(l)[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
