package deploy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/up-status/up/internal/testenv"
)

// dashboard is the part of up.json the tests read.
type dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []variable `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID         int         `json:"id"`
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Datasource *datasource `json:"datasource"`
	GridPos    struct {
		H, W, X, Y int
	} `json:"gridPos"`
	Targets []struct {
		RefID      string      `json:"refId"`
		Expr       string      `json:"expr"`
		Datasource *datasource `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // of a collapsed row
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type variable struct {
	Name       string      `json:"name"`
	Type       string      `json:"type"`
	Query      any         `json:"query"`
	Datasource *datasource `json:"datasource"`
	IncludeAll bool        `json:"includeAll"`
	Multi      bool        `json:"multi"`
	AllValue   string      `json:"allValue"`
}

// query is one PromQL expression of the dashboard and where it is.
type query struct {
	Where string // panel title and refId
	Expr  string
}

func loadDashboard(t testing.TB) *dashboard {
	t.Helper()
	var d dashboard
	if err := json.Unmarshal(readDeployFile(t, "grafana/dashboards/up.json"), &d); err != nil {
		t.Fatalf("up.json: %v", err)
	}
	return &d
}

// allPanels lists the panels, rows included, with those inside collapsed
// rows.
func (d *dashboard) allPanels() []panel {
	var out []panel
	for _, p := range d.Panels {
		out = append(out, p)
		out = append(out, p.Panels...)
	}
	return out
}

func (d *dashboard) queries() []query {
	var qs []query
	for _, p := range d.allPanels() {
		for _, tg := range p.Targets {
			qs = append(qs, query{Where: fmt.Sprintf("panel %q (%s)", p.Title, tg.RefID), Expr: tg.Expr})
		}
	}
	return qs
}

// labelValuesRE matches a variable query label_values(selector, label).
var labelValuesRE = regexp.MustCompile(`^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$`)

// labelValues returns a query variable's label_values selector and label.
func (v variable) labelValues() (selector, label string, err error) {
	q, ok := v.Query.(string)
	if m, isMap := v.Query.(map[string]any); isMap {
		q, ok = m["query"].(string)
	}
	if !ok {
		return "", "", fmt.Errorf("variable %s: query %v is not a string", v.Name, v.Query)
	}
	m := labelValuesRE.FindStringSubmatch(strings.TrimSpace(q))
	if m == nil {
		return "", "", fmt.Errorf("variable %s: query %q is not label_values(selector, label)", v.Name, q)
	}
	return m[1], m[2], nil
}

// The filter variables: multi-value, with All as the regex .*.
var filterVariables = []string{"group", "component", "check"}

// Values the integration test and the syntax check give Grafana's
// variables: every filter widened to all, intervals to fixed durations.
var variableValues = map[string]string{
	"group": ".*", "component": ".*", "check": ".*",
	"__rate_interval": "1m", "__interval": "15s", "__range": "1h",
}

var variableRE = regexp.MustCompile(`\$\{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?\}|\$([a-zA-Z_][a-zA-Z0-9_]*)`)

// expand replaces the dashboard's variables in expr; it fails on one it
// does not know.
func expand(expr string) (string, error) {
	var unknown []string
	out := variableRE.ReplaceAllStringFunc(expr, func(m string) string {
		sub := variableRE.FindStringSubmatch(m)
		name := sub[1] + sub[2]
		v, ok := variableValues[name]
		if !ok {
			unknown = append(unknown, m)
			return m
		}
		return v
	})
	if len(unknown) > 0 {
		return "", fmt.Errorf("unknown variables %v", unknown)
	}
	return out, nil
}

