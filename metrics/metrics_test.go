package metrics

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/up-status/up/config"
	"github.com/up-status/up/internal/testenv"
	"github.com/up-status/up/probe"
	"github.com/up-status/up/status"
)

func httpCheck(component, name, url string) *config.Check {
	return &config.Check{ID: component + "." + name, Component: component, Name: name, HTTP: &config.HTTPCheck{URL: url}}
}

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("GET /metrics = %d", rec.Code)
	}
	return rec.Body.String()
}

func TestProbeResultFillsBlackboxSeries(t *testing.T) {
	m := New(Options{HTTPPhases: true, LatencyHistogram: true})
	c := httpCheck("website", "home", "https://acme.example/")
	m.AddCheck(c)
	expiry := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	m.ObserveProbe(c.ID, probe.Result{
		Success: true, Duration: 120 * time.Millisecond,
		HTTP: &probe.HTTPResult{StatusCode: 200, Proto: "HTTP/2.0", Resolve: time.Millisecond, Connect: 2 * time.Millisecond,
			TLS: 3 * time.Millisecond, Processing: 4 * time.Millisecond, Transfer: 5 * time.Millisecond},
		TLS: &probe.TLSResult{Version: "TLS 1.3", EarliestCertExpiry: expiry},
	})
	m.SetCheckUp(c.ID, true)
	const l = `check="home",component="website",target="https://acme.example/",type="http"`
	want := map[string]float64{
		`probe_success{` + l + `}`:                  1,
		`probe_duration_seconds{` + l + `}`:         0.12,
		`probe_http_status_code{` + l + `}`:         200,
		`probe_http_version{` + l + `}`:             2,
		`probe_dns_lookup_time_seconds{` + l + `}`:  0.001,
		`probe_ssl_earliest_cert_expiry{` + l + `}`: float64(expiry.Unix()),
		`probe_http_duration_seconds{check="home",component="website",phase="connect",target="https://acme.example/",type="http"}`:  0.002,
		`probe_http_duration_seconds{check="home",component="website",phase="transfer",target="https://acme.example/",type="http"}`: 0.005,
		`probe_tls_version_info{` + l + `,version="TLS 1.3"}`:                                                                       1,
		`uptime_probes_total{check="home",component="website",result="success",type="http"}`:                                        1,
		`uptime_probes_total{check="home",component="website",result="failure",type="http"}`:                                        0,
		`uptime_probe_latency_seconds_bucket{check="home",component="website",le="0.1"}`:                                            0,
		`uptime_probe_latency_seconds_bucket{check="home",component="website",le="0.25"}`:                                           1,
		`uptime_probe_latency_seconds_bucket{check="home",component="website",le="+Inf"}`:                                           1,
		`uptime_probe_latency_seconds_count{check="home",component="website"}`:                                                      1,
		`uptime_check_up{check="home",component="website"}`:                                                                         1,
	}
	got := testenv.Series(t, scrape(t, m))
	for k, w := range want {
		if v, ok := got[k]; !ok || v != w {
			t.Errorf("%s = %v (present %v), want %v", k, v, ok, w)
		}
	}
}

