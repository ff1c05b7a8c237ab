package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/up-status/up/internal/testenv"
	"github.com/up-status/up/pipeline"
	"github.com/up-status/up/probe"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
	"github.com/up-status/up/store/sqlite"
	"github.com/up-status/up/wire"
)

// TestStatusPageInChromium drives the page in headless Chromium against a
// real hub and a real status engine: it renders the components, shows an
// outage and its incident without a reload, says "reconnecting" when the
// WebSocket is cut, and recovers from a fresh snapshot. With
// UP_SCREENSHOT=1 it saves the page during the outage as
// testdata/screenshot.png.
func TestStatusPageInChromium(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tab := testenv.Chromium(t, ctx, chromedp.WindowSize(1100, 900))

	b := newBackend(t)
	site := httptest.NewServer(b.routes())
	defer site.Close()
	b.pageURL = site.URL
	b.startFeed(t, "127.0.0.1:0")
	defer b.stopFeed()

	failOnJSErrors(t, tab)

	p := &pageDriver{t: t, ctx: tab}
	if err := chromedp.Do(tab, chromedp.Navigate(site.URL+"/")); err != nil {
		t.Fatalf("navigate: %v", err)
	}

	// 1. The page renders the groups and components from the snapshot.
	p.wait("the live connection", 15*time.Second, `document.getElementById('connection').dataset.state === 'live'`)
	p.wait("the components", 10*time.Second, `
		badge('website') === 'Operational' && badge('api') === 'Operational' && badge('cdn') === 'Operational' &&
		text('#banner .banner-text') === 'All Systems Operational' &&
		document.getElementById('banner').dataset.level === 'ok'`)
	p.check("groups and order", `JSON.stringify([...document.querySelectorAll('.group h3')].map(h => h.textContent)) ===
		'["Website","Other components"]'`)
	p.check("the upcoming maintenance", `text('#maintenance') .includes('Database upgrade') && text('#maintenance').includes('Scheduled')`)
	p.check("past incidents, newest start first", `JSON.stringify([...document.querySelectorAll('#history details.past .summary-name')].map(e => e.textContent)) ===
		'["Elevated API error rates","CDN cache misses"]'`)
	p.run(`document.getElementById('history-more').click()`)
	p.wait("older incidents from the API, after the page's", 10*time.Second, `
		JSON.stringify([...document.querySelectorAll('#history details.past .summary-name, #history-older details.past .summary-name')].map(e => e.textContent)) ===
		'["Elevated API error rates","CDN cache misses","Old DNS outage"]' &&
		document.getElementById('history-more').hidden`)
	p.wait("90-day uptime bars", 10*time.Second, `
		document.querySelectorAll('[data-component="website"] .day').length === 90 &&
		document.querySelectorAll('[data-component="website"] .day[data-level="none"]').length >= 10 &&
		document.querySelectorAll('[data-component="api"] .day[data-level="partial"]').length === 1`)
	p.wait("response-time charts", 10*time.Second, `document.querySelectorAll('.rt-plot svg path.line').length >= 2`)
	p.check("accessible structure", `
		document.querySelectorAll('header, main, footer').length === 3 &&
		document.querySelectorAll('h1').length === 1 && document.querySelectorAll('h2').length >= 3 &&
		document.getElementById('banner').getAttribute('aria-live') === 'polite' &&
		[...document.querySelectorAll('.badge')].filter(b => !b.hidden).every(b => b.textContent.trim().length > 0) &&
		[...document.querySelectorAll('.uptime-bar')].every(b => b.getAttribute('aria-label') &&
			b.querySelectorAll('[tabindex="0"]').length === 1)`)

	// Keyboard: the bar is one tab stop; arrows move between days and the
	// focused day's details show.
	if err := chromedp.Do(tab,
		chromedp.Focus(chromedp.CSS(`[data-component="api"] .day[tabindex="0"]`)),
		chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.ArrowLeft),
	); err != nil {
		t.Fatal(err)
	}
	p.wait("the day's details on focus", 5*time.Second, `
		document.activeElement.dataset.level === 'partial' &&
		!document.getElementById('tooltip').hidden &&
		text('#tooltip').includes('96.73% uptime') && text('#tooltip').includes('Elevated API error rates') &&
		getComputedStyle(document.activeElement).outlineStyle !== 'none'`)
	p.run(`document.activeElement.blur(); window.__sameDocument = true`)

	// 2. A target breaks: the outage and the new incident appear live.
	for range 2 {
		b.observe("website.home", status.Fail, "status 503, want 200-299")
		b.observe("website.tls", status.Fail, "dial tcp 203.0.113.7:443: connection refused")
	}
	p.wait("the outage", 5*time.Second, `
		badge('website') === 'Major outage' &&
		text('#banner .banner-text') === 'Major System Outage' &&
		document.getElementById('banner').dataset.level === 'major' &&
		!document.getElementById('incidents-section').hidden &&
		text('#incidents').includes('Website major outage') &&
		text('#incidents').includes('website.home is DOWN') &&
		text('#incidents').includes('Investigating')`)
	p.check("no reload", `window.__sameDocument === true`)
	p.check("group status", `text('.group .group-head .badge') === 'Major outage'`)
	p.check("the failing check says why", `text('[data-component="website"] .component-checks').includes('status 503')`)
	p.check("the title", `document.title === 'Major System Outage · ACME Status'`)

	// Phone width: nothing overflows sideways; 30 days of bars show.
	if err := chromedp.Do(tab, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	p.wait("the phone layout", 5*time.Second, `
		document.documentElement.scrollWidth <= window.innerWidth &&
		[...document.querySelectorAll('[data-component="website"] .day')].filter(d => d.getClientRects().length).length === 30`)
	// Dark mode follows the system preference.
	if _, err := chromedp.Call(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
	}); err != nil {
		t.Fatal(err)
	}
	p.wait("dark mode", 5*time.Second, `getComputedStyle(document.body).backgroundColor === 'rgb(13, 17, 23)'`)
	if _, err := chromedp.Call(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}},
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1100, 900)); err != nil {
		t.Fatal(err)
	}
	p.wait("the desktop layout", 5*time.Second, `getComputedStyle(document.body).backgroundColor === 'rgb(246, 248, 250)' &&
		[...document.querySelectorAll('[data-component="website"] .day')].filter(d => d.getClientRects().length).length === 90`)

	if os.Getenv("UP_SCREENSHOT") == "1" {
		p.wait("charts redrawn", 10*time.Second, `document.querySelectorAll('.rt-plot svg path.line').length >= 3`)
		p.run(`window.scrollTo(0, 0)`)
		png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(filepath.Join("testdata", "screenshot.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote testdata/screenshot.png (%d KiB)", len(png)>>10)
	}

	// 3. The WebSocket is cut: the page says so, and while it is down
	// the target recovers.
	b.stopFeed()
	p.wait(`"reconnecting"`, 5*time.Second, `
		document.getElementById('connection').dataset.state === 'reconnecting' &&
		text('#connection') === 'Reconnecting…'`)
	for range 2 {
		b.observe("website.home", status.OK, "")
		b.observe("website.tls", status.OK, "")
	}
	// The feed comes back on the same address, as after a restart; the
	// page resynchronises from its snapshot.
	b.startFeed(t, b.feedAddr)
	p.wait("the reconnection", 20*time.Second, `document.getElementById('connection').dataset.state === 'live'`)
	p.wait("the recovered state", 5*time.Second, `
		badge('website') === 'Operational' &&
		text('#banner .banner-text') === 'All Systems Operational' &&
		text('#incidents').includes('Website major outage') && text('#incidents').includes('Monitoring')`)

	// 4. The new connection is live: the next change shows without a
	// reload.
	b.observe("api.http", status.Fail, "context deadline exceeded")
	b.observe("api.http", status.Fail, "context deadline exceeded")
	p.wait("a change after reconnecting", 5*time.Second, `badge('api') === 'Major outage' && text('#incidents').includes('API major outage')`)
	p.check("no reload", `window.__sameDocument === true`)

	// A FLAKY check whose latest result succeeded says it is flaky, not
	// an error it no longer has.
	for _, o := range []status.Outcome{status.Fail, status.OK, status.Fail, status.OK} {
		errText := ""
		if o == status.Fail {
			errText = "read tcp: connection reset by peer"
		}
		b.observe("cdn.edge", o, errText)
	}
	p.wait("the flaky check", 5*time.Second, `badge('cdn') === 'Partial outage' &&
		text('[data-component="cdn"] .component-checks') === 'edge: flaky'`)

	// 5. A webhook's incident link opens the page at that incident.
	past := b.incident("Elevated API error rates")
	if err := chromedp.Do(tab, chromedp.Navigate(site.URL+"/incidents/"+past.ID)); err != nil {
		t.Fatalf("navigate: %v", err)
	}
	p.helpers = false
	p.wait("the linked incident", 10*time.Second, `
		document.getElementById('connection').dataset.state === 'live' &&
		document.activeElement.matches('details.past.target[open]') &&
		document.activeElement.textContent.includes('Elevated API error rates') &&
		document.activeElement.textContent.includes('rolled back') &&
		badge('api') === 'Major outage'`)
}