func TestDashboardIsWellFormed(t *testing.T) {
	d := loadDashboard(t)
	if d.UID == "" || d.Title == "" {
		t.Errorf("uid %q, title %q: both are needed for provisioning and links", d.UID, d.Title)
	}
	// 36 is Grafana 9.x's schema; Grafana 10 and 11 read and migrate it.
	if d.SchemaVersion < 36 {
		t.Errorf("schemaVersion %d, want at least 36 (Grafana 10/11)", d.SchemaVersion)
	}
	ids := map[int]string{}
	type rect struct {
		title      string
		x, y, w, h int
	}
	var rects []rect
	queries := 0
	for _, p := range d.allPanels() {
		if prev, dup := ids[p.ID]; dup || p.ID == 0 {
			t.Errorf("panel %q: id %d missing or already used by %q", p.Title, p.ID, prev)
		}
		ids[p.ID] = p.Title
		g := p.GridPos
		if g.W <= 0 || g.H <= 0 || g.X < 0 || g.X+g.W > 24 {
			t.Errorf("panel %q: gridPos %+v outside the 24-column grid", p.Title, g)
		}
		for _, r := range rects {
			if g.X < r.x+r.w && r.x < g.X+g.W && g.Y < r.y+r.h && r.y < g.Y+g.H {
				t.Errorf("panels %q and %q overlap", p.Title, r.title)
			}
		}
		rects = append(rects, rect{p.Title, g.X, g.Y, g.W, g.H})
		if p.Title == "" {
			t.Errorf("panel %d has no title", p.ID)
		}
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || p.Datasource.Type != "prometheus" || p.Datasource.UID != "${datasource}" {
			t.Errorf("panel %q: datasource %+v, want prometheus ${datasource}", p.Title, p.Datasource)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no targets", p.Title)
		}
		refs := map[string]bool{}
		for _, tg := range p.Targets {
			queries++
			if tg.RefID == "" || refs[tg.RefID] {
				t.Errorf("panel %q: refId %q missing or repeated", p.Title, tg.RefID)
			}
			refs[tg.RefID] = true
			if strings.TrimSpace(tg.Expr) == "" {
				t.Errorf("panel %q (%s): no expr", p.Title, tg.RefID)
			}
			if tg.Datasource != nil && tg.Datasource.UID != "${datasource}" {
				t.Errorf("panel %q (%s): target datasource %+v, want ${datasource}", p.Title, tg.RefID, tg.Datasource)
			}
		}
	}
	if queries < 20 {
		t.Errorf("only %d queries: is the dashboard complete?", queries)
	}

	vars := map[string]variable{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v
	}
	if ds := vars["datasource"]; ds.Type != "datasource" || ds.Query != "prometheus" {
		t.Errorf("variable datasource: type %q query %v, want a prometheus datasource variable", ds.Type, ds.Query)
	}
	for _, name := range filterVariables {
		v, ok := vars[name]
		if !ok {
			t.Errorf("no template variable %s", name)
			continue
		}
		if v.Type != "query" || v.Datasource == nil || v.Datasource.UID != "${datasource}" {
			t.Errorf("variable %s: type %q datasource %+v, want a query on ${datasource}", name, v.Type, v.Datasource)
		}
		if !v.IncludeAll || !v.Multi || v.AllValue != ".*" {
			t.Errorf("variable %s: includeAll %v multi %v allValue %q, want true, true, .*", name, v.IncludeAll, v.Multi, v.AllValue)
		}
		if _, _, err := v.labelValues(); err != nil {
			t.Error(err)
		}
	}
}

