package deploy

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/up-status/up/internal/testenv"
)

// pg is the PostgreSQL server the integration test's up keeps its state
// in.
var pg testenv.Postgres

func TestMain(m *testing.M) {
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

// testVersion is linked into the binary the integration test builds, and
// looked for in uptime_build_info.
const testVersion = "deploy-test"

// TestIntegration is the proof that what deploy/ ships works: it builds up
// the way the Dockerfile does, runs it with passing and failing checks of
// every type, a maintenance window and a failing webhook receiver, all on
// loopback, its state in PostgreSQL as a (one-instance) cluster, and has a real Prometheus scrape it every second with
// alerts.yml loaded. Then every query of the dashboard must return series,
// the outage alerts must be pending for the right components and no
// others, and every metric family up exported must be used.
func TestIntegration(t *testing.T) {
	// Only -short skips it, and CI never passes -short.
	if testing.Short() {
		t.Skip("builds up and runs it with Prometheus; skipped with -short")
	}
	promBin := testenv.LookPath(t, "prometheus", promtoolHint)
	root := repoRoot(t)
	upBin := buildUp(t)

	t.Run("shipped command lines use real flags", func(t *testing.T) {
		for _, c := range shippedCommands(t) {
			help, _ := runTool(t, 30*time.Second, root, upBin, c.args[0], "--help")
			for _, arg := range c.args[1:] {
				name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
				if strings.HasPrefix(arg, "-") && !regexp.MustCompile(`(?m)^\s+-`+regexp.QuoteMeta(name)+`\b`).MatchString(help) {
					t.Errorf("%s passes %s, which up %s --help does not list:\n%s", c.where, arg, c.args[0], help)
				}
			}
		}
	})

	lab := startLab(t)
	upAPI := startUp(t, upBin, lab)
	lab.pushCustomMetric(t, upAPI)
	prom := startPrometheus(t, promBin, upAPI)
	prom.waitForData(t, 15, 90*time.Second)

	t.Run("dashboard queries return series", func(t *testing.T) {
		type pending struct{ where, expr string }
		var todo []pending
		for _, q := range loadDashboard(t).queries() {
			e, err := expand(q.Expr)
			if err != nil {
				t.Errorf("%s: %v", q.Where, err)
				continue
			}
			todo = append(todo, pending{q.Where, e})
		}
		// Series exist from the start, but give late ones (a first
		// webhook attempt) a little time before calling them missing.
		problems, nan := map[string]string{}, map[string]bool{}
		deadline := time.Now().Add(30 * time.Second)
		for {
			var next []pending
			for _, q := range todo {
				s, err := prom.query(q.expr)
				switch {
				case err != nil:
					problems[q.where] = fmt.Sprintf("%s\n    error: %v", q.expr, err)
					next = append(next, q)
				case len(s) == 0:
					problems[q.where] = fmt.Sprintf("%s\n    no series", q.expr)
					next = append(next, q)
				default:
					delete(problems, q.where)
					nan[q.where] = !slices.ContainsFunc(s, func(x sample) bool { return x.Value[1] != "NaN" })
				}
			}
			todo = next
			if len(todo) == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(2 * time.Second)
		}
		for _, where := range slices.Sorted(maps.Keys(problems)) {
			t.Errorf("%s: %s", where, problems[where])
		}
		// A quantile of a histogram that saw nothing lately is NaN: not an
		// error, but worth a look when a panel is unexpectedly blank.
		for _, where := range slices.Sorted(maps.Keys(nan)) {
			if nan[where] {
				t.Logf("%s: only NaN", where)
			}
		}
	})

	t.Run("template variables list values", func(t *testing.T) {
		want := map[string][]string{
			"group":     {"site", "infra"},
			"component": {"web", "broken", "network", "mixed", "upkeep"},
			"check":     {"home", "secure", "api", "db", "port", "ping", "closed"},
		}
		for _, v := range loadDashboard(t).Templating.List {
			if v.Type != "query" {
				continue
			}
			sel, label, err := v.labelValues()
			if err != nil {
				t.Error(err)
				continue
			}
			sel, err = expand(sel)
			if err != nil {
				t.Errorf("variable %s: %v", v.Name, err)
				continue
			}
			got, err := prom.labelValues(label, sel)
			if err != nil {
				t.Errorf("variable %s: %v", v.Name, err)
				continue
			}
			for _, w := range want[v.Name] {
				if !slices.Contains(got, w) {
					t.Errorf("variable %s = label_values(%s, %s) lists %v, without %q", v.Name, sel, label, got, w)
				}
			}
		}
	})

	t.Run("outage alerts go pending for the failing components only", func(t *testing.T) {
		type id struct{ alert, component, check string }
		must := []id{
			{"UpComponentMajorOutage", "broken", ""},
			{"UpComponentPartialOutage", "mixed", ""},
			{"UpCheckDown", "broken", "api"},
			{"UpCheckDown", "broken", "db"},
			{"UpCheckDown", "mixed", "closed"},
		}
		mustNot := func(a promAlert) bool {
			switch a.Labels["alertname"] {
			case "UpComponentMajorOutage":
				return a.Labels["component"] != "broken"
			case "UpComponentPartialOutage":
				return a.Labels["component"] != "mixed" && a.Labels["component"] != "network"
			case "UpCheckDown":
				// upkeep is under maintenance; web's checks pass.
				return a.Labels["component"] == "upkeep" || a.Labels["component"] == "web"
			case "UpDown", "UpCertificateExpiresSoon":
				return true
			}
			return false
		}
		var problems []string
		deadline := time.Now().Add(45 * time.Second)
		for {
			alerts, err := prom.alerts()
			problems = nil
			if err != nil {
				problems = append(problems, err.Error())
			}
			for _, m := range must {
				found := slices.ContainsFunc(alerts, func(a promAlert) bool {
					return a.Labels["alertname"] == m.alert && a.Labels["component"] == m.component &&
						(m.check == "" || a.Labels["check"] == m.check) && (a.State == "pending" || a.State == "firing")
				})
				if !found {
					problems = append(problems, fmt.Sprintf("%s is not pending for %s", m.alert, strings.Trim(m.component+"."+m.check, ".")))
				}
			}
			for _, a := range alerts {
				if mustNot(a) {
					problems = append(problems, fmt.Sprintf("unexpected %s alert %v", a.State, a.Labels))
				}
			}
			if len(problems) == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(time.Second)
		}
		for _, p := range problems {
			t.Error(p)
		}
		if len(problems) > 0 {
			t.Logf("component status now: %s", prom.dump(`uptime_component_status == 1`))
			t.Logf("checks now: %s", prom.dump(`uptime_check_up`))
		}
	})

	t.Run("every exported family is on the dashboard or in an alert", func(t *testing.T) {
		scraped := testenv.Families(t, string(scrape(t, upAPI)))
		for _, f := range uncovered(scraped, dashboardAndAlertExprs(t)) {
			t.Errorf("up exports %s, which neither the dashboard nor the alerts use: add a panel, or add it to unusedFamilies with the reason", f)
		}
		// The source scan (TestDashboardAndAlertsCoverEveryFamily) must
		// see what the scrape sees, and this run must export all it sees.
		source := sourceFamilies(t, root)
		for _, f := range scraped {
			if _, ok := source[f]; !ok && !excluded(f) {
				t.Errorf("up exports %s, which sourceFamilies does not find in the source", f)
			}
		}
		for f, where := range source {
			if !slices.Contains(scraped, f) {
				t.Errorf("%s (defined at %s) was not exported in a run that uses every feature", f, where)
			}
		}
	})

	t.Run("the exposition passes promtool check metrics", func(t *testing.T) {
		bin := testenv.LookPath(t, "promtool", promtoolHint)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, "check", "metrics")
		cmd.Stdin = bytes.NewReader(scrape(t, upAPI))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
	})

	t.Run("failing webhook deliveries are counted", func(t *testing.T) {
		if n := lab.hooks.get(); n == 0 {
			t.Error("the webhook receiver got no delivery")
		}
		expr := `sum(uptime_webhook_deliveries_total{subscriber="hooks", result="failure"}) > 0`
		if n, err := prom.count(expr); err != nil || n != 1 {
			t.Errorf("%s: %d series, %v", expr, n, err)
		}
	})

	t.Run("build info carries the linked version", func(t *testing.T) {
		if n, err := prom.count(fmt.Sprintf(`uptime_build_info{version=%q}`, testVersion)); err != nil || n != 1 {
			t.Errorf("uptime_build_info{version=%q}: %d series, %v; the -X ldflags of the Dockerfile and Makefile set it", testVersion, n, err)
		}
	})
}

