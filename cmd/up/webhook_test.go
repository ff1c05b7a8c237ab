package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/up-status/up/internal/testenv"
)

// hook is one webhook as the receiver got it.
type hook struct {
	event, delivery, signature string
	body                       []byte
	payload                    map[string]any
}

// receiver is a webhook endpoint on loopback that can go down (refusing
// connections) and come back on the same address, as the subscriber's
// URL in the config says.
type receiver struct {
	t    *testing.T
	addr string
	mu   sync.Mutex
	got  []hook
	srv  *http.Server
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t, addr: "127.0.0.1:0"}
	r.up()
	t.Cleanup(r.down)
	return r
}

func (r *receiver) up() {
	ln, err := net.Listen("tcp", r.addr)
	if err != nil {
		r.t.Fatalf("receiver cannot listen again on %s: %v", r.addr, err)
	}
	r.addr = ln.Addr().String()
	r.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		h := hook{event: req.Header.Get("X-Up-Event"), delivery: req.Header.Get("X-Up-Delivery"),
			signature: req.Header.Get("X-Up-Signature"), body: body}
		if err := json.Unmarshal(body, &h.payload); err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.got = append(r.got, h)
		r.mu.Unlock()
	})}
	go r.srv.Serve(ln)
}

func (r *receiver) down() {
	if r.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.srv.Shutdown(ctx)
		r.srv = nil
	}
}

func (r *receiver) hooks() []hook {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// has reports whether a webhook of kind with the given status arrived.
func (r *receiver) has(kind, statusKey, status string) bool {
	for _, h := range r.hooks() {
		if h.event != kind {
			continue
		}
		block, _ := h.payload[map[string]string{"incident": "incident", "maintenance": "maintenance", "component": "component_update"}[kind]].(map[string]any)
		if block != nil && block[statusKey] == status {
			return true
		}
	}
	return false
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// TestWebhooksReachASubscriberAcrossAnOutageAndKill9 runs the daemon with
// a real receiver: a target breaks and recovers, a maintenance window runs,
// and each webhook arrives signed and in the documented shape; then the
// receiver goes away, the daemon is SIGKILLed and restarted, the receiver
// comes back, and the webhooks queued meanwhile arrive.
func TestWebhooksReachASubscriberAcrossAnOutageAndKill9(t *testing.T) {
	const secret = "s3cret-for-the-test"
	dir := t.TempDir()
	target := newSwitchable(t)
	rcv := newReceiver(t)
	start := time.Now().Add(3 * time.Second).UTC().Truncate(time.Second)
	cfgPath := filepath.Join(dir, "config.yaml")
	writeFile(t, cfgPath, fmt.Sprintf(`
page: {id: test, name: Test, url: "http://127.0.0.1"}
listen: {api: "127.0.0.1:0", websocket: "127.0.0.1:0"}
storage: {path: %q}
defaults: {interval: 200ms, timeout: 150ms, failure_threshold: 2, success_threshold: 1}
incidents: {open_at: PARTIALOUTAGE, resolve_after: 1s}
components:
  - id: site
    name: Site
    checks:
      - {name: home, http: {url: %q}}
  - id: db
    name: Database
maintenance:
  - {id: upgrade, name: Upgrade, components: [db], start: %s, duration: 2s}
subscribers:
  - {id: hook, url: "http://%s/hook", secret: "${UP_TEST_SECRET}"}
`, filepath.Join(dir, "up.db"), target.srv.URL, start.Format(time.RFC3339), rcv.addr))
	t.Setenv("UP_TEST_SECRET", secret) // inherited by the daemon

	p := startUp(t, "run", "--config", cfgPath)
	testenv.Eventually(t, 20*time.Second, "the site to be OPERATIONAL", func() bool {
		return componentStatus(t, p, "site") == "OPERATIONAL"
	})
	target.broken.Store(true)
	testenv.Eventually(t, 20*time.Second, "component and INVESTIGATING webhooks", func() bool {
		return rcv.has("component", "new_status", "MAJOROUTAGE") && rcv.has("incident", "status", "INVESTIGATING")
	})
	target.broken.Store(false)
	testenv.Eventually(t, 30*time.Second, "MONITORING, RESOLVED and the maintenance webhooks", func() bool {
		return rcv.has("incident", "status", "MONITORING") && rcv.has("incident", "status", "RESOLVED") &&
			rcv.has("component", "new_status", "OPERATIONAL") &&
			rcv.has("maintenance", "status", "INPROGRESS") && rcv.has("maintenance", "status", "COMPLETED")
	})

	wantKeys := map[string][]string{
		"incident":    {"incident", "meta", "page"},
		"maintenance": {"maintenance", "meta", "page"},
		"component":   {"component", "component_update", "meta", "page"},
	}
	seen := map[string]bool{}
	for _, h := range rcv.hooks() {
		if h.signature != sign(secret, h.body) {
			t.Errorf("%s webhook %s: signature %q does not match the body", h.event, h.delivery, h.signature)
		}
		if h.delivery == "" || seen[h.delivery] {
			t.Errorf("%s webhook: X-Up-Delivery %q empty or repeated without a retry", h.event, h.delivery)
		}
		seen[h.delivery] = true
		var keys []string
		for k := range h.payload {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, wantKeys[h.event]) {
			t.Errorf("%s webhook has top-level keys %v, want %v", h.event, keys, wantKeys[h.event])
		}
		meta, _ := h.payload["meta"].(map[string]any)
		if u, _ := meta["unsubscribe"].(string); !strings.HasPrefix(u, "http://127.0.0.1/unsubscribe/") {
			t.Errorf("%s webhook: meta.unsubscribe = %q", h.event, u)
		}
	}

	// The receiver goes away; an outage queues webhooks that cannot go out.
	rcv.down()
	before := len(rcv.hooks())
	target.broken.Store(true)
	testenv.Eventually(t, 20*time.Second, "webhooks to queue up for the missing receiver", func() bool {
		body, _ := get(p.URL("/metrics"))
		return testenv.Series(t, body)[`uptime_webhook_queue_depth{subscriber="hook"}`] >= 2
	})
	var incidentID string
	for _, inc := range incidents(t, p) {
		if inc.Status == "INVESTIGATING" {
			incidentID = inc.ID
		}
	}
	if incidentID == "" {
		t.Fatal("no open incident for the second outage")
	}
	p.Kill()

	startUp(t, "run", "--config", cfgPath)
	rcv.up()
	testenv.Eventually(t, 60*time.Second, "the queued webhooks to arrive after restart", func() bool {
		for _, h := range rcv.hooks()[before:] {
			inc, _ := h.payload["incident"].(map[string]any)
			if h.event == "incident" && inc["id"] == incidentID && inc["status"] == "INVESTIGATING" && h.signature == sign(secret, h.body) {
				return true
			}
		}
		return false
	})
	if !slices.ContainsFunc(rcv.hooks()[before:], func(h hook) bool {
		cu, _ := h.payload["component_update"].(map[string]any)
		return h.event == "component" && cu["new_status"] == "MAJOROUTAGE"
	}) {
		t.Fatal("the component webhook queued before SIGKILL never arrived")
	}
}
