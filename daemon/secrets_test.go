package daemon

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/config"
	"github.com/up-status/up/internal/testenv"
)

// A secret given to a check through ${VAR} is never shown: not in metric
// labels, /status, incident bodies, webhooks or logs, whole or as part
// of a longer value, and a URL's user information never either, a proxy
// URL's included.
func TestSecretsOfChecksAreShownNowhere(t *testing.T) {
	const secret = "hunter2-s3cr3t-value"
	var hooks logBuffer
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hooks.Write(append(b, '\n'))
	}))
	defer receiver.Close()
	// A port that refuses: the probe fails, the incident opens.
	dead := testenv.ClosedAddr(t)

	dir := t.TempDir()
	text := fmt.Sprintf(`
page: {url: "http://127.0.0.1"}
listen: {api: "127.0.0.1:0", websocket: "127.0.0.1:0"}
storage: {path: %q}
defaults: {interval: 200ms, timeout: 150ms, failure_threshold: 1, success_threshold: 1}
incidents: {open_at: DEGRADEDPERFORMANCE}
subscribers: [{id: ops, url: %q}]
components:
  - id: api
    name: API
    checks:
      - name: health
        http: {url: "http://monitor:${HOOK_SECRET}@%s/health?api_key=${HOOK_SECRET}&x=1"}
      - name: port
        tcp: {address: "%s", send: "key ${HOOK_SECRET}"}
      - name: proxied
        http: {url: "http://app.example/", proxy_url: "http://monitor:${HOOK_SECRET}@%s"}
`, filepath.Join(dir, "up.db"), receiver.URL, dead, dead, dead)
	cfg, err := config.ParseWithEnv([]byte(text), "secret.yaml", func(name string) (string, bool) {
		return secret, name == "HOOK_SECRET"
	})
	if err != nil {
		t.Fatal(err)
	}
	var logs logBuffer
	d, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()

	base := "http://" + d.APIAddr()
	get := func(path string) string { return body(t, base+path) }
	deadline := time.Now().Add(20 * time.Second)
	// The proxied check fails at its proxy, whose URL holds the secret.
	proxied := "proxy " + dead + ": connection refused"
	for !strings.Contains(hooks.String(), "INVESTIGATING") || !strings.Contains(get("/incidents"), "INVESTIGATING") ||
		!strings.Contains(get("/status"), proxied) {
		if time.Now().After(deadline) {
			t.Fatalf("no incident, webhook and %q within 20s; log:\n%s", proxied, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	shown := map[string]string{
		"/metrics":   get("/metrics"),
		"/status":    get("/status"),
		"/incidents": get("/incidents"),
		"webhooks":   hooks.String(),
		"logs":       logs.String(),
	}
	for where, text := range shown {
		if strings.Contains(text, secret) {
			t.Errorf("%s shows the secret", where)
		}
		if strings.Contains(text, "monitor:") || strings.Contains(text, "monitor@") {
			t.Errorf("%s shows the URL's user information", where)
		}
	}
	if m := shown["/metrics"]; !strings.Contains(m, `target="http://`+dead+`/health?api_key=<secret>&x=1"`) {
		t.Errorf("/metrics does not show the redacted target; probe_success lines:\n%s", grepLines(m, "probe_success{"))
	}
}

// body is what GET url answers; the test ends if it cannot be fetched.
func body(t *testing.T, url string) string {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	res, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func grepLines(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
