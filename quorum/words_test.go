package quorum

import (
	"strings"
	"testing"
	"time"
)

func TestWords(t *testing.T) {
	tests := []struct {
		k    int
		in   []seen
		want string
	}{
		{2, three(down, down, up), "down in 2 of 3 regions: eu-west, us-east; up in ap-south"},
		{2, three(down, down, down), "down in 3 of 3 regions: eu-west, us-east, ap-south"},
		{2, three(up, down, down), "down in 2 of 3 regions: us-east, ap-south; up in eu-west"},
		{2, three(down, slow, up), "slow in 2 of 3 regions: eu-west (down), us-east; up in ap-south"},
		{2, three(flaky, down, slow), "flaky in 2 of 3 regions: eu-west, us-east (down); slow in ap-south"},
		{2, three(down, up, up), "up in 2 of 3 regions: us-east, ap-south; down in eu-west"},
		{1, []seen{{"default", down, 0}}, "down in 1 of 1 region: default"},
		{2, []seen{{"eu-west", down, 0}, {"us-east", down, 2 * time.Minute}, {"ap-south", up, never}},
			"unknown: a state from 1 of 3 regions, 2 needed; down in eu-west; no report within 1m30s from us-east, ap-south"},
		{2, three(down, unknown, up), "up in 1 of 3 regions: ap-south; down in eu-west; unknown in us-east"},
		{3, three(down, down, unknown), "unknown: a state from 2 of 3 regions, 3 needed; down in eu-west, us-east; unknown in ap-south"},
		{1, nil, "unknown: the check has no regions"},
	}
	for _, tt := range tests {
		r := Combine(Rule{Quorum: tt.k, Interval: 30 * time.Second}, views(tt.in), now)
		if got := r.String(); got != tt.want {
			t.Errorf("%v k=%d:\n got %s\nwant %s", tt.in, tt.k, got, tt.want)
		}
		// Lead ends where the other regions begin: a region's error
		// goes there.
		lead, _, _ := strings.Cut(tt.want, "; ")
		if r.Lead() != lead || r.Lead()+r.Rest() != tt.want {
			t.Errorf("%v k=%d: lead %q, rest %q; want lead %q", tt.in, tt.k, r.Lead(), r.Rest(), lead)
		}
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second: "30s", 90 * time.Second: "1m30s", 3 * time.Minute: "3m",
		time.Hour: "1h", 90 * time.Minute: "1h30m", 3*time.Hour + 5*time.Second: "3h0m5s",
	} {
		if got := duration(d); got != want {
			t.Errorf("duration(%v) = %q, want %q", d, got, want)
		}
	}
}
