package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/up-status/up/internal/testenv"
)

// TestStatusPageSaysWhenStale drives the page in headless Chromium
// against a hub whose AsOf the test moves, as a cluster's follower moves
// it: the page shows the time its state is current as of, warns when that
// lags the server's time by more than 15 s (the follower lost its
// database), and lets go once the follower reads again, over the live
// feed and, while the feed is cut, over GET /status.
func TestStatusPageSaysWhenStale(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tab := testenv.Chromium(t, ctx, chromedp.WindowSize(1100, 900))

	// lost is when the follower last read its database, in Unix
	// milliseconds; 0 while it reads (as_of is now), -1 before its first
	// read (no as_of yet).
	var lost atomic.Int64
	b := newBackend(t)
	b.asOf = func() time.Time {
		switch ms := lost.Load(); ms {
		case 0:
			return time.Now()
		case -1:
			return time.Time{}
		default:
			return time.UnixMilli(ms)
		}
	}
	b.asOfEvery = 50 * time.Millisecond
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
	const (
		live       = `document.getElementById('connection').dataset.state === 'live'`
		warned     = `!document.getElementById('stale').hidden`
		asOfShown  = `!document.getElementById('as-of').hidden && document.getElementById('updated-line').hidden`
		warning    = `text('#stale') === 'This page may be out of date: the server lost its database at ' + new Intl.DateTimeFormat(undefined, { timeStyle: 'short' }).format(new Date(%d)) + '.'`
		asOfText   = `text('#as-of time') === new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' }).format(new Date(%d))`
		asOfMoving = `/\d:\d\d:\d\d/.test(text('#as-of time'))`
	)

	// 1. Current: the time shows in the footer, and no warning.
	p.wait("the live, current page", 15*time.Second, live+` && `+asOfShown+` && `+asOfMoving+` && !(`+warned+`) &&
		text('#banner .banner-text') === 'All Systems Operational'`)

	// 2. The follower loses its database a minute ago: as_of stands
	// still while the server's time moves on.
	at := time.Now().Add(-time.Minute).UnixMilli()
	lost.Store(at)
	p.wait("the warning", 5*time.Second, warned+` && `+fmt.Sprintf(warning, at)+` && `+fmt.Sprintf(asOfText, at))
	p.check("an alert, beside the live page", `document.getElementById('stale').getAttribute('role') === 'alert' && `+live+` &&
		text('#banner .banner-text') === 'All Systems Operational'`)

	// 3. It reads again: the warning goes.
	lost.Store(0)
	p.wait("the warning gone", 5*time.Second, `!(`+warned+`) && `+asOfShown+` && !(`+fmt.Sprintf(asOfText, at)+`)`)

	// 4. A page opened on a stale follower warns from the start.
	lost.Store(at)
	if err := chromedp.Do(tab, chromedp.Navigate(site.URL+"/")); err != nil {
		t.Fatalf("navigate: %v", err)
	}
	p.helpers = false
	p.wait("the warning on a fresh page", 15*time.Second, warned+` && `+fmt.Sprintf(warning, at))

	// 5. The feed is cut while the follower is stale: the page says it is
	// reconnecting and keeps the warning; it follows GET /status
	// meanwhile, so it lets go when the follower reads again, feed or not.
	b.stopFeed()
	p.wait("reconnecting, still warning", 5*time.Second, `document.getElementById('connection').dataset.state === 'reconnecting' && `+warned)
	lost.Store(0)
	p.wait("the warning gone through GET /status", 20*time.Second, `!(`+warned+`) && `+asOfShown+` &&
		document.getElementById('connection').dataset.state === 'reconnecting'`)

	// 6. Back on the feed, from a follower that has not read its
	// database yet: no time to show, and nothing to warn about; the
	// footer says when the page last changed instead.
	lost.Store(-1)
	b.startFeed(t, b.feedAddr)
	p.wait("no as_of yet", 20*time.Second, live+` && document.getElementById('as-of').hidden && !(`+warned+`) &&
		!document.getElementById('updated-line').hidden`)
}
