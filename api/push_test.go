package api

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/auth"

	"github.com/up-status/up/config"
	"github.com/up-status/up/internal/testenv"
	"github.com/up-status/up/status"
)

const pushToken = "backup-push-token-0123456789"

// pushFixture is the API over a page with a push check,
// backups.nightly, that expects a report every second with a second's
// grace, and the check's prober as the scheduler runs it.
func pushFixture(t *testing.T) (*fixture, *config.Check) {
	t.Helper()
	spec := testSpec()
	spec.Components = append(spec.Components, status.ComponentSpec{ID: "backups", Name: "Backups",
		Checks: []status.CheckSpec{{ID: "backups.nightly", FailureThreshold: 2, SuccessThreshold: 1, Interval: time.Second}}})
	f := newFixture(t, fixtureOptions{spec: &spec})
	c := &config.Check{ID: "backups.nightly", Component: "backups", Name: "nightly",
		Push: &config.PushCheck{Token: pushToken, Period: time.Second, Grace: time.Second}}
	mustApply(t, f.pushes, []*config.Check{c})
	return f, c
}

// engineCheck is the engine's view of a check and its open incidents,
// read on the pipeline's goroutine (the published snapshot may lag).
func (f *fixture) engineCheck(id string) (ch status.CheckStatus, incs []status.Incident) {
	f.t.Helper()
	if err := f.backend.Change(context.Background(), func(e *status.Engine, now time.Time) ([]status.Event, error) {
		ch, _ = e.Check(id)
		incs = e.Snapshot().Incidents
		return nil, nil
	}); err != nil {
		f.t.Fatal(err)
	}
	return ch, incs
}

// checkState is the engine's state of the check.
func (f *fixture) checkState(id string) status.CheckState {
	ch, _ := f.engineCheck(id)
	return ch.State
}

// runProber runs the check's prober n times, as the scheduler would,
// and hands each result to the pipeline.
func (f *fixture) runProber(c *config.Check, n int) {
	for range n {
		f.backend.Observe(f.pushes.Prober(c).Probe(context.Background()))
	}
}

func TestPushMakesTheCheckUp(t *testing.T) {
	f, c := pushFixture(t)
	// Before the first report, within period + grace of the start, the
	// prober has no news: the check does not fail.
	if r := f.pushes.Prober(c).Probe(context.Background()); !r.Success || r.Target != "push" {
		t.Errorf("before the first push: %+v", r)
	}
	r := f.want(f.do("GET", "/push/"+pushToken, "", nil), 200).object(t)
	if r["check"] != "backups.nightly" || r["status"] != "ok" {
		t.Errorf("push answered %v", r)
	}
	testenv.Eventually(t, 5*time.Second, "the check UP after a push", func() bool {
		return f.checkState("backups.nightly") == status.CheckUp
	})

	// A failure report, by POST: the check fails with the job's message.
	f.clock.Add(1500 * time.Millisecond)
	f.want(f.do("POST", "/push/"+pushToken+"?status=fail&msg=disk%20full%0Aagain", "", nil), 200)
	f.runProber(c, 1)
	testenv.Eventually(t, 5*time.Second, "the check DOWN after two failure results", func() bool {
		return f.checkState("backups.nightly") == status.CheckDown
	})
	if ch, _ := f.engineCheck("backups.nightly"); ch.LastError != "the job reported a failure: disk full again" {
		t.Errorf("last error %q", ch.LastError)
	}

	// More than one report a second is refused.
	f.wantError(f.do("GET", "/push/"+pushToken, "", nil), 429, "second")
	f.clock.Add(time.Second)
	f.want(f.do("GET", "/push/"+pushToken, "", nil), 200)
	f.wantError(f.do("GET", "/push/"+pushToken+"?status=maybe", "", nil), 400, "status")
}