// TestDashboardPromQL lints every expression: known variables only, the
// multi-value variables only behind =~ or !~, rate() over counters only
// and counters only through rate(), quantiles over buckets with le kept.
func TestDashboardPromQL(t *testing.T) {
	d := loadDashboard(t)
	multi := regexp.MustCompile(`([a-zA-Z_]+)\s*(=~|!~|!=|=)\s*"[^"]*\$`)
	check := func(where, expr string) {
		if _, err := expand(expr); err != nil {
			t.Errorf("%s: %v", where, err)
		}
		for _, m := range multi.FindAllStringSubmatch(expr, -1) {
			if m[2] != "=~" && m[2] != "!~" {
				t.Errorf("%s: %s%s\"$...\": a multi-value variable needs =~ (Grafana expands it to a regex)", where, m[1], m[2])
			}
		}
	}
	for _, q := range d.queries() {
		check(q.Where, q.Expr)
		if err := lintPromQL(q.Expr); err != nil {
			t.Errorf("%s: %v", q.Where, err)
		}
	}
	for _, v := range d.Templating.List {
		if v.Type == "query" {
			if sel, _, err := v.labelValues(); err == nil {
				check("variable "+v.Name, sel)
			}
		}
	}
}

// TestDashboardPromQLParses has promtool parse every expression, with the
// variables expanded, as recording rules: a syntax error fails here
// without a running Prometheus.
func TestDashboardPromQLParses(t *testing.T) {
	bin := testenv.LookPath(t, "promtool", promtoolHint)
	d := loadDashboard(t)
	type rule struct {
		Record string `yaml:"record"`
		Expr   string `yaml:"expr"`
	}
	var rules []rule
	where := map[string]string{}
	add := func(w, expr string) {
		e, err := expand(expr)
		if err != nil {
			return // TestDashboardPromQL reports it
		}
		name := fmt.Sprintf("dashboard:query_%d", len(rules))
		where[name] = w
		rules = append(rules, rule{name, e})
	}
	for _, q := range d.queries() {
		add(q.Where, q.Expr)
	}
	for _, v := range d.Templating.List {
		if sel, label, err := v.labelValues(); err == nil {
			add("variable "+v.Name, fmt.Sprintf("count by (%s) (%s)", label, sel))
		}
	}
	b, err := yaml.Marshal(map[string]any{"groups": []any{map[string]any{"name": "dashboard", "rules": rules}}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dashboard_rules.yml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runTool(t, time.Minute, t.TempDir(), bin, "check", "rules", path)
	if err != nil {
		for name, w := range where {
			out = strings.ReplaceAll(out, name, name+" ["+w+"]")
		}
		t.Fatalf("promtool cannot parse the dashboard's queries: %v\n%s", err, out)
	}
}

func TestGrafanaProvisioning(t *testing.T) {
	var ds struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name     string            `yaml:"name"`
			Type     string            `yaml:"type"`
			Access   string            `yaml:"access"`
			URL      string            `yaml:"url"`
			JSONData map[string]string `yaml:"jsonData"`
		} `yaml:"datasources"`
	}
	if err := yaml.Unmarshal(readDeployFile(t, "grafana/provisioning/datasources/up.yml"), &ds); err != nil {
		t.Fatal(err)
	}
	if ds.APIVersion != 1 || len(ds.Datasources) != 1 {
		t.Fatalf("datasources: apiVersion %d, %d data sources; want 1 and 1", ds.APIVersion, len(ds.Datasources))
	}
	if s := ds.Datasources[0]; s.Type != "prometheus" || s.Access != "proxy" || !strings.HasPrefix(s.URL, "http") || s.JSONData["timeInterval"] == "" {
		t.Errorf("datasource %+v: want a prometheus proxy data source with a URL and timeInterval", s)
	}

	var dp struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name    string `yaml:"name"`
			Type    string `yaml:"type"`
			Folder  string `yaml:"folder"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	if err := yaml.Unmarshal(readDeployFile(t, "grafana/provisioning/dashboards/up.yml"), &dp); err != nil {
		t.Fatal(err)
	}
	if dp.APIVersion != 1 || len(dp.Providers) != 1 {
		t.Fatalf("dashboards: apiVersion %d, %d providers; want 1 and 1", dp.APIVersion, len(dp.Providers))
	}
	if p := dp.Providers[0]; p.Type != "file" || !filepath.IsAbs(p.Options.Path) {
		t.Errorf("provider %+v: want type file with an absolute path", p)
	}
}
