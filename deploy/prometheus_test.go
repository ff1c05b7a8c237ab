package deploy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/up-status/up/internal/testenv"
)

const promtoolHint = "apt-get install -y prometheus"

func promtool(t *testing.T, args ...string) {
	t.Helper()
	bin := testenv.LookPath(t, "promtool", promtoolHint)
	out, err := runTool(t, time.Minute, deployFile(t, "prometheus"), bin, args...)
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestPrometheusConfigIsValid(t *testing.T) {
	promtool(t, "check", "config", "prometheus.yml")
}

func TestAlertRulesAreValid(t *testing.T) {
	promtool(t, "check", "rules", "alerts.yml")
}

func TestAlertRulesPassTheirUnitTests(t *testing.T) {
	promtool(t, "test", "rules", "alerts_test.yml")
}

// alertRule is one rule of alerts.yml.
type alertRule struct {
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// key names a rule: one alert name may have several severities.
func (r alertRule) key() string { return r.Alert + "/" + r.Labels["severity"] }

func loadAlertRules(t testing.TB) []alertRule {
	t.Helper()
	var file struct {
		Groups []struct {
			Name  string      `yaml:"name"`
			Rules []alertRule `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(readDeployFile(t, "prometheus/alerts.yml"), &file); err != nil {
		t.Fatal(err)
	}
	var rules []alertRule
	for _, g := range file.Groups {
		rules = append(rules, g.Rules...)
	}
	if len(rules) == 0 {
		t.Fatal("alerts.yml has no rules")
	}
	return rules
}

// The alerts operators rely on, each with the severity it must have.
var requiredAlerts = []string{
	"UpDown/critical",
	"UpComponentMajorOutage/critical",
	"UpComponentPartialOutage/warning",
	"UpCheckDown/warning",
	"UpCertificateExpiresSoon/warning",
	"UpCertificateExpiresSoon/critical",
	"UpWebhookDeliveriesFailing/warning",
	"UpWebhookDeliveriesDead/warning",
	"UpWebhookQueueBacklog/warning",
	"UpSchedulerFallingBehind/warning",
	"UpSchedulerSkippingRuns/warning",
}

func TestAlertRulesAreCompleteAndDocumented(t *testing.T) {
	rules := loadAlertRules(t)
	have := map[string]bool{}
	for _, r := range rules {
		if have[r.key()] {
			t.Errorf("%s: two rules with the same name and severity", r.key())
		}
		have[r.key()] = true
		if !strings.HasPrefix(r.Alert, "Up") {
			t.Errorf("%s: alert names start with Up, so they sort together in Alertmanager", r.Alert)
		}
		if s := r.Labels["severity"]; s != "critical" && s != "warning" {
			t.Errorf("%s: severity %q, want critical or warning", r.Alert, s)
		}
		for _, a := range []string{"summary", "description", "runbook"} {
			if strings.TrimSpace(r.Annotations[a]) == "" {
				t.Errorf("%s: no %s annotation", r.key(), a)
			}
		}
		if strings.Contains(r.Annotations["summary"], "\n") {
			t.Errorf("%s: the summary is one line", r.key())
		}
	}
	for _, k := range requiredAlerts {
		if !have[k] {
			t.Errorf("alerts.yml lacks %s", k)
		}
	}
}

// alertTests is alerts_test.yml, as far as this test needs it.
type alertTests struct {
	RuleFiles []string `yaml:"rule_files"`
	Tests     []struct {
		AlertRuleTest []struct {
			EvalTime  string `yaml:"eval_time"`
			Alertname string `yaml:"alertname"`
			ExpAlerts []struct {
				ExpLabels map[string]string `yaml:"exp_labels"`
			} `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

// TestEveryAlertIsTestedFiringAndNotFiring makes alerts_test.yml keep up
// with alerts.yml: each rule (name and severity) must be expected to fire
// somewhere, and each alert name must be expected silent somewhere.
func TestEveryAlertIsTestedFiringAndNotFiring(t *testing.T) {
	var tests alertTests
	if err := yaml.Unmarshal(readDeployFile(t, "prometheus/alerts_test.yml"), &tests); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tests.RuleFiles, []string{"alerts.yml"}) {
		t.Errorf("alerts_test.yml tests %v, want [alerts.yml]", tests.RuleFiles)
	}
	fires, silent := map[string]bool{}, map[string]bool{}
	for _, tc := range tests.Tests {
		for _, at := range tc.AlertRuleTest {
			if len(at.ExpAlerts) == 0 {
				silent[at.Alertname] = true
			}
			for _, a := range at.ExpAlerts {
				fires[at.Alertname+"/"+a.ExpLabels["severity"]] = true
			}
		}
	}
	for _, r := range loadAlertRules(t) {
		if !fires[r.key()] {
			t.Errorf("alerts_test.yml never expects %s to fire", r.key())
		}
		if !silent[r.Alert] {
			t.Errorf("alerts_test.yml never expects %s to stay silent", r.Alert)
		}
	}
}

// TestRunbooksNameRealPanels keeps the runbooks' pointers into the
// dashboard (row "Probes", panel "Check state") true.
func TestRunbooksNameRealPanels(t *testing.T) {
	titles := map[string]bool{}
	for _, p := range loadDashboard(t).allPanels() {
		titles[p.Title] = true
	}
	ref := regexp.MustCompile(`(?:row|panel|table) "([^"]+)"`)
	for _, r := range loadAlertRules(t) {
		for _, m := range ref.FindAllStringSubmatch(r.Annotations["runbook"], -1) {
			if !titles[m[1]] {
				t.Errorf("%s: runbook names %q, which the dashboard does not have", r.key(), m[1])
			}
		}
	}
}

// TestAlertRulesUseExportedMetrics catches a misspelt metric in a rule,
// which promtool cannot: an unknown name is valid PromQL that never fires.
func TestAlertRulesUseExportedMetrics(t *testing.T) {
	families := sourceFamilies(t, repoRoot(t))
	for _, r := range loadAlertRules(t) {
		for _, name := range metricNames(r.Expr) {
			if name == "up" {
				continue // Prometheus's own series of each target
			}
			if _, ok := familyOf(name, families); !ok {
				t.Errorf("%s: %s is not a metric up exports", r.key(), name)
			}
		}
		if err := lintPromQL(r.Expr); err != nil {
			t.Errorf("%s: %v", r.key(), err)
		}
	}
}

// metricNames lists the names in expr that look like up's metrics or
// Prometheus's per-target series.
func metricNames(expr string) []string {
	var names []string
	for _, m := range metricNameRE.FindAllString(expr, -1) {
		if !slices.Contains(names, m) {
			names = append(names, m)
		}
	}
	return names
}

var metricNameRE = regexp.MustCompile(`\b(?:uptime|probe|go|process|scrape)_[a-z0-9_]+\b|\bup\b`)

// familyOf maps a series name to its family in families: a histogram's
// _bucket, _sum and _count belong to it.
func familyOf(name string, families map[string]string) (string, bool) {
	if _, ok := families[name]; ok {
		return name, true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok {
			if _, ok := families[base]; ok {
				return base, true
			}
		}
	}
	return "", false
}

// lintPromQL checks what a PromQL parser accepts but is wrong for up's
// metrics: rate() over a gauge, a counter or bucket read raw, a quantile
// that loses le.
func lintPromQL(expr string) error {
	var errs []string
	// Counters (and a histogram's series) only inside rate/irate/increase,
	// and those functions only over counters.
	for _, loc := range counterRE.FindAllStringIndex(expr, -1) {
		before := strings.TrimRight(expr[:loc[0]], " \n")
		if !rateCallRE.MatchString(before) {
			errs = append(errs, fmt.Sprintf("%s is a counter: read it through rate() or increase()", expr[loc[0]:loc[1]]))
		}
	}
	for _, m := range rateArgRE.FindAllStringSubmatch(expr, -1) {
		if !counterRE.MatchString(m[2]) {
			errs = append(errs, fmt.Sprintf("%s(%s): not a counter", m[1], m[2]))
		}
	}
	for i := 0; ; {
		j := strings.Index(expr[i:], "histogram_quantile(")
		if j < 0 {
			break
		}
		i += j + len("histogram_quantile(")
		arg := balanced(expr[i:])
		if !strings.Contains(arg, "_bucket") || !leKeptRE.MatchString(arg) {
			errs = append(errs, fmt.Sprintf("histogram_quantile(%s): wants rates of _bucket series aggregated by (le, ...)", arg))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

var (
	counterRE  = regexp.MustCompile(`\b[a-z_:][a-z0-9_:]*(?:_total|_bucket|_sum|_count)\b`)
	rateCallRE = regexp.MustCompile(`\b(?:rate|irate|increase)\($`)
	rateArgRE  = regexp.MustCompile(`\b(rate|irate|increase)\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)`)
	leKeptRE   = regexp.MustCompile(`\bby\s*\(([^)]*,\s*)?le(\s*,[^)]*)?\)`)
)

// balanced returns s up to the parenthesis closing an already open one.
func balanced(s string) string {
	depth := 1
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return s[:i]
			}
		}
	}
	return s
}

func TestLintPromQL(t *testing.T) {
	good := []string{
		`sum by (component) (rate(uptime_probes_total{result="success"}[5m]))`,
		`histogram_quantile(0.99, sum by (le, check) (rate(uptime_probe_latency_seconds_bucket[1m])))`,
		`histogram_quantile(0.5, sum by (instance, le) (rate(x_bucket[1m])))`,
		`rate(process_cpu_seconds_total[1m]) and on (job, instance) uptime_build_info`,
		`sum(increase(uptime_incidents_opened_total[1h]))`,
		`probe_ssl_earliest_cert_expiry - time()`,
	}
	for _, e := range good {
		if err := lintPromQL(e); err != nil {
			t.Errorf("%s: %v", e, err)
		}
	}
	bad := []string{
		`rate(uptime_webhook_queue_depth[5m])`,
		`uptime_probes_total{result="failure"} > 0`,
		`histogram_quantile(0.9, sum by (check) (rate(uptime_probe_latency_seconds_bucket[1m])))`,
		`histogram_quantile(0.9, sum by (le) (rate(uptime_probe_latency_seconds[1m])))`,
		`sum(uptime_probe_latency_seconds_bucket)`,
	}
	for _, e := range bad {
		if lintPromQL(e) == nil {
			t.Errorf("%s: no complaint", e)
		}
	}
}