// shippedCommand is an up command line written in deploy/.
type shippedCommand struct {
	where string
	args  []string // the subcommand first
}

// shippedCommands reads the command lines of the systemd unit and the
// Dockerfile.
func shippedCommands(t *testing.T) []shippedCommand {
	t.Helper()
	var cmds []shippedCommand
	for _, exec := range unitDirectives(t, readDeployFile(t, "systemd/up.service"))["Service.ExecStart"] {
		fields := strings.Fields(exec)
		cmds = append(cmds, shippedCommand{"the systemd unit's ExecStart", fields[1:]})
	}
	docker := string(readDeployFile(t, "docker/Dockerfile"))
	for _, m := range regexp.MustCompile(`(?m)^(CMD|HEALTHCHECK .*CMD) (\[.*\])$`).FindAllStringSubmatch(strings.ReplaceAll(docker, "\\\n", ""), -1) {
		var args []string
		if err := json.Unmarshal([]byte(m[2]), &args); err != nil {
			t.Fatalf("Dockerfile %s: %v", m[1], err)
		}
		if strings.HasSuffix(args[0], "/up") {
			args = args[1:] // HEALTHCHECK names the binary; CMD follows the ENTRYPOINT
		}
		cmds = append(cmds, shippedCommand{"the Dockerfile's " + strings.Fields(m[1])[0], args})
	}
	if len(cmds) < 3 {
		t.Fatalf("found %d command lines in the unit and the Dockerfile, want 3", len(cmds))
	}
	return cmds
}

