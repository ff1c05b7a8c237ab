package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/up-status/up/internal/testenv"
)

// TestStatusPageFollowsTheRealDaemon opens the status page of the real
// daemon in headless Chromium: a loopback target breaks and the page shows
// the outage and its incident without a reload; the daemon is killed and
// started again, the page says it is reconnecting and then recovers; the
// target is repaired and the page follows.
func TestStatusPageFollowsTheRealDaemon(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tab := testenv.Chromium(t, ctx)
	dir := t.TempDir()
	target := newSwitchable(t)
	cfgPath := filepath.Join(dir, "config.yaml")
	config := func(api, ws string) {
		writeFile(t, cfgPath, fmt.Sprintf(`
page: {id: test, name: Test Status, url: "http://127.0.0.1"}
listen: {api: %q, websocket: %q}
storage: {path: %q}
defaults: {interval: 250ms, timeout: 200ms, failure_threshold: 2, success_threshold: 1}
incidents: {open_at: PARTIALOUTAGE, resolve_after: 1h}
groups: [{id: web, name: Web}]
components:
  - id: site
    name: Site
    group: web
    checks:
      - {name: home, http: {url: %q}}
`, api, ws, filepath.Join(dir, "up.db"), target.srv.URL))
	}
	config("127.0.0.1:0", "127.0.0.1:0")
	p := startUp(t, "run", "--config", cfgPath)
	if p.WebSocket == "" {
		t.Fatal("up did not log its separate WebSocket listener")
	}

	if err := chromedp.Do(tab, chromedp.Navigate(p.URL("/"))); err != nil {
		t.Fatalf("opening the page: %v", err)
	}
	// Marks the document: it survives only if the page never reloads.
	if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	text := func() string {
		s, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.body.innerText`))
		return s
	}
	wait := func(what string, limit time.Duration, cond string) {
		t.Helper()
		testenv.EventuallyOK(t, limit, what, func() error {
			ok, err := chromedp.Run(tab, chromedp.Evaluate[bool](`!!(`+cond+`)`))
			if err != nil {
				t.Fatalf("waiting for %s: %v", what, err)
			}
			if !ok {
				return fmt.Errorf("the page shows:\n%s", text())
			}
			return nil
		})
	}
	const state = `document.getElementById('connection').dataset.state`
	const site = `(document.querySelector('[data-component="site"]')?.innerText ?? '')`
	wait("the live feed from the separate WebSocket listener", 20*time.Second, state+` === 'live'`)
	wait("the component to show as operational", 20*time.Second, site+`.includes('Operational')`)

	target.broken.Store(true)
	wait("the outage and its incident, without a reload", 20*time.Second, `window.notReloaded &&
		`+site+`.includes('Major outage') &&
		document.body.innerText.includes('Site major outage') &&
		document.body.innerText.includes('site.home is DOWN')`)

	// The daemon dies: the page must say so and come back by itself, to
	// the addresses it knows. They were free a moment ago: the restart
	// binds them again.
	p.Kill()
	wait(`"reconnecting"`, 20*time.Second, state+` === 'reconnecting'`)
	target.broken.Store(false)
	config(p.API, p.WebSocket)
	startUp(t, "run", "--config", cfgPath)
	wait("the page to reconnect and resynchronise", 60*time.Second, `window.notReloaded && `+state+` === 'live' &&
		`+site+`.includes('Operational')`)
	if s := text(); !strings.Contains(s, "Site major outage") || !strings.Contains(s, "Monitoring") {
		t.Fatalf("after the restart the page lost the incident, now MONITORING:\n%s", s)
	}
}
