package probe

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/config"
)

// checkFromYAML loads one check the way the daemon does, so that the
// assertions under test went through the real decoder.
func checkFromYAML(t *testing.T, check string) *config.Check {
	t.Helper()
	src := "components:\n  - id: c\n    checks:\n      - name: k\n        timeout: 5s\n" + check
	cfg, err := config.ParseWithEnv([]byte(src), "test.yaml", func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("parse:\n%v", err)
	}
	return cfg.Checks()[0]
}

const healthBody = `{"status": "degraded", "maintenance": false, "code": "200", "queue": {"depth": 150, "lag": 0.5},
 "checks": [{"db.primary": "ok"}], "note": null, "long": "` + "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789xyz" + `"}`

func TestHTTPJSONAssertions(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, healthBody)
	}))
	defer srv.Close()
	tests := []struct{ assertion, want string }{
		{`{path: $.status, equals: degraded}`, ""},
		{`{path: $.status, equals: ok}`, `json $.status: got "degraded", want "ok"`},
		{`{path: $.status, not_equals: degraded}`, `json $.status: got "degraded", want not "degraded"`},
		{`{path: $.maintenance, equals: false}`, ""},
		{`{path: $.maintenance, equals: "false"}`, `json $.maintenance: got false, want "false"`},
		{`{path: $.code, equals: 200}`, `json $.code: got "200", want 200`},
		{`{path: $.code, equals: "200"}`, ""},
		{`{path: $.queue.depth, equals: 150.0}`, ""},
		{`{path: $.queue.depth, "<": 100}`, `json $.queue.depth: got 150, want < 100`},
		{`{path: $.queue.depth, "<=": 150}`, ""},
		{`{path: $.queue.depth, ">": 150}`, `json $.queue.depth: got 150, want > 150`},
		{`{path: $.queue.lag, ">=": 0.5}`, ""},
		{`{path: $.status, "<": 1}`, `json $.status: got "degraded", want a number < 1`},
		{`{path: $.queue.missing, "<": 1}`, `json $.queue.missing: missing, want < 1`},
		{`{path: $.queue.missing, not_equals: 1}`, `json $.queue.missing: missing, want not 1`},
		{`{path: '$.checks[0]["db.primary"]', equals: ok}`, ""},
		{`{path: '$.checks[1]', exists: true}`, `json $.checks[1]: missing, want it to exist`},
		{`{path: $.note, exists: true}`, ""},
		{`{path: $.queue, exists: false}`, `json $.queue: got {"depth":150,"lag":0.5}, want it absent`},
		{`{path: $.status.deeper, exists: false}`, ""},
		{`{path: $.long, equals: short}`, `json $.long: got "` + strings.Repeat("0123456789", 10) + `"…, want "short"`},
	}
	for _, tt := range tests {
		t.Run(tt.assertion, func(t *testing.T) {
			c := checkFromYAML(t, "        http:\n          url: "+srv.URL+"\n          expect_json: ["+tt.assertion+"]\n")
			r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
			if r.Err != tt.want || r.Success != (tt.want == "") {
				t.Errorf("Success=%v Err=%q, want %q", r.Success, r.Err, tt.want)
			}
		})
	}
}

