package status

import (
	"strings"
	"testing"
	"time"
)

// outs reads a result string: o = OK, s = SLOW, f = FAIL, x = an unknown
// outcome word.
func outs(s string) []Outcome {
	var out []Outcome
	for _, r := range s {
		switch r {
		case 'o':
			out = append(out, OK)
		case 's':
			out = append(out, Slow)
		case 'f':
			out = append(out, Fail)
		case 'x':
			out = append(out, Outcome("TIMEOUT"))
		}
	}
	return out
}

// states reads the expected state after each result: U = UP, S = SLOW,
// F = FLAKY, D = DOWN.
func states(s string) []CheckState {
	m := map[rune]CheckState{'U': CheckUp, 'S': CheckSlow, 'F': CheckFlaky, 'D': CheckDown}
	var out []CheckState
	for _, r := range s {
		if st, ok := m[r]; ok {
			out = append(out, st)
		}
	}
	return out
}

func TestCheckStates(t *testing.T) {
	tests := []struct {
		name           string
		fail, recover  int
		presumed       bool
		results, after string
	}{
		{"ok stays up", 3, 2, false, "ooo", "UUU"},
		{"one failure is not flaky", 3, 2, false, "ofo", "UUU"},
		{"down after failure_threshold", 3, 2, false, "offf", "UUUD"},
		{"threshold 1 is down at once", 1, 1, false, "of", "UD"},
		{"threshold 5: no detour through flaky on the way down", 5, 2, false, "fffff", "UUUUD"},
		{"a run that stops short of down is flaky", 3, 2, false, "off o", "UUU F"},
		{"down stays down until success_threshold", 3, 2, false, "fff o o", "UUD DU"},
		{"a failure restarts the recovery count", 3, 2, false, "fff o f o o", "UUD D D DU"},
		{"success_threshold 3", 3, 3, false, "fff ooo", "UUD DDU"},
		{"slow successes recover too", 3, 2, false, "fff ss", "UUD DU"},
		{"recovered is not flaky: its failures were an outage", 3, 2, false, "fff oo oooo", "UUD DU UUUU"},
		{"flapping makes flaky", 3, 2, false, "ofoofoo", "UUUUUFF"},
		{"flaky until the failures leave the window", 3, 2, false, "fof ooooooo o", "UUU FFFFFFF U"},
		{"flaky while a new run goes on", 3, 2, false, "fofof", "UUUFF"},
		{"flaky, then down", 3, 2, false, "fofo fff", "UUUF FFD"},
		{"failures while down do not count as flaky later", 3, 2, false, "ffff o f oo oo", "UUDD D D DU UU"},
		{"slow after failure_threshold slows", 3, 2, false, "ssso", "UUSU"},
		{"slow run broken by a failure", 3, 2, false, "ssfss", "UUUUU"},
		{"flaky wins over slow", 3, 2, false, "fosfsss", "UUUUFFF"},
		{"unknown outcome counts as failure", 3, 2, false, "xxx", "UUD"},
		{"presumed down: first failure keeps it down", 3, 2, true, "f o o", "D DU"},
		{"presumed down: first success clears it", 3, 2, true, "o f", "U U"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &check{failAt: tt.fail, recoverAt: tt.recover, state: CheckUnknown, presumedDown: tt.presumed}
			in, want := outs(tt.results), states(tt.after)
			if len(in) != len(want) {
				t.Fatalf("bad case: %d results, %d states", len(in), len(want))
			}
			var got []string
			for _, o := range in {
				got = append(got, string(c.observe(o)))
			}
			var w []string
			for _, s := range want {
				w = append(w, string(s))
			}
			if strings.Join(got, " ") != strings.Join(w, " ") {
				t.Errorf("results %q:\n got %v\nwant %v", tt.results, got, w)
			}
		})
	}
}

// TestCheckDetailsFollowEveryResult: the latest result's time, latency
// and error move with each result, also when the state stays, and show
// in Check and Snapshot although Observe returns no event; the latest
// failure stays apart for checks that still fail now and then.
func TestCheckDetailsFollowEveryResult(t *testing.T) {
	h := newHarness(t, webSpec())
	obs := func(o Outcome, err string, latency time.Duration) []Event {
		t.Helper()
		h.now = h.now.Add(5 * time.Second)
		return h.record(h.e.Observe(h.now, Observation{CheckID: "website.home", Outcome: o, Err: err, Latency: latency}))
	}
	inSnapshot := func() CheckStatus {
		t.Helper()
		for _, ch := range h.e.Snapshot().Checks {
			if ch.ID == "website.home" {
				return ch
			}
		}
		t.Fatal("website.home not in the snapshot")
		return CheckStatus{}
	}
	obs(OK, "", 10*time.Millisecond)
	first := h.now
	if ev := obs(OK, "", 20*time.Millisecond); len(ev) != 0 {
		t.Fatalf("a second OK told %v", kinds(ev))
	}
	for _, ch := range []CheckStatus{inSnapshot(), found(h.e.Check("website.home"))} {
		if !ch.LastResult.Equal(first.Add(5*time.Second)) || ch.LastLatency != 20*time.Millisecond || ch.State != CheckUp {
			t.Errorf("after two OKs 5s apart: %+v", ch)
		}
	}

	if ev := obs(Fail, "connection refused", 0); len(ev) != 0 {
		t.Fatalf("one failure under the threshold told %v", kinds(ev))
	}
	failed := h.now
	if ch := inSnapshot(); ch.LastError != "connection refused" || ch.LastFailure != "connection refused" || !ch.LastFailAt.Equal(failed) {
		t.Errorf("after a failure: %+v", ch)
	}
	obs(OK, "", 30*time.Millisecond)
	ch := inSnapshot()
	if ch.LastError != "" || !ch.LastResult.Equal(h.now) || ch.LastLatency != 30*time.Millisecond {
		t.Errorf("a success after a failure: last error %q, result %v, latency %v", ch.LastError, ch.LastResult, ch.LastLatency)
	}
	if ch.LastFailure != "connection refused" || !ch.LastFailAt.Equal(failed) {
		t.Errorf("the latest failure was lost: %q at %v", ch.LastFailure, ch.LastFailAt)
	}
	// A SLOW result succeeded: no error either.
	obs(Fail, "timeout after 2s", 0)
	obs(Slow, "", 3*time.Second)
	if ch := inSnapshot(); ch.LastError != "" || ch.LastFailure != "timeout after 2s" {
		t.Errorf("after a slow success: %+v", ch)
	}
}

// TestFlakyIncidentSaysHowItFails: a check turns FLAKY on the success
// that ends its failure run; the incident still names the failure.
func TestFlakyIncidentSaysHowItFails(t *testing.T) {
	h := newHarness(t, webSpec())
	h.do("home o", "ping o", "home fofo")
	inc := h.only("website")
	if want := "website.home is FLAKY (2 of its last 10 results failed): status 503, want 200-299"; inc.Updates[0].Body != want {
		t.Errorf("update %q, want %q", inc.Updates[0].Body, want)
	}
	if ch, _ := h.e.Check("website.home"); ch.LastError != "" {
		t.Errorf("last error %q after a success", ch.LastError)
	}
}

func found[T any](v T, ok bool) T {
	if !ok {
		panic("not found")
	}
	return v
}