func TestMissedPushOpensAnIncident(t *testing.T) {
	f, c := pushFixture(t)
	f.want(f.do("GET", "/push/"+pushToken, "", nil), 200)
	f.runProber(c, 1)
	testenv.Eventually(t, 5*time.Second, "the check UP", func() bool {
		return f.checkState("backups.nightly") == status.CheckUp
	})
	// Within period + grace nothing fails.
	f.clock.Add(1900 * time.Millisecond)
	if r := f.pushes.Prober(c).Probe(context.Background()); !r.Success {
		t.Fatalf("within period + grace: %+v", r)
	}
	f.clock.Add(time.Second)
	r := f.pushes.Prober(c).Probe(context.Background())
	if r.Success || r.Err != "no push for 3s (period 1s, grace 1s)" {
		t.Fatalf("past period + grace: %+v", r)
	}
	f.runProber(c, 2)
	testenv.Eventually(t, 5*time.Second, "the check DOWN and an incident open", func() bool {
		ch, incs := f.engineCheck("backups.nightly")
		if ch.State != status.CheckDown {
			return false
		}
		for _, inc := range incs {
			if inc.Auto && inc.Open() && len(inc.Components) == 1 && inc.Components[0] == "backups" {
				return true
			}
		}
		return false
	})
}

func TestPushAfterStartWaitsOnePeriod(t *testing.T) {
	f, c := pushFixture(t)
	f.clock.Add(2 * time.Second)
	if r := f.pushes.Prober(c).Probe(context.Background()); !r.Success {
		t.Fatalf("at period + grace after the start: %+v", r)
	}
	f.clock.Add(time.Second)
	r := f.pushes.Prober(c).Probe(context.Background())
	if r.Success || r.Err != "no push for 3s since up started (period 1s, grace 1s)" {
		t.Fatalf("past period + grace after the start: %+v", r)
	}
	// A reload that keeps the token keeps what the check heard.
	f.want(f.do("GET", "/push/"+pushToken, "", nil), 200)
	mustApply(t, f.pushes, []*config.Check{c})
	if r := f.pushes.Prober(c).Probe(context.Background()); !r.Success {
		t.Fatalf("after a reload: %+v", r)
	}
}

// TestPushWrongToken: an unknown token is 404, and a near miss moves
// nothing. That a miss takes as long as a match is measured by
// BenchmarkPushTokenMatch, not held here: a timed assertion fails on a
// busy machine.
func TestPushWrongToken(t *testing.T) {
	f, _ := pushFixture(t)
	f.wantError(f.do("GET", "/push/nope", "", nil), 404, "no push check")
	f.wantError(f.do("POST", "/push/"+pushToken[:len(pushToken)-1]+"x", "", nil), 404, "no push check")
	if st := f.checkState("backups.nightly"); st != status.CheckUnknown {
		t.Errorf("a wrong token moved the check to %s", st)
	}
}

// BenchmarkPushTokenMatch times the match of a token among 50 push
// checks: the right token, a near miss and a far one must cost the same
// (hash every check, compare every hash), so that the time of an answer
// says nothing about which token, or how much of one, was right.
func BenchmarkPushTokenMatch(b *testing.B) {
	many := []*config.Check{}
	for i := range 50 {
		many = append(many, &config.Check{ID: "c" + string(rune('a'+i%26)) + string(rune('a'+i/26)),
			Push: &config.PushCheck{Token: config.Secret(pushToken + string(rune('a'+i%26)) + string(rune('a'+i/26))), Period: time.Hour}})
	}
	// A clock that never moves: every report after the first is turned
	// away by the rate limit, after the match, which is what is timed.
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	p := NewPushes(func() time.Time { return at }, nil)
	if err := p.Apply(context.Background(), many); err != nil {
		b.Fatal(err)
	}
	right := string(many[0].Push.Token)
	for _, tc := range []struct{ name, token string }{
		{"right", right}, {"near", right[:len(right)-1] + "z"}, {"far", "x"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				p.record(tc.token, true, "")
			}
		})
	}
}

// mustApply applies checks to p, failing the test if the store errs.
func mustApply(t *testing.T, p *Pushes, checks []*config.Check) {
	t.Helper()
	if err := p.Apply(context.Background(), checks); err != nil {
		t.Fatal(err)
	}
}

