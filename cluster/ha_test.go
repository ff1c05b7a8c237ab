package cluster_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/up-status/up/internal/testenv"
)

// TestHA runs up as a cluster of real processes on one PostgreSQL and
// breaks it the ways production does: an outage, a crash of the leader,
// a rolling restart, a frozen leader, a database restart, writes sent to
// any instance, with and without a leader. The subtests share the binary
// and the server; each has a database, a target and a webhook receiver
// of its own.
func TestHA(t *testing.T) {
	var pg testenv.Postgres
	t.Cleanup(pg.Stop)
	srv := pg.Server(t)
	var flags []string
	if raceEnabled {
		flags = append(flags, "-race")
	}
	bin, err := testenv.BuildUp(t.TempDir(), nil, flags...)
	if err != nil {
		t.Fatal(err)
	}
	shared := &haShared{bin: bin, pg: srv}
	t.Run("OneIncidentPerOutage", func(t *testing.T) { testOneIncidentPerOutage(t, shared) })
	t.Run("KillLeaderMidOutage", func(t *testing.T) { testKillLeaderMidOutage(t, shared) })
	t.Run("SIGTERMHandsOver", func(t *testing.T) { testSIGTERMHandsOver(t, shared) })
	t.Run("SIGSTOPLeaderIsReplaced", func(t *testing.T) { testSIGSTOPLeaderIsReplaced(t, shared) })
	t.Run("CrashedInstancesChecksMove", func(t *testing.T) { testCrashedInstancesChecksMove(t, shared) })
	t.Run("WriteOnFollower", func(t *testing.T) { testWriteOnFollower(t, shared) })
	t.Run("WriteWithoutLeader", func(t *testing.T) { testWriteWithoutLeader(t, shared) })
	// Last: it restarts the server the others share.
	t.Run("PostgresRestart", func(t *testing.T) { testPostgresRestart(t, shared) })
}

// The webhooks of one outage, as each subscriber must get them. With
// resolve_after 0 a recovered incident is MONITORING, then at once
// RESOLVED.
var (
	opsOutage   = []webhook{"component web MAJOROUTAGE", "incident INVESTIGATING", "component web OPERATIONAL", "incident MONITORING", "incident RESOLVED"}
	pagerOutage = []webhook{"incident INVESTIGATING", "incident MONITORING", "incident RESOLVED"}
)

// Three instances: one leads; an outage is one incident, seen alike on
// every instance, resolved once, its webhooks sent once each, in order.
func testOneIncidentPerOutage(t *testing.T, sh *haShared) {
	r := newRig(t, sh, 3)
	r.awaitPages(10*time.Second, "all operational", pageWith("OPERATIONAL", nil))

	r.target.breakHome()
	id := r.awaitIncidents(15*time.Second, "one open incident", outages("INVESTIGATING"))[0].ID
	r.awaitPages(10*time.Second, "web down with its incident", pageWith("MAJOROUTAGE", map[string]string{id: "INVESTIGATING"}))

	r.target.fixHome()
	r.resolved(id)
	r.awaitLeader(time.Second, nil)
}

// resolved waits for incident id, the only one, to be resolved on every
// instance, and for each subscriber to have had the one outage's
// webhooks.
func (r *rig) resolved(id string) {
	r.t.Helper()
	r.awaitIncidents(20*time.Second, "the incident resolved once", sameOutages(id, "RESOLVED"))
	r.awaitPages(10*time.Second, "web up, its incident resolved", pageWith("OPERATIONAL", map[string]string{id: "RESOLVED"}))
	r.hooks.awaitPlan(r.t, 15*time.Second, "ops", []string{id}, opsOutage...)
	r.hooks.awaitPlan(r.t, 15*time.Second, "pager", []string{id}, pagerOutage...)
}

// kill -9 of the leader in the middle of an outage: another instance
// leads once the lease runs out, carries on with the same incident and
// resolves it; the crashed instance, restarted, shows the same page.
func testKillLeaderMidOutage(t *testing.T, sh *haShared) {
	r := newRig(t, sh, 3)
	leader := r.awaitLeader(time.Second, nil)
	r.target.breakHome()
	id := r.awaitOutageOn(leader)

	r.kill(leader)
	killed := time.Now()
	// The lease (15 s) runs out, then a follower's next try (every 4 to
	// 6 s) takes it: at worst 21 s.
	next := r.awaitLeader(25*time.Second, leader)
	t.Logf("%s leads %v after kill -9 of %s", next.name, time.Since(killed).Round(10*time.Millisecond), leader.name)
	r.awaitIncidents(10*time.Second, "still the one incident", sameOutages(id, "INVESTIGATING"))

	r.start(leader) // as systemd would
	r.awaitPages(15*time.Second, "web down with its one incident", pageWith("MAJOROUTAGE", map[string]string{id: "INVESTIGATING"}))

	r.target.fixHome()
	r.resolved(id)
}