// buildUp builds cmd/up with the Dockerfile's settings (static, trimmed
// paths, version linked in).
func buildUp(t *testing.T) string {
	t.Helper()
	ldflags := "-X github.com/prometheus/common/version.Version=" + testVersion +
		" -X github.com/prometheus/common/version.Revision=0000000"
	bin, err := testenv.BuildUp(t.TempDir(), []string{"CGO_ENABLED=0"}, "-trimpath", "-ldflags", ldflags)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// lab is the set of loopback peers up probes and notifies.
type lab struct {
	okURL, failURL, tlsURL string // HTTP 200, HTTP 500, HTTPS 200
	openAddr, closedAddr   string // a TCP port that accepts, one that refuses
	hookURL                string // a webhook receiver that answers 500
	dnsAddr, tlsAddr       string // a DNS server (startDNS), the HTTPS server's host:port
	hooks                  *counter
	token                  string // the admin's API token
}

type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) inc() { c.mu.Lock(); c.n++; c.mu.Unlock() }
func (c *counter) get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func startLab(t *testing.T) *lab {
	t.Helper()
	l := &lab{hooks: &counter{}}
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	t.Cleanup(ok.Close)
	fail := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "broken on purpose", http.StatusInternalServerError)
	}))
	t.Cleanup(fail.Close)
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	t.Cleanup(secure.Close)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		l.hooks.inc()
		http.Error(w, "receiver down on purpose", http.StatusInternalServerError)
	}))
	t.Cleanup(hook.Close)
	l.okURL, l.failURL, l.tlsURL, l.hookURL = ok.URL+"/", fail.URL+"/", secure.URL+"/", hook.URL+"/hook"
	l.dnsAddr, l.tlsAddr = startDNS(t), secure.Listener.Addr().String()

	open, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := open.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	t.Cleanup(func() { open.Close(); wg.Wait() })
	l.openAddr = open.Addr().String()
	l.closedAddr = testenv.ClosedAddr(t)

	b := make([]byte, 16)
	rand.Read(b)
	l.token = hex.EncodeToString(b)
	return l
}

