package status

import (
	"strings"
	"testing"
	"time"
)

func TestLatencyAveragesPerMinute(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	l := NewLatency()
	l.Add("a", t0.Add(5*time.Second), 100*time.Millisecond)
	l.Add("a", t0.Add(15*time.Second), 300*time.Millisecond)
	l.Add("b", t0.Add(20*time.Second), 50*time.Millisecond)
	if got := l.Drain(t0.Add(30 * time.Second)); len(got) != 0 {
		t.Fatalf("the running minute was drained: %+v", got)
	}
	l.Add("a", t0.Add(65*time.Second), 1*time.Second) // next minute closes the first
	got := l.Drain(t0.Add(70 * time.Second))
	want := []LatencyPoint{
		{CheckID: "a", Minute: t0, Average: 200 * time.Millisecond, Count: 2},
		{CheckID: "b", Minute: t0, Average: 50 * time.Millisecond, Count: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("point %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	got = l.Drain(t0.Add(2 * time.Minute))
	if len(got) != 1 || got[0].Average != time.Second || !got[0].Minute.Equal(t0.Add(time.Minute)) {
		t.Fatalf("second minute: %+v", got)
	}
	if len(l.checks) != 0 {
		t.Errorf("idle checks are kept: %d", len(l.checks))
	}
}

func TestNewIDIsAValidIDAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewID()
		if len(id) != 26 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz234567") != "" {
			t.Fatalf("id %q: want 26 characters of lower-case base32", id)
		}
		if seen[id] {
			t.Fatalf("id %q made twice", id)
		}
		seen[id] = true
	}
}
