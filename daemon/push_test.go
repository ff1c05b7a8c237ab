package daemon

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/internal/testenv"
)

// TestPushCheckRunsThroughTheSchedule: a push check of a running up is
// UP while its job reports, DOWN with an incident once period + grace
// pass without a report, and its token reaches no log.
func TestPushCheckRunsThroughTheSchedule(t *testing.T) {
	const token = "nightly-push-token-0123456789"
	cfg := daemonConfig(t, t.TempDir(), `      - name: backup
        push: {token: "`+token+`", period: 1s, grace: 500ms}`, "")
	r := startDaemon(t, cfg)
	push := func(method string) int {
		req, err := http.NewRequest(method, "http://"+r.d.APIAddr()+"/push/"+token, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := push("POST"); code != http.StatusOK {
		t.Fatalf("push answered %d", code)
	}
	testenv.Eventually(t, 5*time.Second, "the push check UP", func() bool {
		return r.checkStates(t)["web.backup"] == "UP"
	})
	// The job stops reporting: after period + grace the check fails and
	// an incident opens for its component.
	testenv.Eventually(t, 10*time.Second, "the push check DOWN with an incident", func() bool {
		if r.checkStates(t)["web.backup"] != "DOWN" {
			return false
		}
		var incs []struct {
			Status     string   `json:"status"`
			Components []string `json:"components"`
		}
		if !r.get(t, "/incidents", &incs) {
			return false
		}
		for _, inc := range incs {
			if inc.Status != "RESOLVED" && len(inc.Components) == 1 && inc.Components[0] == "web" {
				return true
			}
		}
		return false
	})
	if code := push("GET"); code != http.StatusOK {
		t.Fatalf("push answered %d", code)
	}
	testenv.Eventually(t, 5*time.Second, "the push check UP again", func() bool {
		return r.checkStates(t)["web.backup"] == "UP"
	})
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.log.String(), token) {
		t.Errorf("the push token is in the log:\n%s", r.log.String())
	}
}