// awaitOutageOn waits until nd's page shows web down with one incident,
// and returns the incident's id: the outage is under way, whatever the
// others show.
func (r *rig) awaitOutageOn(nd *node) string {
	r.t.Helper()
	var id string
	testenv.EventuallyOK(r.t, 15*time.Second, nd.name+" to show the outage", func() error {
		v, err := nd.view()
		if err != nil {
			return err
		}
		if v.Components["web"] != "MAJOROUTAGE" || len(v.Incidents) != 1 {
			return fmt.Errorf("%s shows %s", nd.name, v)
		}
		id = slices.Collect(maps.Keys(v.Incidents))[0]
		return nil
	})
	return id
}

// SIGTERM to the leader, as a rolling restart sends: it resigns before
// its probes in flight end and announces it, and another instance leads
// within 2 s, without waiting for the lease to run out (it takes well
// under a second; the figure is logged).
func testSIGTERMHandsOver(t *testing.T, sh *haShared) {
	r := newRig(t, sh, 3)
	leader := r.awaitLeader(time.Second, nil)

	r.terminate(leader)
	signalled := time.Now()
	next := r.awaitLeader(2*time.Second, leader)
	t.Logf("%s leads %v after SIGTERM to %s", next.name, time.Since(signalled).Round(10*time.Millisecond), leader.name)
	testenv.Eventually(t, 20*time.Second, leader.name+" to exit", func() bool {
		done, _ := leader.up.Exited()
		return done
	})
	if _, err := leader.up.Exited(); err != nil {
		t.Errorf("%s exited with %v after SIGTERM, want 0", leader.name, err)
	}
	r.awaitPages(10*time.Second, "all operational", pageWith("OPERATIONAL", nil))
}

// A leader frozen with SIGSTOP (a stuck VM, a long pause) keeps its
// lease until it runs out; then another instance leads. Thawed, the old
// leader finds its lease gone and steps down, so there is one leader and
// the outage that began while it was frozen is one incident.
func testSIGSTOPLeaderIsReplaced(t *testing.T, sh *haShared) {
	r := newRig(t, sh, 3)
	leader := r.awaitLeader(time.Second, nil)

	r.pause(leader)
	paused := time.Now()
	r.target.breakHome()
	next := r.awaitLeader(25*time.Second, leader)
	t.Logf("%s leads %v after SIGSTOP of %s", next.name, time.Since(paused).Round(10*time.Millisecond), leader.name)

	r.resume(leader)
	if got := r.awaitLeader(10*time.Second, nil); got != next {
		t.Fatalf("after the thaw %s leads, want %s", got.name, next.name)
	}
	id := r.awaitIncidents(15*time.Second, "one open incident", outages("INVESTIGATING"))[0].ID
	r.awaitPages(10*time.Second, "web down with its one incident", pageWith("MAJOROUTAGE", map[string]string{id: "INVESTIGATING"}))
	r.target.fixHome()
	r.resolved(id)
}

