package schedule

import (
	"fmt"
	"testing"
	"time"
)

func TestPhaseSpreadsChecksEvenly(t *testing.T) {
	const n, buckets = 10000, 10
	interval := 10 * time.Second
	var counts [buckets]int
	for i := range n {
		p := Phase(fmt.Sprintf("component-%d.check", i), interval)
		if p < 0 || p >= interval {
			t.Fatalf("phase %v outside [0, %v)", p, interval)
		}
		counts[p/(interval/buckets)]++
	}
	// A uniform spread puts 1000 in each bucket; allow sampling noise.
	for b, c := range counts {
		if c < 850 || c > 1150 {
			t.Errorf("bucket %d holds %d of %d checks, want about %d: %v", b, c, n, n/buckets, counts)
		}
	}
}

func TestPhaseIsDeterministic(t *testing.T) {
	a := Phase("web.home", 30*time.Second)
	b := Phase("web.home", 30*time.Second)
	if a != b {
		t.Fatalf("same id gave %v then %v", a, b)
	}
	if Phase("web.home", 30*time.Second) == Phase("web.homf", 30*time.Second) {
		t.Fatal("ids one letter apart share a phase")
	}
}

func TestFirstRunFallsOnPhaseWithinOneInterval(t *testing.T) {
	interval := 7 * time.Second
	base := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for i := range 200 {
		now := base.Add(time.Duration(i) * 123456789 * time.Nanosecond)
		id := fmt.Sprintf("c%d.x", i)
		first := FirstRun(now, id, interval)
		if first.Before(now) || !first.Before(now.Add(interval)) {
			t.Fatalf("first run %v not in [%v, %v)", first, now, now.Add(interval))
		}
		if got := time.Duration(first.UnixNano() % int64(interval)); got != Phase(id, interval) {
			t.Fatalf("first run offset %v, want phase %v", got, Phase(id, interval))
		}
	}
}