// TestRotatePushToken: an admin gets a new token, shown once; the old
// one is refused from then on, the store keeps only the new one's hash,
// and a restart keeps the rotation until the configuration names a new
// token of its own.
func TestRotatePushToken(t *testing.T) {
	f, c := pushFixture(t)
	const path = "/checks/backups.nightly/push-token"
	f.want(f.do("POST", path, "", nil), 401)
	f.want(f.do("POST", path, editorToken, nil), 403)
	f.wantError(f.do("POST", "/checks/nope.nightly/push-token", adminToken, nil), 404, "nope.nightly")
	f.wantError(f.do("POST", "/checks/website.home/push-token", adminToken, nil), 404, "no push check")

	var got struct{ Check, Token, URL string }
	f.want(f.do("POST", path, adminToken, nil), 200).decode(t, &got)
	if got.Check != "backups.nightly" || got.Token == "" || got.Token == pushToken || got.URL != "http://status.example/push/"+got.Token {
		t.Fatalf("rotation answered %+v", got)
	}
	// A token the configuration file would take too, and that goes into
	// a URL as it is.
	notURLSafe := func(r rune) bool {
		return !strings.ContainsRune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~", r)
	}
	if err := auth.CheckToken(got.Token); err != nil || strings.IndexFunc(got.Token, notURLSafe) >= 0 {
		t.Errorf("the new token %q does not fit a push URL (%v)", got.Token, err)
	}
	f.wantError(f.do("GET", "/push/"+pushToken, "", nil), 404, "no push check")
	f.want(f.do("GET", "/push/"+got.Token, "", nil), 200)
	if st := f.checkState("backups.nightly"); st != status.CheckUp {
		t.Errorf("a report with the new token left the check %s", st)
	}

	ctx := context.Background()
	stored, err := f.store.Meta(ctx, pushTokenKey("backups.nightly"))
	if err != nil || strings.Contains(stored, got.Token) || stored == "" {
		t.Errorf("the store holds %q (%v); want the new token's hash only", stored, err)
	}

	// A restart: the same configuration, a fresh set of push checks on
	// the same store.
	restarted := NewPushes(f.clock.Now, f.store)
	mustApply(t, restarted, []*config.Check{c})
	if _, out := restarted.record(pushToken, true, ""); out != pushUnknown {
		t.Error("after a restart the configured token is taken again")
	}
	f.clock.Add(2 * time.Second)
	if _, out := restarted.record(got.Token, true, ""); out != pushTaken {
		t.Error("after a restart the rotated token is refused")
	}

	// The configuration names a token of its own: it wins, and going
	// back to the first one later does not bring the rotation back.
	changed := *c
	changed.Push = &config.PushCheck{Token: "backup-push-token-from-the-file", Period: c.Push.Period, Grace: c.Push.Grace}
	mustApply(t, restarted, []*config.Check{&changed})
	f.clock.Add(2 * time.Second)
	if _, out := restarted.record(got.Token, true, ""); out != pushUnknown {
		t.Error("a token set in the file did not replace the rotated one")
	}
	if _, out := restarted.record("backup-push-token-from-the-file", true, ""); out != pushTaken {
		t.Error("the token set in the file is refused")
	}
	mustApply(t, restarted, []*config.Check{c})
	f.clock.Add(2 * time.Second)
	if _, out := restarted.record(pushToken, true, ""); out != pushTaken {
		t.Error("back to the first configured token, it is refused")
	}
}

// TestRotatePushTokenRefusedWithoutAStore: a cluster keeps push tokens
// in its configuration file, so the API says where to change them.
func TestRotatePushTokenRefusedWithoutAStore(t *testing.T) {
	f, c := pushFixture(t)
	p := NewPushes(f.clock.Now, nil)
	mustApply(t, p, []*config.Check{c})
	if _, err := p.Rotate(context.Background(), c.ID); !errors.Is(err, errRotationOff) {
		t.Errorf("Rotate without a store: %v", err)
	}
	if _, out := p.record(pushToken, true, ""); out != pushTaken {
		t.Error("a refused rotation changed the token")
	}
}