// upConfig is the daemon's configuration for the integration test: one
// component per situation the dashboard and the alerts must show.
const upConfig = `page:
  id: deploy-test
  name: Deploy test
  url: http://127.0.0.1
listen:
  api: 127.0.0.1:0
  websocket: 127.0.0.1:0
storage:                    # PostgreSQL, as one instance of a cluster: the
  postgres: "{{db}}"        # database and cluster families must show too
cluster:
  region: lab
  instance: deploy-test
regions:                    # one more region than the instances cover: the
  - id: lab                 # region series and their panel must show
  - id: far
metrics:
  http_phases: true         # opt-in: the dashboard's HTTP phase panels need it
  dns_phases: true          # opt-in: the DNS latency panel needs it
  tls_chain_info: true      # opt-in: the certificate chain table needs it
  latency_histogram: true
defaults:
  interval: 1s
  timeout: 800ms
  failure_threshold: 1
  success_threshold: 1
  regions: [lab]
groups:
  - id: site
  - id: infra
components:
  - id: web                 # every check passes: OPERATIONAL
    group: site
    checks:
      - name: home
        http: {url: "{{ok}}"}
      - name: secure
        http: {url: "{{tls}}", tls_skip_verify: true}
  - id: broken              # every check fails: MAJOROUTAGE
    group: site
    checks:
      - name: api
        http: {url: "{{fail}}"}
      - name: db
        tcp: {address: "{{closed}}"}
  - id: network             # passes (ping may fail without ICMP rights)
    group: infra
    checks:
      - name: port
        tcp: {address: "{{open}}"}
      - name: ping
        icmp: {host: 127.0.0.1}
  - id: names               # a DNS answer and a certificate: OPERATIONAL
    group: infra
    checks:
      - name: zone
        dns: {server: "{{dns}}", name: up.test, type: SOA}
      - name: cert
        tls: {address: "{{tlsaddr}}", tls_skip_verify: true}
  - id: regional            # probed from lab only of its two regions, any
    group: infra            # one deciding: OPERATIONAL, "far" never fresh
    checks:
      - name: home
        http: {url: "{{ok}}"}
        regions: all
        quorum: 1
  - id: mixed               # one of two fails: PARTIALOUTAGE
    group: infra
    checks:
      - name: port
        tcp: {address: "{{open}}"}
      - name: closed
        tcp: {address: "{{closed}}"}
  - id: upkeep              # fails, but under maintenance; no group
    checks:
      - name: api
        http: {url: "{{fail}}"}
incidents:
  open_at: PARTIALOUTAGE
maintenance:
  - id: upkeep-window
    name: Upkeep
    components: [upkeep]
    start: {{start}}
    duration: 1h
subscribers:
  - id: hooks
    url: "{{hook}}"
users:
  - id: admin
    role: admin
    token: "{{token}}"
`

// startUp writes the config, validates it, starts up and waits until it
// answers. It returns the address up bound its API to.
func startUp(t *testing.T, bin string, l *lab) string {
	t.Helper()
	dir := t.TempDir()
	r := strings.NewReplacer(
		"{{db}}", pg.Server(t).CreateDatabase(t),
		"{{ok}}", l.okURL, "{{fail}}", l.failURL, "{{tls}}", l.tlsURL,
		"{{open}}", l.openAddr, "{{closed}}", l.closedAddr, "{{hook}}", l.hookURL, "{{token}}", l.token,
		"{{dns}}", l.dnsAddr, "{{tlsaddr}}", l.tlsAddr,
		"{{start}}", time.Now().Add(-time.Minute).UTC().Format(time.RFC3339),
	)
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(r.Replace(upConfig)), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runTool(t, 30*time.Second, dir, bin, "validate", "--config", cfg)
	if err != nil {
		t.Fatalf("up validate: %v\n%s", err, out)
	}

	return testenv.StartUp(t, bin, "run", "--config", cfg, "--data", filepath.Join(dir, "data"), "--log-format", "json").API
}

// pushCustomMetric creates a custom status-page metric through the API, so
// that uptime_custom_metric has a series.
func (l *lab) pushCustomMetric(t *testing.T, api string) {
	t.Helper()
	body := fmt.Sprintf(`{"id": "queue-length", "name": "Queue length", "unit": "jobs", "points": [{"timestamp": %q, "value": 42}]}`,
		time.Now().UTC().Format(time.RFC3339))
	req, err := http.NewRequest(http.MethodPut, "http://"+api+"/metrics", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+l.token)
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Errorf("PUT /metrics: %v", err)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		t.Errorf("PUT /metrics (a custom metric, for uptime_custom_metric): %s\n%s", resp.Status, b)
	}
}

