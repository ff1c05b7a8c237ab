package deploy

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// unusedFamilies are metric families up exports that neither the dashboard
// nor the alerts read, each with the reason. A prefix ending in "_" covers
// every family that starts with it. Anything else exported and unused fails
// TestDashboardAndAlertsCoverEveryFamily and the integration test.
var unusedFamilies = map[string]string{
	"go_": "Go runtime internals of the Go collector: the dashboard shows the heap (go_memstats_heap_inuse_bytes), " +
		"memory from the OS (go_memstats_sys_bytes) and goroutines; the rest is for profiling, not operating up",
	"process_": "process collector details: the dashboard shows CPU, resident memory and open/max file descriptors; " +
		"start time, virtual memory and network bytes say nothing about up's health",
}

// excluded reports whether family is in unusedFamilies.
func excluded(family string) bool {
	for k := range unusedFamilies {
		if family == k || strings.HasSuffix(k, "_") && strings.HasPrefix(family, k) {
			return true
		}
	}
	return false
}

// uncovered lists the families that no expression in exprs reads and that
// are not excluded, sorted.
func uncovered(families []string, exprs []string) []string {
	all := strings.Join(exprs, "\n")
	var out []string
	for _, f := range families {
		if excluded(f) {
			continue
		}
		re := regexp.MustCompile(`\b` + regexp.QuoteMeta(f) + `(?:_bucket|_sum|_count)?\b`)
		if !re.MatchString(all) {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

// dashboardAndAlertExprs is every PromQL expression shipped in deploy/.
func dashboardAndAlertExprs(t testing.TB) []string {
	t.Helper()
	var exprs []string
	for _, q := range loadDashboard(t).queries() {
		exprs = append(exprs, q.Expr)
	}
	for _, r := range loadAlertRules(t) {
		exprs = append(exprs, r.Expr)
	}
	return exprs
}

// sourceFamilies reads up's metric families from its Go source: every
// prometheus.*Opts literal, prometheus.NewDesc call and entry of a
// hand-written exposition's family table outside tests, plus the
// build-info collector. An Opts whose Name is a parameter of a small
// constructor (gauge := func(name, help string, ...)) is followed to the
// constructor's calls. It maps each name to where it is defined, and sees
// families that exist only after events (a first TLS probe, a first
// webhook) without running anything; the integration test checks the same
// against a real scrape.
func sourceFamilies(t testing.TB, root string) map[string]string {
	t.Helper()
	families := map[string]string{}
	fset := token.NewFileSet()
	rel := func(pos token.Position) string {
		if r, err := filepath.Rel(root, pos.Filename); err == nil {
			pos.Filename = r
		}
		return pos.String()
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor" || name == "deploy") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			// That package does not build either, and its own tests say so.
			t.Logf("skipping a file that does not parse: %v", err)
			return nil
		}
		fileFamilies(t, fset, rel, f, families)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(families) == 0 {
		t.Fatal("found no metric families in the source")
	}
	return families
}

const (
	promPkg     = "github.com/prometheus/client_golang/prometheus"
	versionPkg  = "github.com/prometheus/client_golang/prometheus/collectors/version"
	metricField = "Name"
)

// fileFamilies adds the families one file defines.
func fileFamilies(t testing.TB, fset *token.FileSet, rel func(token.Position) string, f *ast.File, families map[string]string) {
	pkgOf := imports(f)
	isOpts := func(n ast.Node) (*ast.CompositeLit, bool) {
		lit, ok := n.(*ast.CompositeLit)
		if !ok {
			return nil, false
		}
		sel, ok := lit.Type.(*ast.SelectorExpr)
		return lit, ok && pkgOf[identName(sel.X)] == promPkg && strings.HasSuffix(sel.Sel.Name, "Opts") &&
			sel.Sel.Name != "ProcessCollectorOpts"
	}
	add := func(name string, pos token.Pos) { families[name] = rel(fset.Position(pos)) }

	// Constructors: functions whose parameter becomes an Opts' Name, by
	// function name, with the parameter's position.
	wrappers := map[string]int{}
	viaWrapper := map[*ast.CompositeLit]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		var name string
		var ft *ast.FuncType
		var body *ast.BlockStmt
		switch n := n.(type) {
		case *ast.FuncDecl:
			name, ft, body = n.Name.Name, n.Type, n.Body
		case *ast.AssignStmt:
			if len(n.Lhs) == 1 && len(n.Rhs) == 1 {
				if fl, ok := n.Rhs[0].(*ast.FuncLit); ok {
					name, ft, body = identName(n.Lhs[0]), fl.Type, fl.Body
				}
			}
		}
		if name == "" || body == nil {
			return true
		}
		var params []string
		for _, field := range ft.Params.List {
			for _, id := range field.Names {
				params = append(params, id.Name)
			}
		}
		ast.Inspect(body, func(m ast.Node) bool {
			lit, ok := isOpts(m)
			if !ok {
				return true
			}
			if v := fieldValue(lit, metricField); v != nil {
				if i := slices.Index(params, identName(v)); i >= 0 {
					wrappers[name] = i
					viaWrapper[lit] = true
				}
			}
			return true
		})
		return true
	})

	ast.Inspect(f, func(n ast.Node) bool {
		if name, ok := familyTableEntry(n); ok {
			add(name, n.Pos())
			return true
		}
		if lit, ok := isOpts(n); ok {
			if viaWrapper[lit] {
				return true
			}
			var parts [3]string
			for i, key := range []string{"Namespace", "Subsystem", metricField} {
				v := fieldValue(lit, key)
				if v == nil {
					continue
				}
				s, ok := stringLit(v)
				if !ok {
					t.Errorf("%s: %s of a metric is not a string literal; make it one, or teach sourceFamilies to read it", fset.Position(v.Pos()), key)
				}
				parts[i] = s
			}
			if parts[2] != "" {
				add(prometheus.BuildFQName(parts[0], parts[1], parts[2]), lit.Pos())
			}
			return true
		}
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		var pkg, fn string
		switch fun := call.Fun.(type) {
		case *ast.Ident:
			fn = fun.Name
		case *ast.SelectorExpr:
			pkg, fn = pkgOf[identName(fun.X)], fun.Sel.Name
		}
		nameArg := func(arg ast.Expr) {
			if s, ok := stringLit(arg); ok {
				add(s, call.Pos())
			} else {
				t.Errorf("%s: a metric name that is not a string literal; make it one, or teach sourceFamilies to read it", fset.Position(arg.Pos()))
			}
		}
		i, isWrapper := wrappers[fn]
		switch {
		case pkg == promPkg && fn == "NewDesc":
			nameArg(call.Args[0])
		case pkg == "" && isWrapper && i < len(call.Args):
			nameArg(call.Args[i])
		case pkg == versionPkg && fn == "NewCollector":
			if s, ok := stringLit(call.Args[0]); ok {
				add(s+"_build_info", call.Pos())
			}
		}
		return true
	})
}

// familyTableEntry recognises a hand-written exposition's table entry,
// {"uptime_check_up", "help text", "gauge", ...}: a literal whose first
// element is a metric name and that names a metric type.
func familyTableEntry(n ast.Node) (string, bool) {
	lit, ok := n.(*ast.CompositeLit)
	if !ok || len(lit.Elts) < 3 {
		return "", false
	}
	value := func(e ast.Expr) ast.Expr {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			return kv.Value
		}
		return e
	}
	name, ok := stringLit(value(lit.Elts[0]))
	if !ok || !metricNameLitRE.MatchString(name) {
		return "", false
	}
	for _, e := range lit.Elts[1:] {
		if s, ok := stringLit(value(e)); ok && metricTypes[s] {
			return name, true
		}
	}
	return "", false
}