// A write sent to a follower answers as the same write does on the
// leader, where it is applied as on a single node, and shows on every
// instance.
func testWriteOnFollower(t *testing.T, sh *haShared) {
	r := newRig(t, sh, 3)
	leader := r.awaitLeader(time.Second, nil)
	follower := r.followers(leader)[0]

	open := func(nd *node, id string) answer {
		t.Helper()
		a, err := nd.put("/incidents", map[string]any{
			"id": id, "name": "Logins fail", "components": []string{"web"}, "impact": "MAJOROUTAGE", "body": "We are looking into it.",
		})
		if err != nil {
			t.Fatalf("PUT /incidents on %s: %v", nd.name, err)
		}
		return a
	}
	onLeader, onFollower := open(leader, "by-leader"), open(follower, "by-follower")
	sameAnswer(t, "opening an incident", onLeader, onFollower, http.StatusCreated)

	move := func(nd *node, id string) answer {
		t.Helper()
		a, err := nd.put("/incidents", map[string]any{"id": id, "status": "IDENTIFIED", "body": "A bad deploy; rolling back."})
		if err != nil {
			t.Fatalf("PUT /incidents on %s: %v", nd.name, err)
		}
		return a
	}
	onLeader, onFollower = move(leader, "by-leader"), move(follower, "by-follower")
	sameAnswer(t, "moving an incident on", onLeader, onFollower, http.StatusOK)

	r.awaitIncidents(10*time.Second, "both incidents, identified", func(incs []incident) error {
		got := map[string]string{}
		for _, inc := range incs {
			got[inc.ID] = inc.Status
		}
		if want := map[string]string{"by-leader": "IDENTIFIED", "by-follower": "IDENTIFIED"}; !maps.Equal(got, want) {
			return fmt.Errorf("incidents %v, want %v", got, want)
		}
		return nil
	})
	r.awaitPages(10*time.Second, "both incidents on the page", pageWith("OPERATIONAL", map[string]string{"by-leader": "IDENTIFIED", "by-follower": "IDENTIFIED"}))
	r.hooks.awaitPlan(t, 10*time.Second, "pager", []string{"by-leader", "by-follower"},
		"incident INVESTIGATING", "incident INVESTIGATING", "incident IDENTIFIED", "incident IDENTIFIED")
}

// With no instance able to lead, a write sent to a follower answers 503
// with Retry-After, as on a single node whose store refuses writes, and
// is not applied: not then, nor once an instance leads again. The lease
// is given to a holder that never acts, as a leader cut off from the
// others but not from the database would hold it.
func testWriteWithoutLeader(t *testing.T, sh *haShared) {
	r := newRig(t, sh, 3)
	leader := r.awaitLeader(time.Second, nil)
	follower := r.followers(leader)[0]
	r.exec(`UPDATE cluster_lease SET holder = 'nobody', epoch = epoch + 1, acquired_at = now(), expires_at = now() + interval '1 hour' WHERE name = 'engine'`)
	testenv.EventuallyOK(t, 15*time.Second, "no instance to lead", func() error {
		ls, err := r.leaders()
		if err == nil && len(ls) > 0 {
			err = fmt.Errorf("%s still leads", names(ls))
		}
		return err
	})

	asked := time.Now()
	a, err := follower.put("/incidents", map[string]any{"id": "leaderless", "name": "Logins fail", "components": []string{"web"}, "body": "Looking into it."})
	if err != nil {
		t.Fatalf("PUT /incidents on %s: %v", follower.name, err)
	}
	t.Logf("%s answered %d after %v without a leader", follower.name, a.code, time.Since(asked).Round(10*time.Millisecond))
	var e struct {
		Error string `json:"error"`
	}
	if a.code != http.StatusServiceUnavailable || a.header.Get("Retry-After") == "" || json.Unmarshal(a.body, &e) != nil || e.Error == "" {
		t.Fatalf("a write without a leader: %d, Retry-After %q, %s; want 503, Retry-After and {\"error\": ...}",
			a.code, a.header.Get("Retry-After"), a.body)
	}

	r.exec(`UPDATE cluster_lease SET holder = NULL, expires_at = now() WHERE name = 'engine' AND holder = 'nobody'`)
	r.awaitLeader(15*time.Second, nil)
	// A write made with a leader: once it shows everywhere, the refused
	// one would show too, had it been kept somewhere.
	if a, err := follower.put("/incidents", map[string]any{"id": "led", "name": "Logins fail", "components": []string{"web"}, "body": "Looking into it."}); err != nil || a.code != http.StatusCreated {
		t.Fatalf("a write once an instance leads again: %d %s, %v; want 201", a.code, a.body, err)
	}
	r.awaitIncidents(10*time.Second, "the write made with a leader, only", func(incs []incident) error {
		if len(incs) != 1 || incs[0].ID != "led" {
			return fmt.Errorf("incidents %v, want only led", incs)
		}
		return nil
	})
}

// sameAnswer holds the follower's answer to what the leader answered to
// the same write: the status code, the Location header's form, and the
// JSON body, the fields that differ by nature (ids, links, times) left
// out.
func sameAnswer(t *testing.T, what string, leader, follower answer, code int) {
	t.Helper()
	if leader.code != code {
		t.Fatalf("%s on the leader: %d %s, want %d", what, leader.code, leader.body, code)
	}
	if follower.code != leader.code {
		t.Fatalf("%s on a follower: %d %s; on the leader %d %s", what, follower.code, follower.body, leader.code, leader.body)
	}
	if (leader.header.Get("Location") == "") != (follower.header.Get("Location") == "") {
		t.Errorf("%s: Location %q on the leader, %q on a follower", what, leader.header.Get("Location"), follower.header.Get("Location"))
	}
	if l, f := leader.header.Get("Content-Type"), follower.header.Get("Content-Type"); l != f {
		t.Errorf("%s: Content-Type %q on the leader, %q on a follower", what, l, f)
	}
	l, f := withoutVarying(t, leader.body), withoutVarying(t, follower.body)
	if !reflect.DeepEqual(l, f) {
		t.Errorf("%s: the answers differ beyond ids and times:\nleader:   %s\nfollower: %s", what, leader.body, follower.body)
	}
}