// The first failing assertion is the one reported, in file order, and
// the ones that held before it are named in the result and its summary.
func TestHTTPAssertionsReportTheFirstFailure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, healthBody)
	}))
	defer srv.Close()
	c := checkFromYAML(t, "        http:\n          url: "+srv.URL+"\n          expect_json:\n"+
		"            - {path: $.status, exists: true}\n            - {path: $.queue.depth, \"<\": 10}\n            - {path: $.status, equals: ok}\n"+
		"          expect_headers: [{name: content-type, contains: json}]\n")
	r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if want := "json $.queue.depth: got 150, want < 10"; r.Err != want {
		t.Errorf("Err=%q, want %q", r.Err, want)
	}
	if want := `  passed: header Content-Type contains "json", json $.status exists` + "\n"; !strings.Contains(r.Summary(), want) {
		t.Errorf("summary lacks %q:\n%s", want, r.Summary())
	}

	c = checkFromYAML(t, "        http:\n          url: "+srv.URL+"\n          expect_json:\n"+
		"            - {path: $.queue.depth, \">=\": 100}\n            - {path: $.code, equals: \"200\"}\n            - {path: $.maintenance, not_equals: true}\n"+
		"            - {path: $.debug, exists: false}\n"+
		"          expect_headers: [{name: X-Debug, present: false}, {name: content-type, matches: '^application/'}, {name: Content-Type, equals: application/json}]\n")
	r = probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	want := []string{"header X-Debug absent", "header Content-Type matches /^application//", `header Content-Type equals "application/json"`,
		"json $.queue.depth >= 100", `json $.code equals "200"`, "json $.maintenance not_equals true", "json $.debug absent"}
	if !r.Success || strings.Join(r.HTTP.Passed, "|") != strings.Join(want, "|") {
		t.Errorf("Success=%v Err=%q Passed=%q, want %q", r.Success, r.Err, r.HTTP.Passed, want)
	}
}

func TestHTTPJSONBodyThatIsNotJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			io.WriteString(w, `{"status": "ok", "pad": "`+strings.Repeat("x", 200)+`"}`)
			return
		}
		io.WriteString(w, "<html>fine</html>")
	}))
	defer srv.Close()
	c := checkFromYAML(t, "        http:\n          url: "+srv.URL+"\n          expect_json: [{path: $.status, equals: ok}]\n")
	r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if !strings.HasPrefix(r.Err, "json: body is not JSON: ") || r.Success {
		t.Errorf("Success=%v Err=%q", r.Success, r.Err)
	}
	c = checkFromYAML(t, "        http:\n          url: "+srv.URL+"/big\n          max_body_bytes: 64\n          expect_json: [{path: $.status, equals: ok}]\n")
	r = probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if !strings.HasSuffix(r.Err, " in its first 64 bytes (max_body_bytes)") {
		t.Errorf("a cut body: Err=%q", r.Err)
	}
}

func TestHTTPHeaderAssertions(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Add("X-Version", "1.9")
		w.Header().Add("X-Version", "2.1")
		io.WriteString(w, "hi")
	}))
	defer srv.Close()
	tests := []struct{ assertion, want string }{
		{`{name: content-type, contains: text/html}`, ""},
		{`{name: Content-Type, contains: json}`, `header Content-Type: got "text/html; charset=utf-8", want it to contain "json"`},
		{`{name: Content-Type, equals: text/html}`, `header Content-Type: got "text/html; charset=utf-8", want "text/html"`},
		{`{name: X-Version, equals: "2.1"}`, ""},
		{`{name: X-Version, matches: '^3\.'}`, `header X-Version: got "1.9, 2.1", want a match for /^3\./`},
		{`{name: X-Version, matches: '^2\.'}`, ""},
		{`{name: X-Version, present: false}`, `header X-Version: got "1.9, 2.1", want it absent`},
		{`{name: X-Foo, present: true}`, `header X-Foo: missing`},
		{`{name: X-Foo, present: false}`, ""},
		{`{name: X-Foo, equals: bar}`, `header X-Foo: missing, want "bar"`},
	}
	for _, tt := range tests {
		t.Run(tt.assertion, func(t *testing.T) {
			c := checkFromYAML(t, "        http:\n          url: "+srv.URL+"\n          expect_headers: ["+tt.assertion+"]\n")
			r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
			if r.Err != tt.want || r.Success != (tt.want == "") {
				t.Errorf("Success=%v Err=%q, want %q", r.Success, r.Err, tt.want)
			}
		})
	}
}

// A status outside expect_status is the failure reported, not an
// assertion on an error page.
func TestHTTPStatusComesBeforeAssertions(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c := checkFromYAML(t, "        http:\n          url: "+srv.URL+"\n          expect_json: [{path: $.a, exists: true}]\n")
	r := probeWithin(t, mustNew(t, c, testOptions(t)), 5*time.Second)
	if r.Err != "status 503, want 200-299" {
		t.Errorf("Err=%q", r.Err)
	}
}
