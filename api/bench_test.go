package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/up-status/up/status"
)

// bigSpec is a page of n components in n/100 groups, one check each.
func bigSpec(n int) *status.Spec {
	s := &status.Spec{OpenAt: status.PartialOutage}
	for g := 0; g < (n+99)/100; g++ {
		s.Groups = append(s.Groups, status.GroupSpec{ID: fmt.Sprintf("g%d", g), Name: fmt.Sprintf("Group %d", g)})
	}
	for i := range n {
		id := fmt.Sprintf("c%04d", i)
		s.Components = append(s.Components, status.ComponentSpec{
			ID: id, Name: "Component " + id, Description: "A component of the benchmark page", Group: fmt.Sprintf("g%d", i/100),
			Checks: []status.CheckSpec{testCheck(id + ".http")},
		})
	}
	return s
}

// bigFixture is a server over 1 000 components whose checks have all
// reported, a few of them failing (so there are incidents to render).
func bigFixture(b *testing.B) *fixture {
	f := newFixture(b, fixtureOptions{spec: bigSpec(1000), noContract: true})
	err := f.backend.Change(context.Background(), func(e *status.Engine, now time.Time) ([]status.Event, error) {
		var events []status.Event
		for i := range 1000 {
			o := status.Observation{CheckID: fmt.Sprintf("c%04d.http", i), Outcome: status.OK, Latency: 23 * time.Millisecond}
			n := 1
			if i%100 == 7 {
				o.Outcome, o.Err, n = status.Fail, "status 503, want 200-299", 3
			}
			for range n {
				events = append(events, e.Observe(now, o)...)
			}
		}
		return events, nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// discard is a ResponseWriter that keeps nothing, so that the benchmark
// measures the handler.
type discard struct {
	h    http.Header
	code int
	n    int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(code int)        { d.code = code }
func (d *discard) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }

func benchHandler(b *testing.B, path string, hdr header) {
	f := bigFixture(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req, _ := http.NewRequest("GET", path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		for pb.Next() {
			w := &discard{h: http.Header{}}
			f.server.ServeHTTP(w, req)
			if w.code != http.StatusOK || w.n == 0 {
				b.Fatalf("%s: %d", path, w.code)
			}
		}
	})
}

// BenchmarkStatus serves GET /status for 1 000 components through the
// real handler.
func BenchmarkStatus(b *testing.B) {
	b.Run("identity", func(b *testing.B) { benchHandler(b, "/status", nil) })
	b.Run("gzip", func(b *testing.B) { benchHandler(b, "/status", header{"Accept-Encoding": "gzip"}) })
}

// BenchmarkComponents serves GET /components for 1 000 components.
func BenchmarkComponents(b *testing.B) {
	b.Run("identity", func(b *testing.B) { benchHandler(b, "/components", nil) })
	b.Run("gzip", func(b *testing.B) { benchHandler(b, "/components", header{"Accept-Encoding": "gzip"}) })
}

// BenchmarkStatusRender is the cost of rendering /status when the cache
// misses, as after every change.
func BenchmarkStatusRender(b *testing.B) {
	f := bigFixture(b)
	snap := f.backend.Snapshot()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := StatusJSON(snap, f.server.page); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoopback loads the real server over loopback HTTP with
// concurrent keep-alive clients and reports requests per second and the
// 99th percentile latency. Clients that take gzip read it compressed,
// as a browser does before it unpacks in its own process.
func BenchmarkLoopback(b *testing.B) {
	for _, path := range []string{"/status", "/components"} {
		for _, enc := range []string{"identity", "gzip"} {
			b.Run(path[1:]+"/"+enc, func(b *testing.B) { loopback(b, path, enc) })
		}
	}
}

func loopback(b *testing.B, path, enc string) {
	f := bigFixture(b)
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var mu sync.Mutex
	var all []time.Duration
	b.SetParallelism(4) // 4 clients per core
	b.ResetTimer()
	began := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		req, _ := http.NewRequest("GET", f.http.URL+path, nil)
		req.Header.Set("Accept-Encoding", enc)
		for pb.Next() {
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("%s: %d", path, resp.StatusCode)
				return
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		all = append(all, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(began)
	b.StopTimer()
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	p99 := all[(len(all)*99)/100]
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
}
