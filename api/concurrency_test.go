package api

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/up-status/up/status"
)

// TestConcurrentReadsAndWrites hammers the server from several clients
// at once (run with -race): writes serialise through the engine, cached
// bodies follow every change, and nothing fails.
func TestConcurrentReadsAndWrites(t *testing.T) {
	f := newFixture(t, fixtureOptions{noContract: true})
	client := f.http.Client()
	send := func(method, path, token, body string) int {
		req, _ := http.NewRequest(method, f.http.URL+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Error(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 15 {
				body := fmt.Sprintf(`{"id":"c%d-%d","name":"C","group":"web","status":"PARTIALOUTAGE"}`, w, i)
				if code := send("PUT", "/components", editorToken, body); code != 201 {
					t.Errorf("PUT component: %d", code)
				}
				body = fmt.Sprintf(`{"id":"i%d","name":"I","body":"update %d"}`, w, i)
				if code := send("PUT", "/incidents", editorToken, body); code != 200 && code != 201 {
					t.Errorf("PUT incident: %d", code)
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for range 40 {
				for _, p := range []string{"/status", "/components", "/groups", "/incidents"} {
					if code := send("GET", p, "", ""); code != 200 {
						t.Errorf("GET %s: %d", p, code)
					}
				}
			}
		})
	}
	wg.Wait()
	var comps []map[string]any
	f.want(f.do("GET", "/components", "", nil), 200).decode(t, &comps)
	if len(comps) != 3+4*15 {
		t.Errorf("%d components", len(comps))
	}
	var s struct{ Groups []struct{ Status string } }
	f.want(f.do("GET", "/status", "", nil), 200).decode(t, &s)
	if s.Groups[0].Status != string(status.PartialOutage) {
		t.Errorf("the cached status missed a change: %+v", s)
	}
}