// withoutVarying decodes an incident and drops what two incidents opened
// one after the other never share: ids, links and times.
func withoutVarying(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("answer %s: %v", body, err)
	}
	varying := []string{"id", "incident_id", "url", "created_at", "updated_at"}
	for _, k := range varying {
		delete(m, k)
	}
	if ups, ok := m["incident_updates"].([]any); ok {
		for _, u := range ups {
			if um, ok := u.(map[string]any); ok {
				for _, k := range varying {
					delete(um, k)
				}
			}
		}
	}
	return m
}

// A restart of PostgreSQL cuts every instance's connections while an
// outage ends: each reconnects (its heartbeat is written again and it
// says the database is up), one leads, the recovery is recorded once
// with its webhooks, and the pages agree.
func testPostgresRestart(t *testing.T, sh *haShared) {
	r := newRig(t, sh, 3)
	leader := r.awaitLeader(time.Second, nil)
	r.target.breakHome()
	id := r.awaitOutageOn(leader)

	r.target.fixHome()
	if err := sh.pg.Restart(); err != nil {
		t.Fatal(err)
	}
	var restarted time.Time
	r.queryRow(`SELECT now()`).scan(&restarted)
	testenv.EventuallyOK(t, 20*time.Second, "every instance's heartbeat after the restart", func() error {
		var beating int
		if err := r.queryRow(`SELECT count(*) FROM cluster_member WHERE heartbeat_at > $1`, restarted).err(&beating); err != nil {
			return err
		}
		if beating != len(r.live()) {
			return fmt.Errorf("%d of %d instances wrote a heartbeat since the restart", beating, len(r.live()))
		}
		return nil
	})
	testenv.EventuallyOK(t, 10*time.Second, "uptime_database_up 1 on every instance", func() error {
		for _, nd := range r.live() {
			if v, ok, err := nd.metric(t, "uptime_database_up"); err != nil || !ok || v != 1 {
				return fmt.Errorf("%s: uptime_database_up %v (exported: %v, %v)", nd.name, v, ok, err)
			}
		}
		return nil
	})
	r.awaitLeader(25*time.Second, nil)
	r.resolved(id)
}

// kill -9 of an instance that probes checks: once its heartbeat is 15 s
// old, the others share its checks and probe them again, within 15 s and
// an interval of its last heartbeat, and nothing else happens.
func testCrashedInstancesChecksMove(t *testing.T, sh *haShared) {
	r := newRig(t, sh, 3)
	leader := r.awaitLeader(time.Second, nil)
	owned := func(nd *node) int {
		v, _, err := nd.metric(t, "uptime_cluster_owned_checks")
		if err != nil {
			return -1
		}
		return int(v)
	}
	total := func() int {
		n := 0
		for _, nd := range r.live() {
			n += owned(nd)
		}
		return n
	}
	// Each of the two checks is owned once, by one of the three.
	testenv.Eventually(t, 15*time.Second, "the two checks shared out", func() bool { return total() == 2 })
	var victim *node
	for _, nd := range r.live() {
		if owned(nd) > 0 && (victim == nil || victim == leader) {
			victim = nd
		}
	}
	r.kill(victim)
	killed := time.Now()
	// Heartbeats every 5 s, dead after 15 s, the others look every 5 s.
	testenv.Eventually(t, 30*time.Second, "the crashed instance's checks owned again", func() bool { return total() == 2 })
	t.Logf("%s's checks owned again %v after its kill -9", victim.name, time.Since(killed).Round(10*time.Millisecond))
	home, health := r.target.homeHits.Load(), r.target.healthHits.Load()
	testenv.Eventually(t, 5*time.Second, "both checks probed again", func() bool {
		return r.target.homeHits.Load() > home && r.target.healthHits.Load() > health
	})
	r.awaitPages(5*time.Second, "all operational, no incident", pageWith("OPERATIONAL", nil))
}
