package wire

import (
	"testing"
	"time"
)

// t0 has milliseconds, the precision of every timestamp sent.
var t0 = time.Date(2026, 11, 26, 21, 14, 42, 123_000_000, time.UTC)

func TestTime(t *testing.T) {
	cases := map[string]struct {
		in   time.Time
		want string
	}{
		"zero":          {time.Time{}, ""},
		"utc millis":    {t0, "2026-11-26T21:14:42.123Z"},
		"sub-milli cut": {t0.Add(999_999), "2026-11-26T21:14:42.123Z"},
		"whole second":  {time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "2026-01-01T00:00:00.000Z"},
		"other zone":    {time.Date(2026, 1, 1, 1, 0, 0, 0, time.FixedZone("CET", 3600)), "2026-01-01T00:00:00.000Z"},
	}
	for name, c := range cases {
		if got := Time(c.in); got != c.want {
			t.Errorf("%s: %q, want %q", name, got, c.want)
		}
	}
}

func TestMarshal(t *testing.T) {
	got, err := Marshal(map[string]string{"name": "latency > 2s & <rising>"})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != `{"name":"latency > 2s & <rising>"}` {
		t.Errorf("got %s, want no HTML escaping and no trailing newline", got)
	}
	if _, err := Marshal(func() {}); err == nil {
		t.Error("a func encoded without error")
	}
}