func TestDNSAndTLSChecksFillTheirSeries(t *testing.T) {
	for _, phases := range []bool{false, true} {
		m := New(Options{DNSPhases: phases})
		d := &config.Check{ID: "dns.zone", Component: "dns", Name: "zone",
			DNS: &config.DNSCheck{Server: "10.0.0.53:53", Name: "acme.example", Type: "SOA"}}
		c := &config.Check{ID: "dns.cert", Component: "dns", Name: "cert", TLS: &config.TLSCheck{Address: "acme.example:443"}}
		h := httpCheck("dns", "web", "https://acme.example/")
		for _, k := range []*config.Check{d, c, h} {
			m.AddCheck(k)
		}
		chainEnd := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
		tlsRes := &probe.TLSResult{Version: "TLS 1.3", EarliestCertExpiry: chainEnd.Add(-time.Hour), LastChainExpiry: chainEnd}
		m.ObserveProbe(d.ID, probe.Result{Success: true, DNS: &probe.DNSResult{
			Resolve: time.Millisecond, Connect: 2 * time.Millisecond, Request: 3 * time.Millisecond,
			Answer: 1, Authority: 2, Additional: 3, Serial: 2026010101, HasSerial: true}})
		m.ObserveProbe(c.ID, probe.Result{Success: true, TCP: &probe.TCPResult{Resolve: time.Millisecond}, TLS: tlsRes})
		m.ObserveProbe(h.ID, probe.Result{Success: true, HTTP: &probe.HTTPResult{StatusCode: 200}, TLS: tlsRes})
		const dl = `check="zone",component="dns",target="dns://10.0.0.53:53/acme.example?type=SOA",type="dns"`
		const cl = `check="cert",component="dns",target="acme.example:443",type="tls"`
		want := map[string]float64{
			`probe_dns_answer_rrs{` + dl + `}`:                          1,
			`probe_dns_authority_rrs{` + dl + `}`:                       2,
			`probe_dns_additional_rrs{` + dl + `}`:                      3,
			`probe_dns_serial{` + dl + `}`:                              2026010101,
			`probe_ssl_last_chain_expiry_timestamp_seconds{` + cl + `}`: float64(chainEnd.Unix()),
			`probe_ssl_earliest_cert_expiry{` + cl + `}`:                float64(chainEnd.Add(-time.Hour).Unix()),
			`probe_dns_lookup_time_seconds{` + cl + `}`:                 0.001,
		}
		if phases {
			want[`probe_dns_duration_seconds{check="zone",component="dns",phase="request",target="dns://10.0.0.53:53/acme.example?type=SOA",type="dns"}`] = 0.003
		}
		body := scrape(t, m)
		got := testenv.Series(t, body)
		for k, w := range want {
			if v, ok := got[k]; !ok || v != w {
				t.Errorf("phases %v: %s = %v (present %v), want %v", phases, k, v, ok, w)
			}
		}
		if n := strings.Count(body, "probe_dns_duration_seconds{"); n != map[bool]int{false: 0, true: 3}[phases] {
			t.Errorf("phases %v: %d probe_dns_duration_seconds series", phases, n)
		}
		// Not every check has every family: the chain's expiry is for
		// tls checks, and a DNS check's lookup time is its resolve phase.
		for _, absent := range []string{`probe_ssl_last_chain_expiry_timestamp_seconds{check="web"`, `probe_dns_lookup_time_seconds{` + dl, `probe_dns_answer_rrs{` + cl} {
			if strings.Contains(body, absent) {
				t.Errorf("phases %v: exposition has %s", phases, absent)
			}
		}
	}
}