// failOnJSErrors fails the test for any uncaught exception or
// console.error on the page, once the test is done.
func failOnJSErrors(t *testing.T, tab context.Context) {
	t.Helper()
	var (
		jsMu     sync.Mutex
		jsErrors []string
	)
	if err := chromedp.Listen(tab, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.ConsoleAPICalledTypeError {
				return
			}
			for _, a := range ev.Args {
				msg += " " + string(a.Value) + a.Description
			}
		default:
			return
		}
		jsMu.Lock()
		jsErrors = append(jsErrors, msg)
		jsMu.Unlock()
	}); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	t.Cleanup(func() {
		jsMu.Lock()
		defer jsMu.Unlock()
		for _, e := range jsErrors {
			t.Errorf("JavaScript error on the page: %s", e)
		}
	})
}

// pageDriver evaluates JavaScript conditions on the page, with helpers
// badge(componentID) and text(selector) defined on first use.
type pageDriver struct {
	t       *testing.T
	ctx     context.Context
	helpers bool
}

const pageHelpers = `
window.text = (sel) => (document.querySelector(sel)?.textContent ?? '').replace(/\s+/g, ' ').trim();
window.badge = (id) => text('[data-component="' + id + '"] .component-head .badge');
`

func (p *pageDriver) eval(expr string) (bool, error) {
	if !p.helpers {
		if err := chromedp.Do(p.ctx, chromedp.Evaluate[chromedp.Void](pageHelpers)); err != nil {
			return false, err
		}
		p.helpers = true
	}
	return chromedp.Run(p.ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
}

func (p *pageDriver) run(expr string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Evaluate[chromedp.Void](expr)); err != nil {
		p.t.Fatalf("%s: %v", expr, err)
	}
}

