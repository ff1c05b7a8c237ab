package status

import (
	"slices"
	"testing"
	"time"
)

func (h *harness) reconfigure(s Spec) {
	h.t.Helper()
	h.now = h.now.Add(time.Second)
	ev, err := h.e.Reconfigure(h.now, s)
	if err != nil {
		h.t.Fatal(err)
	}
	h.record(ev)
}

func TestReconfigure(t *testing.T) {
	t.Run("same spec changes nothing", func(t *testing.T) {
		h := newHarness(t, maintSpec())
		h.do("home o", "ping o", "home fff")
		h.reconfigure(maintSpec())
		if len(h.events) != 0 {
			t.Errorf("events %v", kinds(h.events))
		}
	})
	t.Run("kept checks keep their state and history", func(t *testing.T) {
		h := newHarness(t, webSpec())
		h.do("home o", "ping o", "home ff")
		s := webSpec()
		s.Components[0].Name = "Web site"
		h.reconfigure(s)
		if got := kinds(h.events); !slices.Equal(got, []EventKind{ComponentChanged}) {
			t.Errorf("rename gave %v", got)
		}
		if h.state("website.home") != CheckUp {
			t.Fatal("state lost")
		}
		h.do("home f") // third failure of the run
		if h.state("website.home") != CheckDown {
			t.Error("history lost")
		}
	})
	t.Run("new thresholds apply from the next result", func(t *testing.T) {
		h := newHarness(t, webSpec())
		h.do("home o", "ping o", "home f")
		s := webSpec()
		s.Components[0].Checks[0].FailureThreshold = 1
		h.reconfigure(s)
		if h.state("website.home") != CheckUp || len(h.events) != 0 {
			t.Fatalf("reload moved the check: %s %v", h.state("website.home"), kinds(h.events))
		}
		h.do("home f")
		if h.state("website.home") != CheckDown {
			t.Error("new threshold not applied")
		}
	})
	t.Run("added check starts unknown, removed check goes", func(t *testing.T) {
		h := newHarness(t, webSpec())
		h.do("home o", "ping fff")
		s := webSpec()
		s.Components[0].Checks = []CheckSpec{s.Components[0].Checks[0], checkSpec("website.tls")}
		h.reconfigure(s)
		if _, ok := h.e.Check("website.ping"); ok {
			t.Error("removed check still there")
		}
		if h.state("website.tls") != CheckUnknown {
			t.Error("new check not unknown")
		}
		var added, deleted bool
		for _, ev := range h.events {
			added = added || ev.Kind == CheckChanged && ev.Check.ID == "website.tls" && ev.OldCheck == ""
			deleted = deleted || ev.Kind == CheckDeleted && ev.Check.ID == "website.ping"
		}
		if !added || !deleted {
			t.Errorf("check events %v", kinds(h.events))
		}
		if h.status("website") != Operational {
			t.Errorf("website %s", h.status("website"))
		}
		// The outage went with the removed check: operational, but the
		// incident waits for the new check before monitoring.
		if inc := h.only("website"); inc.Status != Investigating {
			t.Errorf("incident %s before the new check reported", inc.Status)
		}
		h.do("website.tls o")
		if inc := h.only("website"); inc.Status != Monitoring {
			t.Errorf("incident %s after every check reported", inc.Status)
		}
		// Results of the removed check arriving late are ignored.
		h.do("ping fff")
		if len(h.events) != 0 {
			t.Error("late results of a removed check counted")
		}
	})
	t.Run("removed component goes with its incident", func(t *testing.T) {
		h := newHarness(t, webSpec())
		h.do("home o", "ping o", "home fff")
		id := h.only("website").ID
		s := webSpec()
		s.Components = s.Components[1:]
		h.reconfigure(s)
		inc, _ := h.e.Incident(id)
		if inc.Status != Resolved || inc.Updates[0].Body != "Website was removed from the configuration." {
			t.Errorf("incident %s %q", inc.Status, inc.Updates[0].Body)
		}
		if len(ofKind(h.events, ComponentDeleted)) != 1 || len(ofKind(h.events, CheckDeleted)) != 2 {
			t.Errorf("events %v", kinds(h.events))
		}
		if g := h.e.Snapshot().Groups[0]; !slices.Equal(g.Components, []string{"support"}) || g.Status != Operational {
			t.Errorf("group %+v", g)
		}
	})
	t.Run("added component and group", func(t *testing.T) {
		h := newHarness(t, webSpec())
		s := webSpec()
		s.Groups = append(s.Groups, GroupSpec{ID: "api", Name: "API"})
		s.Components = append(s.Components, ComponentSpec{ID: "api", Name: "API", Group: "api", Checks: []CheckSpec{checkSpec("api.health")}})
		h.reconfigure(s)
		if len(ofKind(h.events, ComponentChanged)) != 1 || len(ofKind(h.events, GroupChanged)) != 1 || len(ofKind(h.events, CheckChanged)) != 1 {
			t.Errorf("events %v", kinds(h.events))
		}
		h.do("api.health fff")
		if h.status("api") != MajorOutage || len(h.openAuto("api")) != 1 {
			t.Errorf("api %s", h.status("api"))
		}
	})
	t.Run("API components stay", func(t *testing.T) {
		h := newHarness(t, webSpec())
		_, ev, _ := h.e.PutComponent(h.now, ComponentInput{ID: "cdn", Name: "CDN", Status: MajorOutage})
		h.record(ev)
		h.reconfigure(webSpec())
		if c, ok := h.e.Component("cdn"); !ok || c.Status != MajorOutage {
			t.Error("API component lost on reload")
		}
	})
	t.Run("windows follow the file", func(t *testing.T) {
		h := newHarness(t, maintSpec())
		s := maintSpec()
		s.Maintenance[0].Start = t0.Add(2 * time.Hour)
		h.reconfigure(s)
		m := h.window("db-upgrade")
		if !m.Start.Equal(t0.Add(2*time.Hour)) || len(m.Updates) != 2 {
			t.Errorf("rescheduled %+v", m)
		}
		h.until(t0.Add(2 * time.Hour))
		if h.status("website") != UnderMaintenance {
			t.Fatal("window did not start")
		}
		s.Maintenance[0].Components = nil
		h.reconfigure(s)
		if h.status("website") != Operational {
			t.Error("dropped component still under maintenance")
		}
		s.Maintenance = nil
		h.reconfigure(s)
		if m := h.window("db-upgrade"); m.Status != Completed || m.FromConfig || m.Cancelled {
			t.Errorf("removed running window %+v", m)
		}
		s.Maintenance = []MaintenanceSpec{{ID: "next", Start: t0.Add(24 * time.Hour), Duration: time.Hour}}
		h.reconfigure(s)
		s.Maintenance = nil
		h.reconfigure(s)
		if m := h.window("next"); m.Status != Completed || !m.Cancelled {
			t.Errorf("removed future window %+v", m)
		}
	})
	t.Run("a bad spec changes nothing", func(t *testing.T) {
		h := newHarness(t, webSpec())
		s := webSpec()
		s.OpenAt = "NOPE"
		before := h.e.Snapshot()
		if _, err := h.e.Reconfigure(h.now, s); !errorsIs(err, ErrInvalid) {
			t.Fatalf("err %v", err)
		}
		if after := h.e.Snapshot(); after.Components[0].Name != before.Components[0].Name || h.e.openAt != PartialOutage {
			t.Error("bad spec applied")
		}
	})
	t.Run("a component that loses its checks keeps its status by hand", func(t *testing.T) {
		h := newHarness(t, webSpec())
		h.do("home fff", "ping fff")
		s := webSpec()
		s.Components[0].Checks = nil
		h.reconfigure(s)
		if h.status("website") != MajorOutage {
			t.Errorf("website %s", h.status("website"))
		}
		if _, _, err := h.e.SetComponentStatus(h.now, "website", Operational, time.Time{}); err != nil || h.status("website") != Operational {
			t.Errorf("set by hand: %v", err)
		}
	})
}
