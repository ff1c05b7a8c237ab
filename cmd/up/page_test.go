package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
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
	chromium := testenv.LookPath(t, "chromium", "apt-get install -y chromium")
	dir := t.TempDir()
	addr, wsAddr := freeAddr(t), freeAddr(t)
	target := newSwitchable(t)
	cfgPath := filepath.Join(dir, "config.yaml")
	writeFile(t, cfgPath, fmt.Sprintf(`
page: {id: test, name: Test Status, url: "http://%s"}
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
`, addr, addr, wsAddr, filepath.Join(dir, "up.db"), target.srv.URL))
	p := startUp(t, addr, "run", "--config", cfgPath)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(actx)
	defer cancelTab()
	if err := chromedp.Do(tab, chromedp.Navigate("http://"+addr+"/")); err != nil {
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
		deadline := time.Now().Add(limit)
		for {
			ok, err := chromedp.Run(tab, chromedp.Evaluate[bool](`!!(`+cond+`)`))
			if err != nil {
				t.Fatalf("waiting for %s: %v", what, err)
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("gave up after %v waiting for %s; the page shows:\n%s", limit, what, text())
			}
			time.Sleep(100 * time.Millisecond)
		}
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

	// The daemon dies: the page must say so and come back by itself.
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	wait(`"reconnecting"`, 20*time.Second, state+` === 'reconnecting'`)
	target.broken.Store(false)
	startUp(t, addr, "run", "--config", cfgPath)
	wait("the page to reconnect and resynchronise", 60*time.Second, `window.notReloaded && `+state+` === 'live' &&
		`+site+`.includes('Operational')`)
	if s := text(); !strings.Contains(s, "Site major outage") || !strings.Contains(s, "Monitoring") {
		t.Fatalf("after the restart the page lost the incident, now MONITORING:\n%s", s)
	}
}
