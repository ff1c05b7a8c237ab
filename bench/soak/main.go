// Command soak runs up for a long time under churn and prints how its
// resources evolve: whether memory, goroutines and descriptors stay flat
// while incidents open and resolve and webhooks flow. It starts loopback
// targets of which a different share answers 500 every minute and a
// smaller share hangs, a webhook receiver, and the up binary with N
// checks; every -every it prints RSS, heap in use, goroutines, open fds,
// threads, open incidents, the webhook queue, webhooks received and CPU.
// At the end it prints the slope of RSS over the last half of the run.
// It asserts nothing: figures only.
//
//	go build -o bin/up ./cmd/up && go run ./bench/soak -checks 10000 -for 60m
package main

import (
	"bufio"
	"bytes"
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
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func main() {
	var (
		bin      = flag.String("up", "bin/up", "up binary to run")
		checks   = flag.Int("checks", 1000, "number of HTTP checks (ten per component)")
		interval = flag.Duration("interval", 10*time.Second, "check interval")
		timeout  = flag.Duration("timeout", 3*time.Second, "check timeout (a hanging target holds a probe this long)")
		length   = flag.Duration("for", 15*time.Minute, "how long to run")
		every    = flag.Duration("every", 30*time.Second, "how often to print a line")
		failing  = flag.Float64("failing", 0.05, "share of targets answering 500, a different set each minute")
		hanging  = flag.Float64("hang", 0.01, "share of targets that hang, a different set each minute")
		profiles = flag.String("profiles", "", "if set, run up with --pprof and save heap profiles to this directory at minute 5 and at the end")
	)
	flag.Parse()
	log.SetFlags(0)

	tgt := &target{start: time.Now(), n: *checks, failing: *failing, hanging: *hanging}
	tln := listen()
	go (&http.Server{Handler: tgt, ReadHeaderTimeout: 10 * time.Second}).Serve(tln)
	var received atomic.Int64
	hln := listen()
	go (&http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		received.Add(1)
	})}).Serve(hln)

	dir, err := os.MkdirTemp("", "up-soak-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	api := freeAddr()
	cfg := filepath.Join(dir, "config.yaml")
	text := configText(*checks, tln.Addr().String(), hln.Addr().String(), api, *interval, *timeout, dir)
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *length+time.Minute)
	defer cancel()
	args := []string{"run", "--config", cfg, "--log-level", "warn"}
	if *profiles != "" {
		if err := os.MkdirAll(*profiles, 0o755); err != nil {
			log.Fatal(err)
		}
		args = append(args, "--pprof")
	}
	cmd := exec.CommandContext(ctx, *bin, args...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		log.Fatalf("start %s: %v (build it with: go build -o bin/up ./cmd/up)", *bin, err)
	}
	start := time.Now()

	fmt.Printf("soak: %d checks at %v, %.0f%% answering 500 and %.0f%% hanging (a new set each minute), for %v\n",
		*checks, *interval, *failing*100, *hanging*100, *length)
	fmt.Printf("%8s %9s %9s %6s %5s %7s %6s %6s %9s %8s\n",
		"minute", "rss MiB", "heap MiB", "gorout", "fds", "threads", "open", "queue", "webhooks", "cpu s")
	type point struct {
		at  time.Duration
		rss float64
	}
	var rss []point
	tick := time.NewTicker(*every)
	defer tick.Stop()
	early := time.After(5 * time.Minute)
	for time.Since(start) < *length {
		select {
		case <-early:
			saveHeap(*profiles, api, "heap-5m.pb.gz")
			continue
		case <-tick.C:
		}
		m, err := scrape("http://" + api + "/metrics")
		if err != nil {
			log.Printf("scrape: %v", err)
			continue
		}
		at := time.Since(start)
		r := m["process_resident_memory_bytes"] / (1 << 20)
		rss = append(rss, point{at, r})
		fmt.Printf("%8.1f %9.1f %9.1f %6.0f %5.0f %7d %6.0f %6.0f %9d %8.1f\n",
			at.Minutes(), r, m["go_memstats_heap_inuse_bytes"]/(1<<20), m["go_goroutines"], m["process_open_fds"],
			threads(cmd.Process.Pid), m["uptime_incidents_open"], m["uptime_webhook_queue_depth"], received.Load(),
			m["process_cpu_seconds_total"])
	}
	saveHeap(*profiles, api, "heap-end.pb.gz")
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()

	// Least-squares slope of RSS over the second half.
	var half []point
	for _, p := range rss {
		if p.at >= *length/2 {
			half = append(half, p)
		}
	}
	if len(half) < 2 {
		fmt.Println("too short for a slope")
		return
	}
	var sx, sy, sxx, sxy float64
	for _, p := range half {
		x := p.at.Hours()
		sx, sy, sxx, sxy = sx+x, sy+p.rss, sxx+x*x, sxy+x*p.rss
	}
	n := float64(len(half))
	slope := (n*sxy - sx*sy) / (n*sxx - sx*sx)
	fmt.Printf("RSS slope over the last half: %+.2f MiB per hour (%d samples); webhooks received: %d\n", slope, len(half), received.Load())
}