var (
	metricNameLitRE = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*_[a-zA-Z0-9_:]+$`)
	metricTypes     = map[string]bool{"counter": true, "gauge": true, "histogram": true, "summary": true, "untyped": true}
)

// fieldValue is the value of a keyed field of a composite literal, or nil.
func fieldValue(lit *ast.CompositeLit, key string) ast.Expr {
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok && identName(kv.Key) == key {
			return kv.Value
		}
	}
	return nil
}

// imports maps a file's import names to their paths.
func imports(f *ast.File) map[string]string {
	m := map[string]string{}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		name := p[strings.LastIndex(p, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		m[name] = p
	}
	return m
}

func identName(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

func TestSourceFamiliesFindsTheKnownOnes(t *testing.T) {
	families := sourceFamilies(t, repoRoot(t))
	for _, f := range []string{
		"probe_success", "probe_http_duration_seconds", "probe_ssl_earliest_cert_expiry",
		"uptime_probes_total", "uptime_probe_latency_seconds", "uptime_component_status",
		"uptime_webhook_deliveries_total", "uptime_webhook_delivery_duration_seconds", "uptime_build_info",
	} {
		if _, ok := families[f]; !ok {
			t.Errorf("%s not found in the source", f)
		}
	}
}

// TestDashboardAndAlertsCoverEveryFamily fails on a metric family defined
// in up's source that neither the dashboard nor the alerts use and that
// unusedFamilies does not excuse.
func TestDashboardAndAlertsCoverEveryFamily(t *testing.T) {
	families := sourceFamilies(t, repoRoot(t))
	names := make([]string, 0, len(families))
	for f := range families {
		names = append(names, f)
	}
	for _, f := range uncovered(names, dashboardAndAlertExprs(t)) {
		t.Errorf("%s (defined at %s) is used by neither the dashboard nor the alerts: add a panel, or add it to unusedFamilies with the reason", f, families[f])
	}
}

func TestUncovered(t *testing.T) {
	got := uncovered(
		[]string{"a_total", "b_seconds", "c", "go_threads", "process_open_fds", "c_bytes"},
		[]string{`rate(a_total[1m])`, `histogram_quantile(0.5, sum by (le) (rate(b_seconds_bucket[1m])))`, `c_bytes`})
	if want := []string{"c"}; !slices.Equal(got, want) {
		t.Errorf("uncovered = %v, want %v", got, want)
	}
}
