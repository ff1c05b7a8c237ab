package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/up-status/up/internal/testenv"
)

// switchable is a loopback target that answers 200 or 503 on demand.
type switchable struct {
	broken atomic.Bool
	srv    *httptest.Server
}

func newSwitchable(t *testing.T) *switchable {
	s := &switchable{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.broken.Load() {
			http.Error(w, "down for the test", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "Welcome")
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func getJSON(t *testing.T, url string, v any) bool {
	t.Helper()
	body, err := get(url)
	if err != nil {
		return false
	}
	return json.Unmarshal([]byte(body), v) == nil
}

type incidentView struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Status     string `json:"status"`
	Impact     string `json:"impact"`
	CreatedAt  string `json:"created_at"`
	ResolvedAt string `json:"resolved_at"`
	Updates    []struct {
		ID     string `json:"id"`
		Body   string `json:"body"`
		Status string `json:"status"`
	} `json:"incident_updates"`
}

type componentView struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Checks []struct {
		ID    string `json:"id"`
		State string `json:"state"`
	} `json:"checks"`
}

func component(t *testing.T, p *testenv.Up, id string) componentView {
	var cs []componentView
	if !getJSON(t, p.URL("/components/id/"+id), &cs) || len(cs) != 1 {
		return componentView{}
	}
	return cs[0]
}

func componentStatus(t *testing.T, p *testenv.Up, id string) string {
	return component(t, p, id).Status
}

func incidents(t *testing.T, p *testenv.Up) []incidentView {
	var is []incidentView
	getJSON(t, p.URL("/incidents"), &is)
	return is
}

// TestOutageOpensAnIncidentThatSurvivesKill9 is the status engine's
// promise end to end: a real target breaks and recovers, the daemon opens
// and resolves one incident, and SIGKILL at any point loses nothing and
// duplicates nothing.
func TestOutageOpensAnIncidentThatSurvivesKill9(t *testing.T) {
	dir := t.TempDir()
	target := newSwitchable(t)
	cfgPath := filepath.Join(dir, "config.yaml")
	writeFile(t, cfgPath, anyPort+fmt.Sprintf(`
storage: {path: %q}
defaults: {interval: 250ms, timeout: 200ms, failure_threshold: 2, success_threshold: 2}
incidents: {open_at: PARTIALOUTAGE, resolve_after: 2s}
groups: [{id: web, name: Website}]
components:
  - id: site
    name: Site
    group: web
    checks:
      - {name: home, http: {url: %q, body_contains: Welcome}}
`, filepath.Join(dir, "up.db"), target.srv.URL))

	p := startUp(t, "run", "--config", cfgPath)
	testenv.Eventually(t, 20*time.Second, "the component to be OPERATIONAL", func() bool {
		return componentStatus(t, p, "site") == "OPERATIONAL"
	})

	target.broken.Store(true)
	var open incidentView
	testenv.Eventually(t, 20*time.Second, "MAJOROUTAGE and an INVESTIGATING incident", func() bool {
		is := incidents(t, p)
		if componentStatus(t, p, "site") != "MAJOROUTAGE" || len(is) != 1 || is[0].Status != "INVESTIGATING" {
			return false
		}
		open = is[0]
		return true
	})
	if open.Impact != "MAJOROUTAGE" || len(open.Updates) == 0 ||
		!strings.Contains(open.Updates[0].Body, "site.home") || !strings.Contains(open.Updates[0].Body, "status 503") {
		t.Fatalf("opened incident does not say what fails: %+v", open)
	}

	// SIGKILL while the incident is open: after a restart the same incident
	// goes on, and none is opened beside it.
	p.Kill()
	p = startUp(t, "run", "--config", cfgPath)
	// Failing probes against the restored state: enough to reopen an
	// incident if the restored one were lost.
	failed := func() (n float64) {
		body, _ := get(p.URL("/metrics"))
		for k, v := range testenv.Series(t, body) {
			if strings.HasPrefix(k, "uptime_probes_total{") && strings.Contains(k, `check="home"`) && strings.Contains(k, `result="failure"`) {
				n += v
			}
		}
		return n
	}
	testenv.Eventually(t, 20*time.Second, "four failed probes after the restart", func() bool { return failed() >= 4 })
	is := incidents(t, p)
	if len(is) != 1 || is[0].ID != open.ID || is[0].Status != "INVESTIGATING" {
		t.Fatalf("after SIGKILL and restart, incidents = %+v; want only %s, INVESTIGATING", is, open.ID)
	}

	target.broken.Store(false)
	var resolved incidentView
	testenv.Eventually(t, 30*time.Second, "the incident to be RESOLVED", func() bool {
		is := incidents(t, p)
		if len(is) != 1 || is[0].Status != "RESOLVED" {
			return false
		}
		resolved = is[0]
		return componentStatus(t, p, "site") == "OPERATIONAL"
	})
	if resolved.ID != open.ID || resolved.ResolvedAt == "" {
		t.Fatalf("resolved incident %+v, want %s with resolved_at", resolved, open.ID)
	}
	sawMonitoring := false
	for _, u := range resolved.Updates {
		sawMonitoring = sawMonitoring || u.Status == "MONITORING"
	}
	if !sawMonitoring || resolved.Updates[0].Status != "RESOLVED" {
		t.Fatalf("updates of the resolved incident (newest first) = %+v; want RESOLVED after MONITORING", resolved.Updates)
	}

	p.Kill()
	p = startUp(t, "run", "--config", cfgPath)
	var again incidentView
	if !getJSON(t, p.URL("/incidents/"+open.ID), &again) {
		t.Fatal("GET /incidents/:id failed after restart")
	}
	a, _ := json.Marshal(again)
	b, _ := json.Marshal(resolved)
	if string(a) != string(b) {
		t.Fatalf("incident changed across SIGKILL and restart:\nbefore %s\nafter  %s", b, a)
	}
}

// TestMaintenanceWindowRunsItsThreeStates runs a short window from the
// config: the covered component shows UNDERMAINTENANCE only while it runs,
// and no incident opens although its target goes down meanwhile.
func TestMaintenanceWindowRunsItsThreeStates(t *testing.T) {
	dir := t.TempDir()
	target := newSwitchable(t)
	start := time.Now().Add(4 * time.Second).UTC().Truncate(time.Second)
	cfgPath := filepath.Join(dir, "config.yaml")
	writeFile(t, cfgPath, anyPort+fmt.Sprintf(`
storage: {path: %q}
defaults: {interval: 250ms, timeout: 200ms, failure_threshold: 2, success_threshold: 1}
components:
  - id: db
    name: Database
    checks:
      - {name: port, http: {url: %q}}
maintenance:
  - {id: upgrade, name: Database upgrade, components: [db], start: %s, duration: 6s}
`, filepath.Join(dir, "up.db"), target.srv.URL, start.Format(time.RFC3339)))
	p := startUp(t, "run", "--config", cfgPath)

	type window struct {
		Status  string `json:"status"`
		Updates []struct {
			Status string `json:"status"`
		} `json:"maintenance_updates"`
	}
	var last window
	windowIs := func(want string) bool {
		return getJSON(t, p.URL("/maintenance/upgrade"), &last) && last.Status == want
	}
	if !windowIs("NOTSTARTEDYET") {
		t.Fatalf("the window is %q before its start; up took too long to start?", last.Status)
	}
	testenv.Eventually(t, 10*time.Second, "the window to start", func() bool { return windowIs("INPROGRESS") })
	if s := componentStatus(t, p, "db"); s != "UNDERMAINTENANCE" {
		t.Fatalf("component is %s while its maintenance is in progress", s)
	}
	// Inside the window the target fails until its check is DOWN, then
	// recovers: the component stays UNDERMAINTENANCE and opens nothing.
	checkIs := func(want string) bool {
		c := component(t, p, "db")
		return len(c.Checks) == 1 && c.Checks[0].State == want
	}
	target.broken.Store(true)
	testenv.Eventually(t, 10*time.Second, "the check to go DOWN", func() bool { return checkIs("DOWN") })
	target.broken.Store(false)
	if !windowIs("INPROGRESS") {
		t.Fatalf("the window is %q: it ended before its target failed inside it", last.Status)
	}
	if s := componentStatus(t, p, "db"); s != "UNDERMAINTENANCE" {
		t.Fatalf("component is %s with its check DOWN during maintenance", s)
	}
	testenv.Eventually(t, 10*time.Second, "the check to come back UP", func() bool { return checkIs("UP") })
	testenv.Eventually(t, 20*time.Second, "the window to complete", func() bool { return windowIs("COMPLETED") })
	if len(last.Updates) < 3 || last.Updates[0].Status != "COMPLETED" {
		t.Fatalf("maintenance updates (newest first) = %+v", last.Updates)
	}
	testenv.Eventually(t, 10*time.Second, "the component to leave UNDERMAINTENANCE", func() bool {
		return componentStatus(t, p, "db") == "OPERATIONAL"
	})
	if is := incidents(t, p); len(is) != 0 {
		t.Fatalf("incidents opened for a component under maintenance: %+v", is)
	}
}

// TestCustomMetricsSurviveARestart pushes a custom metric through the API
// and finds its latest value in /metrics again after SIGKILL and restart.
func TestCustomMetricsSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	writeFile(t, cfgPath, anyPort+fmt.Sprintf(`
storage: {path: %q}
users: [{id: ops, role: editor, token: "${UP_TEST_TOKEN}"}]
`, filepath.Join(dir, "up.db")))
	t.Setenv("UP_TEST_TOKEN", "tok-for-the-test")
	p := startUp(t, "run", "--config", cfgPath)

	body := `{"id":"signups","name":"Signups","unit":"1","points":[
		{"timestamp":"2026-11-26T10:00:00.000Z","value":3},{"timestamp":"2026-11-26T11:00:00.000Z","value":7}]}`
	req, _ := http.NewRequest(http.MethodPut, p.URL("/metrics"), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer tok-for-the-test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("PUT /metrics = %d", resp.StatusCode)
	}
	const series = `uptime_custom_metric{metric="signups"}`
	m, _ := get(p.URL("/metrics"))
	if v, ok := testenv.Series(t, m)[series]; !ok || v != 7 {
		t.Fatalf("%s = %v before the restart, want 7", series, v)
	}

	p.Kill()
	p = startUp(t, "run", "--config", cfgPath)
	m, _ = get(p.URL("/metrics"))
	if v, ok := testenv.Series(t, m)[series]; !ok || v != 7 {
		t.Fatalf("%s = %v after SIGKILL and restart, want 7", series, v)
	}
}