// scrape reads up's /metrics in the text format.
func scrape(t *testing.T, api string) []byte {
	t.Helper()
	resp, err := httpClient.Get("http://" + api + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s, %v", resp.Status, err)
	}
	return body
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

// promServer is a running Prometheus and its HTTP API.
type promServer struct {
	base string
	proc *testenv.Process
}

// startPrometheus runs Prometheus on loopback, scraping up every second
// with the shipped alerts.yml loaded as it is.
func startPrometheus(t *testing.T, bin, upAPI string) *promServer {
	t.Helper()
	dir := t.TempDir()
	rules := readDeployFile(t, "prometheus/alerts.yml")
	if err := os.WriteFile(filepath.Join(dir, "alerts.yml"), rules, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: [alerts.yml]
scrape_configs:
  - job_name: up
    static_configs:
      - targets: [%q]
`, upAPI)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	proc := testenv.Start(t, "prometheus", bin,
		"--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address=127.0.0.1:0",
		"--log.level=info", // for the "Listening on" line with the bound address
	)
	addr := proc.AwaitLog(60*time.Second, regexp.MustCompile(`msg="Listening on" address=(\S+)`))[1]
	p := &promServer{base: "http://" + addr, proc: proc}
	p.proc.Await(60*time.Second, "Prometheus to be ready", func() error { return testenv.Answers(p.base + "/-/ready") })
	return p
}

// waitForData waits until Prometheus holds at least samples successful
// scrapes of up from the last minute.
func (p *promServer) waitForData(t *testing.T, samples int, timeout time.Duration) {
	t.Helper()
	p.proc.Await(timeout, fmt.Sprintf("%d successful scrapes of up", samples), func() error {
		v, err := p.scalar(`sum_over_time(up{job="up"}[1m])`)
		if err != nil {
			return err
		}
		if v < float64(samples) {
			return fmt.Errorf("%v so far; targets: %s", v, p.targetErrors())
		}
		return nil
	})
}

type apiResponse struct {
	Status string          `json:"status"`
	Error  string          `json:"error"`
	Data   json.RawMessage `json:"data"`
}

func (p *promServer) get(path string, q url.Values, data any) error {
	resp, err := httpClient.Get(p.base + path + "?" + q.Encode())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r apiResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("%s: %s: %w", path, resp.Status, err)
	}
	if r.Status != "success" {
		return fmt.Errorf("%s", r.Error)
	}
	return json.Unmarshal(r.Data, data)
}

type sample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// query runs an instant query and returns its samples (a scalar result is
// one sample without labels).
func (p *promServer) query(expr string) ([]sample, error) {
	var d struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := p.get("/api/v1/query", url.Values{"query": {expr}}, &d); err != nil {
		return nil, err
	}
	switch d.ResultType {
	case "vector":
		var s []sample
		err := json.Unmarshal(d.Result, &s)
		return s, err
	case "scalar", "string":
		var v [2]any
		err := json.Unmarshal(d.Result, &v)
		return []sample{{Value: v}}, err
	}
	return nil, fmt.Errorf("result type %s", d.ResultType)
}

func (p *promServer) count(expr string) (int, error) {
	s, err := p.query(expr)
	return len(s), err
}

func (p *promServer) scalar(expr string) (float64, error) {
	s, err := p.query(expr)
	if err != nil {
		return 0, err
	}
	if len(s) != 1 {
		return 0, fmt.Errorf("%s: %d series", expr, len(s))
	}
	str, _ := s[0].Value[1].(string)
	var v float64
	_, err = fmt.Sscan(str, &v)
	return v, err
}

// dump prints a query's result for a failure message.
func (p *promServer) dump(expr string) string {
	s, err := p.query(expr)
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for _, x := range s {
		fmt.Fprintf(&b, "\n  %v = %v", x.Metric, x.Value[1])
	}
	return b.String()
}

func (p *promServer) labelValues(label, selector string) ([]string, error) {
	var values []string
	err := p.get("/api/v1/label/"+label+"/values", url.Values{"match[]": {selector}}, &values)
	return values, err
}

type promAlert struct {
	Labels map[string]string `json:"labels"`
	State  string            `json:"state"`
}

func (p *promServer) alerts() ([]promAlert, error) {
	var d struct {
		Alerts []promAlert `json:"alerts"`
	}
	err := p.get("/api/v1/alerts", nil, &d)
	return d.Alerts, err
}

// targetErrors says why scrapes fail, for messages.
func (p *promServer) targetErrors() string {
	var d struct {
		ActiveTargets []struct {
			ScrapeURL string `json:"scrapeUrl"`
			Health    string `json:"health"`
			LastError string `json:"lastError"`
		} `json:"activeTargets"`
	}
	if err := p.get("/api/v1/targets", nil, &d); err != nil {
		return err.Error()
	}
	var parts []string
	for _, tg := range d.ActiveTargets {
		parts = append(parts, fmt.Sprintf("%s %s %s", tg.ScrapeURL, tg.Health, tg.LastError))
	}
	return strings.Join(parts, "; ")
}