// wait polls cond until it holds, failing the test after d with what the
// page shows.
func (p *pageDriver) wait(what string, d time.Duration, cond string) {
	p.t.Helper()
	testenv.EventuallyOK(p.t, d, what, func() error {
		ok, err := p.eval(cond)
		if err != nil {
			p.t.Fatalf("waiting for %s: %v", what, err)
		}
		if !ok {
			body, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.body.innerText`))
			return fmt.Errorf("the page shows:\n%s", body)
		}
		return nil
	})
}

func (p *pageDriver) check(what, cond string) {
	p.t.Helper()
	p.wait(what, 0, cond)
}

// backend is up's core behind the page: the real pipeline over a real
// store, fed probe results by the test, publishing to whichever hub
// serves the feed at the moment, and the HTTP routes the page reads.
type backend struct {
	encode  func(*status.Snapshot) ([]byte, error)
	pageURL string
	pipe    *pipeline.Pipeline
	// asOf is the hubs' HubOptions.AsOf and GET /status's as_of; nil is
	// always current. asOfEvery is HubOptions.AsOfInterval.
	asOf      func() time.Time
	asOfEvery time.Duration

	mu       sync.Mutex
	hub      *Hub
	feedAddr string
	stop     func()
}

// noWebhooks plans no deliveries: the page test has no subscribers.
type noWebhooks struct{}

func (noWebhooks) Plan([]status.Event, []store.Subscriber, time.Time) []store.Delivery { return nil }

func newBackend(t *testing.T) *backend {
	ctx := context.Background()
	now := time.Now()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "up.db"))
	if err != nil {
		t.Fatal(err)
	}
	b := &backend{encode: testStatusJSON("ACME Status", "acme", "http://127.0.0.1")}
	ids := 0
	b.pipe, err = pipeline.New(ctx, status.Spec{
		// The pipeline ticks: a recovered component's incident stays
		// MONITORING for the whole test, as with a real resolve_after.
		OpenAt:       status.PartialOutage,
		ResolveAfter: time.Hour,
		Groups:       []status.GroupSpec{{ID: "web", Name: "Website", Description: "The public site and its API"}},
		Components: []status.ComponentSpec{
			{ID: "website", Name: "Website", Group: "web", Checks: []status.CheckSpec{
				{ID: "website.home", FailureThreshold: 2, SuccessThreshold: 1, Interval: 30 * time.Second},
				{ID: "website.tls", FailureThreshold: 2, SuccessThreshold: 1, Interval: 30 * time.Second},
			}},
			{ID: "api", Name: "API", Group: "web", Description: "REST API at api.acme.example", Checks: []status.CheckSpec{
				{ID: "api.http", FailureThreshold: 2, SuccessThreshold: 1, Interval: 30 * time.Second},
			}},
			{ID: "cdn", Name: "CDN", Checks: []status.CheckSpec{{ID: "cdn.edge", FailureThreshold: 2, SuccessThreshold: 1, Interval: 30 * time.Second}}},
		},
		Maintenance: []status.MaintenanceSpec{{
			ID: "db-upgrade", Name: "Database upgrade", Description: "The API may answer slowly for a few minutes.",
			Components: []string{"api"}, Start: now.Add(50 * time.Hour).Truncate(time.Hour), Duration: 2 * time.Hour,
		}},
	}, pipeline.Options{
		Store:     db,
		Planner:   noWebhooks{},
		IDs:       func() string { ids++; return fmt.Sprint(ids) },
		Consumers: []pipeline.Consumer{b},
	})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		b.pipe.Run(runCtx)
	}()
	t.Cleanup(func() {
		stop()
		<-ran
		db.Close()
	})
	// The API's incident lies on the day syntheticUptime shows it down.
	started := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -3).Add(14*time.Hour + 5*time.Minute)
	b.putIncident(t, status.IncidentInput{
		Name: "Elevated API error rates", Impact: status.PartialOutage, Components: []string{"api"},
		Status: status.Resolved, Backfilled: true, CreatedAt: started, ResolvedAt: started.Add(47 * time.Minute),
		Body: "A bad deploy made 30% of API calls fail; it was rolled back.",
	})
	// A longer one that started a day earlier and ended after it: listed
	// below it, since past incidents go by start.
	b.putIncident(t, status.IncidentInput{
		Name: "CDN cache misses", Impact: status.DegradedPerformance, Components: []string{"cdn"},
		Status: status.Resolved, Backfilled: true, CreatedAt: started.Add(-24 * time.Hour), ResolvedAt: started.Add(26 * time.Hour),
		Body: "A purge emptied the cache; it refilled.",
	})
	for _, id := range []string{"website.home", "website.tls", "api.http", "cdn.edge"} {
		b.observe(id, status.OK, "")
	}
	testenv.Eventually(t, 10*time.Second, "every check to be UP", func() bool {
		s := b.pipe.Snapshot()
		return !slices.ContainsFunc(s.Checks, func(c status.CheckStatus) bool { return c.State != status.CheckUp })
	})
	return b
}

func (b *backend) putIncident(t *testing.T, in status.IncidentInput) {
	t.Helper()
	if err := b.pipe.Change(context.Background(), func(e *status.Engine, now time.Time) ([]status.Event, error) {
		_, events, err := e.PutIncident(now, in)
		return events, err
	}); err != nil {
		t.Fatal(err)
	}
}

// observe hands the pipeline one probe result, as the scheduler does.
func (b *backend) observe(check string, o status.Outcome, errText string) {
	b.pipe.Observe(probe.Result{CheckID: check, Success: o != status.Fail, Err: errText, Duration: 80 * time.Millisecond})
}

// Publish passes the pipeline's batches to the hub serving the feed, if
// any: the pipeline's consumer, as the daemon's hub is.
func (b *backend) Publish(events []status.Event, snap *status.Snapshot) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.hub != nil {
		b.hub.Publish(events, snap)
	}
}

// incident returns the incident of that name.
func (b *backend) incident(name string) status.Incident {
	for _, inc := range b.pipe.Snapshot().Incidents {
		if inc.Name == name {
			return inc
		}
	}
	return status.Incident{}
}

// startFeed serves a new hub's /ws on addr, as a daemon's websocket
// listener does.
func (b *backend) startFeed(t *testing.T, addr string) {
	var (
		ln  net.Listener
		err error
	)
	for try := 0; ; try++ { // the port of a stopped feed may take a moment to free
		if ln, err = net.Listen("tcp", addr); err == nil || try == 50 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	b.feedAddr = ln.Addr().String()
	b.mu.Unlock()
	hub, err := NewHub(HubOptions{Snapshot: b.encode, PageID: "acme", PageURL: b.pageURL, AsOf: b.asOf, AsOfInterval: b.asOfEvery})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ws", hub.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("feed: %v", err)
		}
	}()
	go func() {
		defer wg.Done()
		hub.Run(ctx)
	}()
	b.mu.Lock()
	b.hub = hub
	snap := b.pipe.Snapshot() // under mu: no batch falls between it and the hub
	hub.Publish(nil, &snap)
	b.mu.Unlock()
	b.stop = func() {
		b.mu.Lock()
		b.hub = nil
		b.mu.Unlock()
		cancel() // Run closes the hub: every page gets StatusGoingAway
		srv.Close()
		wg.Wait()
	}
}

func (b *backend) stopFeed() {
	if b.stop != nil {
		b.stop()
		b.stop = nil
	}
}

// routes are the API routes the page reads, with synthetic history.
func (b *backend) routes() http.Handler {
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		_, port, _ := net.SplitHostPort(b.feedAddr)
		b.mu.Unlock()
		// The feed is on another port of the same host, as with the
		// default listen.websocket.
		Page(PageOptions{Name: "ACME Status", WebSocketURL: ":" + port}).ServeHTTP(w, r)
	}
	mux.HandleFunc("GET /{$}", page)
	mux.HandleFunc("GET /incidents/{id}", page) // the API hands browsers these links
	mux.Handle("GET /assets/", Page(PageOptions{Name: "ACME Status"}))
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		asOf := time.Now()
		if b.asOf != nil {
			asOf = b.asOf()
		}
		snap := b.pipe.Snapshot()
		body, err := b.encode(&snap)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		// The state and its as_of, as the API answers.
		w.Header().Set("Content-Type", "application/json")
		w.Write(append(bytes.TrimSuffix(body, []byte("}")), wire.StatusAsOfEnd(asOf)...))
	})
	// Older history comes from GET /incidents a page at a time; this
	// stand-in has one incident older than the page's, and no next page.
	mux.HandleFunc("GET /incidents", func(w http.ResponseWriter, r *http.Request) {
		if want := b.incident("CDN cache misses").ID; r.URL.Query().Get("before") != want {
			http.Error(w, "want before="+want, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[{"id":"old-dns","name":"Old DNS outage","status":"RESOLVED","impact":"PARTIALOUTAGE",
			"created_at":"2026-09-01T10:00:00.000Z","resolved_at":"2026-09-01T11:00:00.000Z","components":["api"],
			"incident_updates":[{"id":"u1","incident_id":"old-dns","body":"Resolved.","status":"RESOLVED",
			"created_at":"2026-09-01T11:00:00.000Z","updated_at":"2026-09-01T11:00:00.000Z"}]}]`)
	})
	mux.HandleFunc("GET /uptime", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, syntheticUptime(time.Now()))
	})
	mux.HandleFunc("GET /metrics/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "application/json" {
			http.Error(w, "want Accept: application/json", http.StatusNotAcceptable)
			return
		}
		from, err1 := time.Parse(time.RFC3339, r.URL.Query().Get("from"))
		to, err2 := time.Parse(time.RFC3339, r.URL.Query().Get("to"))
		if err := errors.Join(err1, err2); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, syntheticLatency(r.PathValue("id"), from, to))
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