// saveHeap writes up's heap profile to dir/name, for comparing what is
// live early in the run with what is live at its end
// (go tool pprof -diff_base heap-5m.pb.gz heap-end.pb.gz).
func saveHeap(dir, api, name string) {
	if dir == "" {
		return
	}
	resp, err := http.Get("http://" + api + "/debug/pprof/heap?gc=1")
	if err != nil {
		log.Printf("heap profile: %v", err)
		return
	}
	defer resp.Body.Close()
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		log.Printf("heap profile: %v", err)
		return
	}
	defer f.Close()
	if _, err := io.Copy(f, resp.Body); err != nil {
		log.Printf("heap profile: %v", err)
		return
	}
	fmt.Printf("heap profile saved to %s\n", filepath.Join(dir, name))
}

// target answers the checks: check i is /c/i. Each minute a different
// share of them answers 500 and a smaller one hangs.
type target struct {
	start            time.Time
	n                int
	failing, hanging float64
}

func (t *target) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/c/"))
	minute := int(time.Since(t.start) / time.Minute)
	// A share s of the checks is picked by a window of s*n that moves by
	// that much every minute, so each minute's set is new.
	pick := func(share float64, offset int) bool {
		k := int(share * float64(t.n))
		if k == 0 {
			return false
		}
		from := (minute*k + offset) % t.n
		d := (i - from + t.n) % t.n
		return d < k
	}
	switch {
	case pick(t.hanging, t.n/2):
		<-r.Context().Done()
	case pick(t.failing, 0):
		w.WriteHeader(http.StatusInternalServerError)
	default:
		io.WriteString(w, "ok")
	}
}

func configText(checks int, target, hook, api string, interval, timeout time.Duration, dir string) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "listen: {api: %q, websocket: %q}\nstorage: {path: %q}\n", api, api, filepath.Join(dir, "up.db"))
	fmt.Fprintf(&b, "defaults: {interval: %s, timeout: %s}\n", interval, timeout)
	fmt.Fprintf(&b, "subscribers: [{id: soak, url: %q}]\ncomponents:\n", "http://"+hook+"/hook")
	for c := 0; c*10 < checks; c++ {
		fmt.Fprintf(&b, "  - id: c%d\n    name: Component %d\n    checks:\n", c, c)
		for k := 0; k < 10 && c*10+k < checks; k++ {
			fmt.Fprintf(&b, "      - {name: k%d, http: {url: \"http://%s/c/%d\"}}\n", k, target, c*10+k)
		}
	}
	return b.String()
}

// scrape reads up's metrics, summing the series of each family.
func scrape(url string) (map[string]float64, error) {
	c := &http.Client{Timeout: 30 * time.Second}
	res, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			switch {
			case m.Gauge != nil:
				out[name] += m.Gauge.GetValue()
			case m.Counter != nil:
				out[name] += m.Counter.GetValue()
			case m.Untyped != nil:
				out[name] += m.Untyped.GetValue()
			}
		}
	}
	return out, nil
}

// threads reads the process's thread count from /proc.
func threads(pid int) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

func listen() net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	return ln
}

func freeAddr() string {
	ln := listen()
	defer ln.Close()
	return ln.Addr().String()
}
