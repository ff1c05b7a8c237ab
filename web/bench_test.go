package web

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Environment of the client process of BenchmarkHub.
const (
	benchURLEnv     = "UP_WEB_BENCH_URL"
	benchClientsEnv = "UP_WEB_BENCH_CLIENTS"
)

// BenchmarkHub measures the time from Publish to the last of 1 000
// WebSocket clients on loopback receiving the message, and the server's
// resident memory with them connected. The clients run in a child process
// (this test binary, TestHubBenchClients), so the RSS is the hub's alone
// and the clients do not compete with it for the Go scheduler. Run:
//
//	go test -run '^$' -bench BenchmarkHub -benchtime 300x ./web/
func BenchmarkHub(b *testing.B) {
	const clients = 1000
	h, url := startHub(b, HubOptions{})
	publishSeq(h, 0, 0)
	runtime.GC()
	rssBefore := rssKiB()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHubBenchClients$")
	cmd.Env = append(os.Environ(), benchURLEnv+"="+url, benchClientsEnv+"="+strconv.Itoa(clients))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		stdin.Close() // the child exits at EOF
		cmd.Wait()
	}()
	lines := bufio.NewScanner(stdout)
	next := func() string {
		if !lines.Scan() {
			b.Fatalf("client process ended: %v", lines.Err())
		}
		return lines.Text()
	}
	for line := next(); line != "ready"; line = next() {
	}
	connected := time.Now()
	for h.Clients() < clients {
		if time.Since(connected) > time.Minute {
			b.Fatalf("%d of %d clients connected", h.Clients(), clients)
		}
		time.Sleep(10 * time.Millisecond)
	}
	runtime.GC()
	rssWith := rssKiB()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	goroutines := runtime.NumGoroutine()

	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 1; i <= b.N; i++ {
		sent := time.Now()
		publishSeq(h, i, 0)
		f := strings.Fields(next())
		if len(f) != 2 || f[0] != strconv.Itoa(i) {
			b.Fatalf("client process said %q, want message %d", f, i)
		}
		last, _ := strconv.ParseInt(f[1], 10, 64)
		lat = append(lat, time.Duration(last-sent.UnixNano()))
	}
	b.StopTimer()

	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[int(math.Ceil(p*float64(len(lat))))-1] }
	b.ReportMetric(float64(q(0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(q(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(rssWith)/1024, "rss-MiB")
	b.Logf("%d clients, %d messages: publish to last client p50 %s, p99 %s, max %s",
		clients, len(lat), q(0.5).Round(time.Microsecond), q(0.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
	b.Logf("server RSS %.1f MiB before the clients, %.1f MiB with them (%.1f KiB per client); heap in use %.1f MiB, %d goroutines",
		float64(rssBefore)/1024, float64(rssWith)/1024, float64(rssWith-rssBefore)/clients,
		float64(ms.HeapInuse)/(1<<20), goroutines)
}

// TestHubBenchClients is the client process of BenchmarkHub; it does
// nothing unless started by it. It connects the clients, says "ready",
// then for each message prints its number and when the last client got
// it (Unix nanoseconds), until its stdin closes.
func TestHubBenchClients(t *testing.T) {
	url := os.Getenv(benchURLEnv)
	if url == "" {
		t.Skip("the client process of BenchmarkHub")
	}
	n, _ := strconv.Atoi(os.Getenv(benchClientsEnv))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // stdin EOF: the benchmark is over
		buf := make([]byte, 1)
		os.Stdin.Read(buf)
		cancel()
	}()

	type tally struct {
		n    int
		last int64
	}
	var (
		mu     sync.Mutex
		counts = map[int]*tally{}
		out    = bufio.NewWriter(os.Stdout)
	)
	received := func(seq int, at int64) {
		mu.Lock()
		defer mu.Unlock()
		c := counts[seq]
		if c == nil {
			c = &tally{}
			counts[seq] = c
		}
		c.n++
		c.last = max(c.last, at)
		if c.n == n {
			fmt.Fprintf(out, "%d %d\n", seq, c.last)
			out.Flush()
			delete(counts, seq)
		}
	}

	var ready, done sync.WaitGroup
	sem := make(chan struct{}, 50) // dial in waves; the accept queue is finite
	for range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			sem <- struct{}{}
			c, _, err := websocket.Dial(ctx, url, nil)
			<-sem
			if err != nil {
				t.Errorf("dial: %v", err)
				ready.Done()
				return
			}
			defer c.CloseNow()
			_, _, err = c.Read(ctx) // the snapshot
			ready.Done()
			if err != nil {
				return
			}
			for {
				_, b, err := c.Read(ctx)
				if err != nil {
					return
				}
				at := time.Now().UnixNano()
				// The description field carries the message's number.
				_, rest, ok := bytes.Cut(b, []byte(`"description":"`))
				if !ok {
					continue
				}
				num, _, _ := bytes.Cut(rest, []byte(`"`))
				seq, err := strconv.Atoi(string(num))
				if err != nil {
					continue
				}
				received(seq, at)
			}
		}()
	}
	ready.Wait()
	fmt.Fprintln(out, "ready")
	out.Flush()
	done.Wait()
}

// rssKiB is this process's resident set size.
func rssKiB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
