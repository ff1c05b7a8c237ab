package daemon

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/config"
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

// rotatePush asks r's API for a new token of check id as the admin and
// returns the status code and the token.
func rotatePush(t *testing.T, r *running, id, adminToken string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+r.d.APIAddr()+"/checks/"+id+"/push-token", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out.Token
}

// pushCode reports to r with token and returns the status code.
func pushCode(t *testing.T, r *running, token string) int {
	t.Helper()
	resp, err := http.Post("http://"+r.d.APIAddr()+"/push/"+token, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestPushTokenRotationOutlivesARestart: a token rotated through the API
// of a running up is the one taken after a restart on the same database,
// and the configured one stays refused.
func TestPushTokenRotationOutlivesARestart(t *testing.T) {
	const (
		token = "nightly-push-token-0123456789"
		admin = "push-admin-token-0123456789"
	)
	cfg := daemonConfig(t, t.TempDir(), `      - name: backup
        push: {token: "`+token+`", period: 1h}`, "  - {id: admin, role: admin, token: "+admin+"}")
	r := startDaemon(t, cfg)
	code, rotated := rotatePush(t, r, "web.backup", admin)
	if code != http.StatusOK || rotated == "" {
		t.Fatalf("rotation answered %d %q", code, rotated)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	r = startDaemon(t, cfg)
	if code := pushCode(t, r, token); code != http.StatusNotFound {
		t.Errorf("the configured token after a rotation and a restart: %d, want 404", code)
	}
	if code := pushCode(t, r, rotated); code != http.StatusOK {
		t.Errorf("the rotated token after a restart: %d, want 200", code)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.log.String(), rotated) {
		t.Errorf("the rotated token is in the log:\n%s", r.log.String())
	}
}

// TestPushTokenRotationRefusedInACluster: the instances of a cluster each
// hold the push tokens in memory, so the API refuses a rotation (409)
// that the others would not see, and the configured token keeps working.
func TestPushTokenRotationRefusedInACluster(t *testing.T) {
	const token = "nightly-push-token-0123456789"
	url := pgDatabase(t)
	extra := "users:\n  - {id: admin, role: admin, token: " + clusterToken + "}\ncluster: {region: eu, instance: node-a}\n"
	cfg := pgConfigAt(t, url, closedAddr(t), extra)
	push, err := config.ParseWithEnv([]byte(`components:
  - id: jobs
    checks:
      - {name: backup, push: {token: "`+token+`", period: 1h}}
`), "push.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Components = append(cfg.Components, push.Components...)
	r := startDaemon(t, cfg)
	testenv.Eventually(t, 20*time.Second, "the instance to lead", r.d.sides.Leading)
	if code, _ := rotatePush(t, r, "jobs.backup", clusterToken); code != http.StatusConflict {
		t.Errorf("rotation in a cluster answered %d, want 409", code)
	}
	if code := pushCode(t, r, token); code != http.StatusOK {
		t.Errorf("the configured token after a refused rotation: %d, want 200", code)
	}
}
