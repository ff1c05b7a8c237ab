package api

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// fuzzPut sends arbitrary bodies to a PUT route of a real server as the
// admin: no body may panic or get a 5xx, a body that is not JSON gets a
// 400 (or 413), and every refusal is an {"error": "..."} object. The
// seed corpus is in testdata/fuzz/<target>/ and runs with the normal
// tests.
func fuzzPut(f *testing.F, path string) {
	fx := newFixture(f, fixtureOptions{noContract: true})
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("PUT", path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+adminToken)
		rec := httptest.NewRecorder()
		fx.server.ServeHTTP(rec, req)
		code, out := rec.Code, rec.Body.Bytes()
		switch {
		case code >= 500 || code < 200:
			t.Fatalf("PUT %s %q: %d %s", path, body, code, out)
		case !json.Valid(body) && code != 400 && code != 413:
			t.Fatalf("PUT %s with invalid JSON %q: %d %s", path, body, code, out)
		case !json.Valid(out):
			t.Fatalf("PUT %s %q: the answer is not JSON: %s", path, body, out)
		case code >= 300:
			var e map[string]any
			if err := json.Unmarshal(out, &e); err != nil || len(e) != 1 || e["error"] == "" || e["error"] == nil {
				t.Fatalf("PUT %s %q: refusal is not {\"error\": ...}: %d %s", path, body, code, out)
			}
		}
	})
}

func FuzzPutIncident(f *testing.F)    { fuzzPut(f, "/incidents") }
func FuzzPutMaintenance(f *testing.F) { fuzzPut(f, "/maintenance") }
func FuzzPutComponent(f *testing.F)   { fuzzPut(f, "/components") }
func FuzzPutGroup(f *testing.F)       { fuzzPut(f, "/groups") }
func FuzzPutUser(f *testing.F)        { fuzzPut(f, "/users") }
func FuzzPutSubscriber(f *testing.F)  { fuzzPut(f, "/subscribers") }
func FuzzPutMetric(f *testing.F)      { fuzzPut(f, "/metrics") }
