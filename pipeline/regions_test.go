package pipeline

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/up-status/up/notify"
	"github.com/up-status/up/probe"
	"github.com/up-status/up/regional"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store/sqlite"
)

// A check probed from three regions with a quorum of two: one region's
// failures open nothing, a second region's open the incident, which says
// where the check fails; results from a region the check is not probed
// from are counted and ignored.
func TestRegionsDecideByQuorum(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "up.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		sp := spec()
		check := sp.Components[0].Checks[0]
		p, err := New(ctx, sp, Options{
			Store:   db,
			Planner: notify.Planner{PageID: "p", PageURL: "http://127.0.0.1:5010"},
			Regions: []regional.Spec{{Check: check, Regions: []string{"eu", "us", "ap"}, Quorum: 2}},
		})
		if err != nil {
			t.Fatal(err)
		}
		stop := running(p)
		defer stop()
		result := func(region string, ok bool) {
			r := probe.Result{CheckID: "web.home", Region: region, Success: ok, Duration: 20 * time.Millisecond}
			if !ok {
				r.Err = "connection refused"
			}
			p.Observe(r)
		}
		settle := func() {
			time.Sleep(200 * time.Millisecond)
			synctest.Wait()
		}
		for _, region := range []string{"eu", "us", "ap"} {
			result(region, true)
		}
		settle()
		result("eu", false)
		settle()
		snap := p.Snapshot()
		if len(snap.Incidents) != 0 || snap.Components[0].Status != status.Operational {
			t.Fatalf("one region of three failing: %s with %d incidents, want OPERATIONAL and none", snap.Components[0].Status, len(snap.Incidents))
		}
		result("us", false)
		settle()
		snap = p.Snapshot()
		if len(snap.Incidents) != 1 || snap.Components[0].Status == status.Operational {
			t.Fatalf("two regions of three failing: %s with %d incidents, want an outage and one", snap.Components[0].Status, len(snap.Incidents))
		}
		if got := snap.Checks[0].LastError; !strings.Contains(got, "2 of 3 regions") || !strings.Contains(got, "eu, us") {
			t.Fatalf("the check says %q, want the regions that see it fail", got)
		}
		views := p.RegionViews(ctx)
		if len(views) != 1 || len(views[0].Regions) != 3 || views[0].Regions[0].State != status.CheckDown ||
			views[0].Regions[2].State != status.CheckUp || !views[0].Regions[2].Fresh {
			t.Fatalf("region views = %+v, want eu DOWN, us DOWN, ap UP and fresh", views)
		}
		result("mars", false)
		settle()
		if p.Strays() != 1 {
			t.Fatalf("%d strays, want 1", p.Strays())
		}
		// Recovery in two regions ends it.
		result("eu", true)
		result("us", true)
		settle()
		if snap := p.Snapshot(); snap.Components[0].Status != status.Operational {
			t.Fatalf("after recovery: %s", snap.Components[0].Status)
		}
		// A reload that makes it a one-region check sends its results to
		// the engine as they are.
		if err := p.SetRegions(ctx, nil); err != nil {
			t.Fatal(err)
		}
		result("", false)
		settle()
		if snap := p.Snapshot(); snap.Checks[0].State != status.CheckDown {
			t.Fatalf("a one-region check after the reload: %s, want DOWN", snap.Checks[0].State)
		}
	})
}