func TestSeriesExistBeforeTheFirstResultAndGoWithTheCheck(t *testing.T) {
	m := New(Options{HTTPPhases: true, LatencyHistogram: true})
	c := httpCheck("api", "health", "http://127.0.0.1:5010/healthz")
	m.AddCheck(c)
	body := scrape(t, m)
	for _, want := range []string{
		`probe_success{check="health",component="api",target="http://127.0.0.1:5010/healthz",type="http"} 0`,
		`probe_http_duration_seconds{check="health",component="api",phase="processing",target="http://127.0.0.1:5010/healthz",type="http"} 0`,
		`probe_http_version{check="health",component="api",target="http://127.0.0.1:5010/healthz",type="http"} 0`,
		`uptime_probes_total{check="health",component="api",result="failure",type="http"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("exposition lacks %s", want)
		}
	}
	m.RemoveCheck(c.ID)
	if body := scrape(t, m); strings.Contains(body, `component="api"`) {
		t.Errorf("series of a removed check remain:\n%s", grep(body, `component="api"`))
	}
}

func TestTLSVersionInfoKeepsOneSeriesPerCheck(t *testing.T) {
	m := New(Options{})
	c := httpCheck("w", "h", "https://x.example/")
	m.AddCheck(c)
	m.ObserveProbe(c.ID, probe.Result{Success: true, TLS: &probe.TLSResult{Version: "TLS 1.2"}})
	m.ObserveProbe(c.ID, probe.Result{Success: true, TLS: &probe.TLSResult{Version: "TLS 1.3"}})
	if n := strings.Count(scrape(t, m), "probe_tls_version_info{"); n != 1 {
		t.Fatalf("probe_tls_version_info has %d series after a version change, want 1", n)
	}
}

func TestLabelValuesAreEscaped(t *testing.T) {
	m := New(Options{})
	c := httpCheck("w", "h", "https://x.example/?q=\"quoted\"\\back")
	m.AddCheck(c)
	body := scrape(t, m)
	if !strings.Contains(body, `target="https://x.example/?q=\"quoted\"\\back"`) {
		t.Fatalf("target not escaped:\n%s", grep(body, "probe_success"))
	}
}

func TestGzipIsOfferedToScrapersThatAskForIt(t *testing.T) {
	m := New(Options{})
	m.AddCheck(httpCheck("w", "h", "https://x.example/"))
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, req)
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatal("no gzip for a scraper that accepts it")
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !strings.Contains(string(plain), "probe_success{") {
		t.Fatal("gzipped exposition lacks the per-check series")
	}
}

func TestStateSetsHoldExactlyOneCurrentStatus(t *testing.T) {
	m := New(Options{})
	m.SetComponentStatus("db", "backend", status.PartialOutage)
	m.SetComponentStatus("db", "backend", status.MajorOutage)
	m.SetPageStatus(status.PageHasIssues)
	sets := componentStates(t, m)
	for _, s := range status.ComponentStatuses {
		want := 0.0
		if s == status.MajorOutage {
			want = 1
		}
		key := `component="db",group="backend",status="` + string(s) + `"`
		if got, ok := sets[key]; !ok || got != want {
			t.Errorf("uptime_component_status{%s} = %v (present %v), want %v", key, got, ok, want)
		}
	}
	if got := testutil.ToFloat64(m.pageStatus.WithLabelValues("HASISSUES")); got != 1 {
		t.Errorf("uptime_page_status{HASISSUES} = %v", got)
	}
	if got := testutil.ToFloat64(m.pageStatus.WithLabelValues("UP")); got != 0 {
		t.Errorf("uptime_page_status{UP} = %v", got)
	}
	// Moving a component to another group must not leave the old set.
	m.SetComponentStatus("db", "storage", status.Operational)
	if n := len(componentStates(t, m)); n != len(status.ComponentStatuses) {
		t.Errorf("%d component status series after a group change, want %d", n, len(status.ComponentStatuses))
	}
	m.RemoveComponent("db")
	if n := len(componentStates(t, m)); n != 0 {
		t.Errorf("%d component status series after the component is gone, want 0", n)
	}
}

// componentStates reads uptime_component_status from a scrape, by label
// set.
func componentStates(t *testing.T, m *Metrics) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, l := range strings.Split(scrape(t, m), "\n") {
		rest, ok := strings.CutPrefix(l, "uptime_component_status{")
		if !ok {
			continue
		}
		labels, value, ok := strings.Cut(rest, "} ")
		if !ok {
			t.Fatalf("malformed line %q", l)
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if _, dup := out[labels]; dup {
			t.Fatalf("series %s written twice", labels)
		}
		out[labels] = v
	}
	return out
}

// fillChecks adds n checks of every type with realistic labels and one
// result each.
func fillChecks(m *Metrics, n int) {
	for i := range n {
		comp := fmt.Sprintf("component-%04d", i)
		h := httpCheck(comp, "homepage", fmt.Sprintf("https://service-%04d.example.com/health", i))
		tc := &config.Check{ID: comp + ".port", Component: comp, Name: "port", TCP: &config.TCPCheck{Address: fmt.Sprintf("service-%04d.example.com:443", i), TLS: true}}
		ic := &config.Check{ID: comp + ".ping", Component: comp, Name: "ping", ICMP: &config.ICMPCheck{Host: fmt.Sprintf("service-%04d.example.com", i)}}
		dc := &config.Check{ID: comp + ".resolve", Component: comp, Name: "resolve",
			DNS: &config.DNSCheck{Server: "ns1.example.com:53", Name: fmt.Sprintf("service-%04d.example.com", i), Type: "SOA"}}
		cc := &config.Check{ID: comp + ".cert", Component: comp, Name: "cert", TLS: &config.TLSCheck{Address: fmt.Sprintf("service-%04d.example.com:443", i)}}
		tlsRes := &probe.TLSResult{Version: "TLS 1.3", EarliestCertExpiry: time.Now().Add(90 * 24 * time.Hour), LastChainExpiry: time.Now().Add(90 * 24 * time.Hour)}
		for _, c := range []*config.Check{h, tc, ic, dc, cc} {
			m.AddCheck(c)
			r := probe.Result{Success: true, Duration: 30 * time.Millisecond}
			switch c.Type() {
			case "http":
				r.HTTP = &probe.HTTPResult{StatusCode: 200, Proto: "HTTP/1.1", Resolve: time.Millisecond}
				r.TLS = tlsRes
			case "tcp":
				r.TLS = tlsRes
			case "icmp":
				r.ICMP = &probe.ICMPResult{Sent: 1, Received: 1, RTT: time.Millisecond}
			case "dns":
				r.DNS = &probe.DNSResult{Request: time.Millisecond, Rcode: "NOERROR", Answer: 1, Authority: 2, Additional: 3, Serial: 2026010101, HasSerial: true}
			case "tls":
				r.TCP = &probe.TCPResult{Resolve: time.Millisecond, Connect: time.Millisecond, TLS: time.Millisecond}
				r.TLS = tlsRes
			}
			m.ObserveProbe(c.ID, r)
			m.SetCheckUp(c.ID, true)
		}
		m.SetComponentStatus(comp, "group-a", status.Operational)
	}
}

// TestExpositionStaysWithinTheBudgetPerCheck holds the default metric set
// (latency histogram on, HTTP phases off) to the documented budget of 2 KB
// of text per check, for every check type, so that 10 000 checks scrape
// quickly.
func TestExpositionStaysWithinTheBudgetPerCheck(t *testing.T) {
	opts := Options{LatencyHistogram: true}
	m := New(opts)
	const n = 100
	fillChecks(m, n)
	body := scrape(t, m)
	for _, name := range []string{"homepage", "port", "ping", "resolve", "cert"} {
		size := 0
		for _, l := range strings.Split(body, "\n") {
			// A check's share: its own series plus a fifth of its
			// component's status set (five checks per component).
			if strings.Contains(l, `check="`+name+`"`) {
				size += len(l) + 1
			} else if strings.HasPrefix(l, "uptime_component_status{") {
				size += (len(l) + 1) / 5
			}
		}
		per := size / n
		t.Logf("%s check: %d bytes", name, per)
		if per > 2048 {
			t.Errorf("%s check: %d bytes of exposition, budget 2048", name, per)
		}
	}
}

func TestPromtoolFindsNoProblem(t *testing.T) {
	promtool := testenv.LookPath(t, "promtool", "apt-get install -y prometheus")
	m := New(Options{HTTPPhases: true, DNSPhases: true, LatencyHistogram: true, TLSChainInfo: true})
	fillChecks(m, 3)
	fillMoreChecks(m, 3)
	m.ObserveProbe("component-0000.cert", probe.Result{Success: true, TLS: &probe.TLSResult{Version: "TLS 1.3", Leaf: leafCert(t, 7, "service-0000.example.com")}})
	m.ObserveRun(3*time.Millisecond, false)
	m.SetCustomMetric("signups", 12)
	// promtool reads the text format; TestOpenMetricsWhenAsked holds the
	// OpenMetrics one to its parser.
	body := scrape(t, m)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil || out.Len() > 0 {
		t.Fatalf("promtool check metrics: %v\n%s", err, out.String())
	}
}

func grep(s, sub string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			fmt.Fprintln(&b, l)
		}
	}
	return b.String()
}

// promAccept is the Accept header Prometheus sends by default.
const promAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

// scrapeAs scrapes with the headers and returns the content type and the
// (unzipped) body.
func scrapeAs(t *testing.T, m *Metrics, hdr map[string]string) (string, string) {
	t.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("GET /metrics = %d", rec.Code)
	}
	var body io.Reader = rec.Body
	if rec.Header().Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Header().Get("Content-Type"), string(b)
}

// parseOpenMetrics parses a whole OpenMetrics exposition with expfmt's
// OpenMetrics 1.0 parser, which holds it to the specification's grammar
// and rules (counter naming, family order, # EOF).
func parseOpenMetrics(t *testing.T, body string) map[string]*dto.MetricFamily {
	t.Helper()
	if !strings.HasSuffix(body, "\n# EOF\n") {
		t.Fatalf("OpenMetrics exposition does not end with # EOF:\n%s", body[max(0, len(body)-300):])
	}
	if strings.Count(body, "# EOF") != 1 {
		t.Fatal("# EOF appears more than once")
	}
	dec := expfmt.NewDecoder(strings.NewReader(body), expfmt.FmtOpenMetrics_1_0_0)
	out := map[string]*dto.MetricFamily{}
	for {
		var mf dto.MetricFamily
		err := dec.Decode(&mf)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("OpenMetrics parser: %v", err)
		}
		if _, dup := out[mf.GetName()]; dup {
			t.Fatalf("family %s twice", mf.GetName())
		}
		out[mf.GetName()] = &mf
	}
}

// TestOpenMetricsWhenAsked: a scraper asking for OpenMetrics, Prometheus
// by default among them, gets valid OpenMetrics, the hand-written
// per-check families included; others get the text format.
func TestOpenMetricsWhenAsked(t *testing.T) {
	m := New(Options{HTTPPhases: true, LatencyHistogram: true})
	fillChecks(m, 3)
	m.ObserveRun(3*time.Millisecond, false)
	m.ObserveRun(0, true)
	m.IncidentOpened()
	m.SetCustomMetric("signups", 12)
	// The OpenMetrics parser is slow: two scrapes, one plain, one gzipped.
	for _, hdr := range []map[string]string{
		{"Accept": "application/openmetrics-text; version=1.0.0"},
		{"Accept": promAccept, "Accept-Encoding": "gzip"},
	} {
		ct, body := scrapeAs(t, m, hdr)
		if !strings.HasPrefix(ct, "application/openmetrics-text; version=1.0.0") {
			t.Errorf("%v: Content-Type %q", hdr, ct)
		}
		fams := parseOpenMetrics(t, body)
		for name, typ := range map[string]dto.MetricType{
			"uptime_probes_total":                 dto.MetricType_COUNTER,
			"uptime_scheduler_skipped_runs_total": dto.MetricType_COUNTER,
			"uptime_incidents_opened_total":       dto.MetricType_COUNTER,
			"probe_success":                       dto.MetricType_GAUGE,
			"probe_tls_version_info":              dto.MetricType_GAUGE,
			"uptime_probe_latency_seconds":        dto.MetricType_HISTOGRAM,
			"probe_http_duration_seconds":         dto.MetricType_GAUGE,
			"uptime_custom_metric":                dto.MetricType_GAUGE,
			"uptime_scheduler_lag_seconds":        dto.MetricType_HISTOGRAM,
			"probe_ssl_earliest_cert_expiry":      dto.MetricType_GAUGE,
		} {
			mf := fams[name]
			if mf == nil {
				t.Errorf("%v: no family %s in the OpenMetrics exposition", hdr, name)
				continue
			}
			if mf.GetType() != typ {
				t.Errorf("%s: type %v, want %v", name, mf.GetType(), typ)
			}
		}
		// The parser names a counter's family by its samples' name.
		if n := len(fams["uptime_probes_total"].GetMetric()); n != 2*15 { // fillChecks(m, 3): five checks per component
			t.Errorf("uptime_probes: %d series, want 30", n)
		}
		if !strings.Contains(body, "\n# TYPE uptime_probes counter\n") || !strings.Contains(body, "\nuptime_probes_total{") {
			t.Errorf("counter not named as OpenMetrics wants:\n%s", grep(body, "uptime_probes"))
		}
	}
	for _, hdr := range []map[string]string{
		{},
		{"Accept": "text/plain;version=0.0.4"},
		{"Accept": "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"},
	} {
		ct, body := scrapeAs(t, m, hdr)
		if !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
			t.Errorf("%v: Content-Type %q", hdr, ct)
		}
		if strings.Contains(body, "# EOF") || !strings.Contains(body, "\n# TYPE uptime_probes_total counter\n") {
			t.Errorf("%v: not the text format:\n%s", hdr, grep(body, "uptime_probes"))
		}
		testenv.Series(t, body)
	}
}

// discard is a ResponseWriter that keeps nothing, so that a scrape's own
// allocations can be counted.
type discard struct{ h http.Header }

func (d discard) Header() http.Header       { return d.h }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// TestScrapeCostDoesNotGrowWithComponents holds the component state sets
// to the per-check series' way: written from plain fields, so a scrape
// allocates no more for 2 000 components than for 20, and keeping a
// status that did not change allocates nothing.
func TestScrapeCostDoesNotGrowWithComponents(t *testing.T) {
	allocs := func(n int) float64 {
		m := New(Options{})
		for i := range n {
			m.SetComponentStatus(fmt.Sprintf("c%d", i), "g", status.Operational)
		}
		req := httptest.NewRequest("GET", "/metrics", nil)
		h := m.Handler()
		h.ServeHTTP(discard{http.Header{}}, req) // sorts once
		return testing.AllocsPerRun(5, func() { h.ServeHTTP(discard{http.Header{}}, req) })
	}
	small, large := allocs(20), allocs(2000)
	t.Logf("allocations per scrape: %.0f with 20 components, %.0f with 2 000", small, large)
	if large > small+20 {
		t.Errorf("a scrape of 2 000 components allocates %.0f times, of 20 %.0f: the state sets cost per component", large, small)
	}
	m := New(Options{})
	m.SetComponentStatus("db", "backend", status.Operational)
	if n := testing.AllocsPerRun(10, func() { m.SetComponentStatus("db", "backend", status.MajorOutage) }); n != 0 {
		t.Errorf("setting a known component's status allocates %.0f times, want 0", n)
	}
}

// TestGzipScrapesReuseTheCompressor: a compressor holds over a megabyte
// of tables, and making one per scrape was most of what a gzipped scrape
// allocated. It must survive garbage collections.
func TestGzipScrapesReuseTheCompressor(t *testing.T) {
	m := New(Options{})
	fillChecks(m, 10)
	h := m.Handler()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	h.ServeHTTP(discard{http.Header{}}, req)
	// Collections pass between two scrapes of a busy daemon.
	runtime.GC()
	runtime.GC()
	var before, after runtime.MemStats
	const n = 20
	runtime.ReadMemStats(&before)
	for range n {
		h.ServeHTTP(discard{http.Header{}}, req)
	}
	runtime.ReadMemStats(&after)
	per := (after.TotalAlloc - before.TotalAlloc) / n
	t.Logf("%d bytes allocated per gzipped scrape", per)
	if per > 512<<10 {
		t.Errorf("a gzipped scrape allocates %d bytes, want under 512 KiB", per)
	}
}

// TestValuesPrintAsBefore: whole numbers take a shortcut; the text must
// stay what strconv's shortest 'g' form gives, 1e+06 and up included.
func TestValuesPrintAsBefore(t *testing.T) {
	for _, v := range []float64{0, 1, 2, 200, 503, 999999, 1e6, 1000001, 123456789, 0.5, 1.25, 1e-7, 1e21, -1, -0.5, 3.0000001} {
		want := strconv.FormatFloat(v, 'g', -1, 64)
		if got := string(appendFloat(nil, v)); got != want {
			t.Errorf("appendFloat(%v) = %q, want %q", v, got, want)
		}
	}
}

// TestANewComponentNeverShowsAnotherStatus: a scrape running while
// components are added sees each of them with the status it was given,
// or not at all, never for a moment with another.
func TestANewComponentNeverShowsAnotherStatus(t *testing.T) {
	m := New(Options{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 3000 {
			m.SetComponentStatus(fmt.Sprintf("c%d", i), "g", status.MajorOutage)
		}
	}()
	for scrapes := 0; scrapes < 200; scrapes++ {
		select {
		case <-done:
			scrapes = 200
		default:
		}
		for labels, v := range componentStates(t, m) {
			if v == 1 && !strings.HasSuffix(labels, `status="MAJOROUTAGE"`) {
				t.Fatalf("uptime_component_status{%s} = 1 while the component is MAJOROUTAGE", labels)
			}
		}
	}
	<-done
}

// TestHTTPVersionAsBlackboxHasIt: probe_http_version is the response's
// version as a number, 1.1 or 2, and 0 when no response came.
func TestHTTPVersionAsBlackboxHasIt(t *testing.T) {
	m := New(Options{})
	c := httpCheck("web", "home", "https://acme.example/")
	m.AddCheck(c)
	const series = `probe_http_version{check="home",component="web",target="https://acme.example/",type="http"}`
	for _, tt := range []struct {
		proto string
		want  float64
	}{{"HTTP/2.0", 2}, {"HTTP/1.1", 1.1}, {"HTTP/1.0", 1}, {"", 0}} {
		m.ObserveProbe(c.ID, probe.Result{HTTP: &probe.HTTPResult{Proto: tt.proto}})
		if got := testenv.Series(t, scrape(t, m))[series]; got != tt.want {
			t.Errorf("%q: %s = %v, want %v", tt.proto, series, got, tt.want)
		}
	}
}