type uptimeDay struct {
	Date        string   `json:"date"`
	Uptime      *float64 `json:"uptime"`
	Up          float64  `json:"up_seconds"`
	Down        float64  `json:"down_seconds"`
	Maintenance float64  `json:"maintenance_seconds"`
	NoData      float64  `json:"no_data_seconds"`
}

// syntheticUptime is 90 days per component: the first twelve without
// data (the checks did not exist yet), the API's incident three days ago,
// a short blip on the website, today so far.
func syntheticUptime(now time.Time) any {
	today := now.UTC().Truncate(24 * time.Hour)
	type comp struct {
		ID   string      `json:"id"`
		Days []uptimeDay `json:"days"`
	}
	var comps []comp
	for _, id := range []string{"website", "api", "cdn"} {
		c := comp{ID: id}
		for i := 89; i >= 0; i-- {
			day := today.AddDate(0, 0, -i)
			d := uptimeDay{Date: day.Format("2006-01-02")}
			total := 86400.0
			if i == 0 {
				total = now.Sub(today).Seconds()
			}
			switch {
			case i >= 78:
				d.NoData = 86400
			case id == "api" && i == 3:
				d.Down = 47 * 60
			case id == "website" && i == 40:
				d.Down = 6 * 60
			case id == "cdn" && i == 20:
				d.Maintenance = 2 * 3600
			}
			d.Up = total - d.Down - d.Maintenance - d.NoData
			d.NoData += 86400 - total
			if d.Up+d.Down > 0 {
				u := d.Up / (d.Up + d.Down)
				d.Uptime = &u
			}
			c.Days = append(c.Days, d)
		}
		comps = append(comps, c)
	}
	return map[string]any{"from": today.AddDate(0, 0, -89).Format("2006-01-02"), "to": today.Format("2006-01-02"), "components": comps}
}

// syntheticLatency is one point a minute with a daily rhythm, different
// per check.
func syntheticLatency(id string, from, to time.Time) any {
	base := 60.0 + float64(len(id)%5)*25
	type point struct {
		Timestamp string  `json:"timestamp"`
		Value     float64 `json:"value"`
	}
	points := []point{}
	for t := from.Truncate(time.Minute).Add(time.Minute); !t.After(to); t = t.Add(time.Minute) {
		m := float64(t.Unix() / 60)
		v := base + 25*math.Sin(m/180) + 12*math.Sin(m/7.3) + 6*math.Sin(m*1.7)
		if int64(m)%397 == 0 {
			v += 180 // a spike now and then
		}
		points = append(points, point{t.UTC().Format(timeLayout), math.Round(v*10) / 10})
	}
	return map[string]any{"id": id, "name": id + " response time", "unit": "ms", "points": points}
}
