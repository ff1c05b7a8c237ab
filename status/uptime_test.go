package status

import (
	"fmt"
	"testing"
	"time"
)

type result struct {
	at     time.Duration // after t0 (21:00 UTC)
	period time.Duration
	state  CheckState
	maint  bool
}

func TestUptime(t *testing.T) {
	h21, h22 := t0, t0.Add(time.Hour)
	s := time.Second
	tests := []struct {
		name    string
		results []result
		want    []UptimeBucket
	}{
		{"one result covers the period before it",
			[]result{{30 * s, 30 * s, CheckUp, false}},
			[]UptimeBucket{{Hour: h21, Up: 30 * s}}},
		{"split at the hour",
			[]result{{time.Hour + 10*s, 30 * s, CheckUp, false}},
			[]UptimeBucket{{Hour: h21, Up: 20 * s}, {Hour: h22, Up: 10 * s}}},
		{"overlaps are counted once",
			[]result{{30 * s, 30 * s, CheckUp, false}, {40 * s, 30 * s, CheckUp, false}},
			[]UptimeBucket{{Hour: h21, Up: 40 * s}}},
		{"gaps are no data",
			[]result{{30 * s, 30 * s, CheckUp, false}, {10 * time.Minute, 30 * s, CheckUp, false}},
			[]UptimeBucket{{Hour: h21, Up: 60 * s}}},
		{"down, maintenance, unknown",
			[]result{{30 * s, 30 * s, CheckDown, false}, {60 * s, 30 * s, CheckDown, true}, {90 * s, 30 * s, CheckUnknown, false}, {120 * s, 30 * s, CheckFlaky, false}, {150 * s, 30 * s, CheckSlow, false}},
			[]UptimeBucket{{Hour: h21, Up: 60 * s, Down: 30 * s, Maintenance: 30 * s}}},
		{"a small step back is ignored",
			[]result{{60 * s, 30 * s, CheckUp, false}, {50 * s, 30 * s, CheckDown, false}, {90 * s, 30 * s, CheckUp, false}},
			[]UptimeBucket{{Hour: h21, Up: 60 * s}}},
		{"a big step back restarts the count",
			[]result{{time.Hour + 30*s, 30 * s, CheckUp, false}, {30 * s, 30 * s, CheckUp, false}, {60 * s, 30 * s, CheckUp, false}},
			[]UptimeBucket{{Hour: h21, Up: 30 * s}, {Hour: h22, Up: 30 * s}}},
		{"no period, nothing",
			[]result{{30 * s, 0, CheckUp, false}},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := NewUptime()
			for _, r := range tt.results {
				u.Add("c", t0.Add(r.at), r.period, r.state, r.maint)
			}
			got := merge(u.Drain())
			for i := range tt.want {
				tt.want[i].CheckID = "c"
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
			if more := u.Drain(); len(more) != 0 {
				t.Errorf("second drain %v", more)
			}
		})
	}
}

// merge adds up buckets of the same check and hour, as the store does.
func merge(in []UptimeBucket) []UptimeBucket {
	var out []UptimeBucket
	for _, b := range in {
		if n := len(out); n > 0 && out[n-1].CheckID == b.CheckID && out[n-1].Hour.Equal(b.Hour) {
			out[n-1].Up += b.Up
			out[n-1].Down += b.Down
			out[n-1].Maintenance += b.Maintenance
			continue
		}
		out = append(out, b)
	}
	return out
}

func TestUptimeDrainInParts(t *testing.T) {
	u := NewUptime()
	u.Add("b", t0.Add(10*time.Second), 10*time.Second, CheckUp, false)
	u.Add("a", t0.Add(10*time.Second), 10*time.Second, CheckDown, false)
	first := u.Drain()
	if len(first) != 2 || first[0].CheckID != "a" || first[0].Down != 10*time.Second {
		t.Fatalf("first %v", first)
	}
	u.Add("a", t0.Add(20*time.Second), 10*time.Second, CheckUp, false)
	u.Forget("a")
	second := u.Drain()
	if len(second) != 1 || second[0].Up != 10*time.Second || !second[0].Hour.Equal(t0) {
		t.Errorf("second %v", second)
	}
}

func TestEngineUptime(t *testing.T) {
	h := newHarness(t, maintSpec()) // 10 s intervals; window from 22:00
	h.now = t0.Add(time.Hour - 10*time.Second)
	// 21:59:51..57: the first result covers its whole interval, the
	// others the second since the one before; two results after DOWN.
	h.do("home ooo", "home ffff")
	h.until(t0.Add(time.Hour))
	// 22:00:01 covers 21:59:57..22:00:01, under maintenance by then.
	h.do("home oo")
	got := merge(h.e.DrainUptime())
	want := []UptimeBucket{
		{CheckID: "website.home", Hour: t0, Up: 14 * time.Second, Down: 2 * time.Second, Maintenance: 3 * time.Second},
		{CheckID: "website.home", Hour: t0.Add(time.Hour), Maintenance: 2 * time.Second},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}
