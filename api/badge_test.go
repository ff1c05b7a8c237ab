package api

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"image"
	"image/png"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/up-status/up/internal/testenv"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// svgDoc is what a badge test reads back from the SVG.
type svgDoc struct {
	XMLName xml.Name `xml:"svg"`
	Width   int      `xml:"width,attr"`
	Height  int      `xml:"height,attr"`
	Title   string   `xml:"title"`
	Texts   []string `xml:"g>text"`
}

// parseSVG fails the test unless body is well-formed XML with an svg
// root, and returns it.
func parseSVG(t *testing.T, body []byte) svgDoc {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		if _, err := d.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("badge is not well-formed XML: %v\n%s", err, body)
		}
	}
	var doc svgDoc
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("badge: %v", err)
	}
	if doc.Width <= 0 || doc.Height != 20 {
		t.Errorf("badge size %dx%d", doc.Width, doc.Height)
	}
	return doc
}

func TestStatusBadge(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	r := f.want(f.do("GET", "/badge/website.svg", "", nil), 200)
	if ct := r.header.Get("Content-Type"); ct != "image/svg+xml" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := r.header.Get("Cache-Control"); cc != "max-age=60" {
		t.Errorf("Cache-Control %q", cc)
	}
	doc := parseSVG(t, r.body)
	if doc.Title != "Website: operational" || !strings.Contains(strings.Join(doc.Texts, "|"), "operational") {
		t.Errorf("badge says %q %q", doc.Title, doc.Texts)
	}
	if !strings.Contains(string(r.body), badgeColors["green"]) {
		t.Error("an operational badge is not green")
	}

	// The client's copy is current: 304 without a body.
	etag := r.header.Get("ETag")
	nm := f.want(f.do("GET", "/badge/website.svg", "", nil, header{"If-None-Match": etag}), 304)
	if len(nm.body) != 0 {
		t.Errorf("304 with a body %q", nm.body)
	}

	// The status moves: the badge, its ETag and the JSON form follow.
	f.backend.observe(t, "api.http", status.Fail, 3)
	j := f.want(f.do("GET", "/badge/api.json", "", nil), 200)
	var e map[string]any
	j.decode(t, &e)
	want := map[string]any{"schemaVersion": 1.0, "label": "API", "message": "major outage", "color": "red"}
	if len(e) != len(want) {
		t.Errorf("endpoint badge %v, want %v", e, want)
	}
	for k, v := range want {
		if e[k] != v {
			t.Errorf("endpoint badge %s = %v, want %v", k, e[k], v)
		}
	}
	red := f.want(f.do("GET", "/badge/api.svg", "", nil), 200)
	if doc := parseSVG(t, red.body); doc.Title != "API: major outage" {
		t.Errorf("badge says %q", doc.Title)
	}
	apiOK := f.want(f.do("GET", "/badge/website.svg", "", nil, header{"If-None-Match": red.header.Get("ETag")}), 200)
	if apiOK.header.Get("ETag") == red.header.Get("ETag") {
		t.Error("two different badges share an ETag")
	}

	// Names are text, escaped; a longer text makes a wider badge.
	f.want(f.do("PUT", "/components", editorToken, map[string]any{"id": "rnd", "name": `R&D <"lab"> and a much longer name`}), 201)
	long := parseSVG(t, f.want(f.do("GET", "/badge/rnd.svg", "", nil), 200).body)
	if long.Title != `R&D <"lab"> and a much longer name: operational` {
		t.Errorf("escaped name reads back as %q", long.Title)
	}
	if long.Width <= doc.Width+100 {
		t.Errorf("a name 30 characters longer makes the badge %d px, the short one %d", long.Width, doc.Width)
	}

	f.wantError(f.do("GET", "/badge/nope.svg", "", nil), 404, "nope")
	f.wantError(f.do("GET", "/badge/website.png", "", nil), 404, ".svg")
	f.wantError(f.do("GET", "/badge/we%20b.svg", "", nil), 400, "component")
}

func TestUptimeBadge(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	none := parseSVG(t, f.want(f.do("GET", "/badge/api/uptime.svg", "", nil), 200).body)
	if none.Title != "uptime 30d: no data" {
		t.Errorf("badge without data says %q", none.Title)
	}
	ctx := context.Background()
	if err := f.store.AddUptime(ctx, []store.UptimeSample{
		{CheckID: "website.home", Hour: start.Add(-48 * time.Hour), Up: 3000 * time.Second, Down: 600 * time.Second},
		{CheckID: "website.ping", Hour: start.Add(-48 * time.Hour), Up: time.Hour},
		{CheckID: "website.home", Hour: start.Add(-20 * 24 * time.Hour), Down: time.Hour}, // outside 7 days
	}); err != nil {
		t.Fatal(err)
	}
	// 6600 s up of 7200 s: 91.66…%, floored to 91.66%.
	week := parseSVG(t, f.want(f.do("GET", "/badge/website/uptime.svg?days=7", "", nil), 200).body)
	if week.Title != "uptime 7d: 91.66%" {
		t.Errorf("7-day badge says %q", week.Title)
	}
	month := parseSVG(t, f.want(f.do("GET", "/badge/website/uptime.svg", "", nil), 200).body)
	if month.Title != "uptime 30d: 61.11%" { // 6600 of 10800
		t.Errorf("30-day badge says %q", month.Title)
	}
	for _, q := range []string{"0", "91", "x"} {
		f.wantError(f.do("GET", "/badge/website/uptime.svg?days="+q, "", nil), 400, "days")
	}
	f.wantError(f.do("GET", "/badge/nope/uptime.svg", "", nil), 404, "nope")
}

// TestBadgesPublic: badges.public opens the badges, and only them, when
// the API is not public.
func TestBadgesPublic(t *testing.T) {
	closed := newFixture(t, fixtureOptions{private: true})
	closed.want(closed.do("GET", "/badge/website.svg", "", nil), 401)
	closed.want(closed.do("GET", "/badge/website.svg", viewerToken, nil), 200)

	open := newFixture(t, fixtureOptions{private: true, publicBadges: true})
	open.want(open.do("GET", "/badge/website.svg", "", nil), 200)
	open.want(open.do("GET", "/badge/website.json", "", nil), 200)
	open.want(open.do("GET", "/badge/website/uptime.svg", "", nil), 200)
	open.want(open.do("GET", "/status", "", nil), 401)
	open.want(open.do("GET", "/badge/website.svg", "wrong-token-0123456789", nil), 401)
}

// TestBadgeInChromium renders a badge in headless Chromium: it draws,
// and as wide as it says.
func TestBadgeInChromium(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	r := f.want(f.do("GET", "/badge/website.svg", "", nil), 200)
	doc := parseSVG(t, r.body)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tab := testenv.Chromium(t, ctx, chromedp.WindowSize(400, 100))
	if err := chromedp.Do(tab, chromedp.Navigate(f.http.URL+"/badge/website.svg")); err != nil {
		t.Fatalf("opening the badge: %v", err)
	}
	shot, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("rendering the badge: %v", err)
	}
	// The message as Chromium lays it out must fit its box.
	textWidth, err := chromedp.Run(tab, chromedp.Evaluate[float64](`document.querySelectorAll('text')[3].getComputedTextLength()`))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	// The badge is drawn at the top left of a white page: the painted
	// box is its size.
	var b image.Rectangle
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			if cr, cg, cb, _ := img.At(x, y).RGBA(); cr>>8 < 0xf0 || cg>>8 < 0xf0 || cb>>8 < 0xf0 {
				b = b.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	if d := b.Dx() - doc.Width; d < -2 || d > 2 {
		t.Errorf("painted %d px wide, the SVG says %d", b.Dx(), doc.Width)
	}
	if d := b.Dy() - doc.Height; d < -2 || d > 2 {
		t.Errorf("painted %d px high, the SVG says %d", b.Dy(), doc.Height)
	}
	// The label's grey (#555) and the message's green must both show.
	grey, green := false, false
	for x := b.Min.X; x < b.Max.X; x++ {
		cr, cg, cb, _ := img.At(x, b.Min.Y+3).RGBA()
		r8, g8, b8 := cr>>8, cg>>8, cb>>8
		grey = grey || (r8 > 0x40 && r8 < 0x70 && g8 > 0x40 && g8 < 0x70 && b8 > 0x40 && b8 < 0x70)
		green = green || (g8 > 0xa0 && r8 < 0xb0 && b8 < 0x40)
	}
	if !grey || !green {
		t.Errorf("the screenshot lacks the badge's colours (grey %v, green %v)", grey, green)
	}
	messageBox := doc.Width - (labelWidth(t, r.body))
	if textWidth > float64(messageBox) {
		t.Errorf("the message is %.1f px wide in Chromium, its box %d px", textWidth, messageBox)
	}
}

// TestBadgeTextsFitInChromium renders badges of every kind, with wide,
// narrow and escaped text, and holds each text, as Chromium lays it out,
// to the box the server drew for it and to the words the server meant.
func TestBadgeTextsFitInChromium(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	f.want(f.do("PUT", "/components", editorToken, map[string]any{"id": "wide", "name": "WWW Mammoth Warehouse & <Co>"}), 201)
	f.want(f.do("PUT", "/components", editorToken, map[string]any{"id": "narrow", "name": "il1 fjrt (lit) [i]"}), 201)
	f.want(f.do("PUT", "/components", editorToken, map[string]any{"id": "digits", "name": "API 2048 / QA 9000 %"}), 201)
	f.backend.observe(t, "api.http", status.Fail, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tab := testenv.Chromium(t, ctx, chromedp.WindowSize(800, 100))
	for _, tc := range []struct{ path, label, message string }{
		{"/badge/website.svg", "Website", "operational"},
		{"/badge/api.svg", "API", "major outage"},
		{"/badge/wide.svg", "WWW Mammoth Warehouse & <Co>", "operational"},
		{"/badge/narrow.svg", "il1 fjrt (lit) [i]", "operational"},
		{"/badge/digits.svg", "API 2048 / QA 9000 %", "operational"},
		{"/badge/website/uptime.svg?days=30", "uptime 30d", "no data"},
	} {
		body := f.want(f.do("GET", tc.path, "", nil), 200).body
		doc := parseSVG(t, body)
		lw := labelWidth(t, body)
		if err := chromedp.Do(tab, chromedp.Navigate(f.http.URL+tc.path)); err != nil {
			t.Fatalf("opening %s: %v", tc.path, err)
		}
		// The second and fourth texts are drawn; the others are their
		// shadows.
		got, err := chromedp.Run(tab, chromedp.Evaluate[string](`JSON.stringify([...document.querySelectorAll('text')].map(e => [e.textContent, e.getComputedTextLength()]))`))
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		var texts [][2]any
		if err := json.Unmarshal([]byte(got), &texts); err != nil || len(texts) != 4 {
			t.Fatalf("%s: texts %s (%v)", tc.path, got, err)
		}
		for i, want := range []struct {
			text string
			box  int
		}{{tc.label, lw}, {tc.message, doc.Width - lw}} {
			text, _ := texts[2*i+1][0].(string)
			width, _ := texts[2*i+1][1].(float64)
			t.Logf("%s: %q %.1f px in a box of %d", tc.path, text, width, want.box)
			if text != want.text {
				t.Errorf("%s: Chromium reads %q, want %q", tc.path, text, want.text)
			}
			// The text must stay off the box's edges: half the padding
			// on either side is the least that still looks drawn on purpose.
			if room := float64(want.box - badgePad); width > room {
				t.Errorf("%s: %q is %.1f px wide in Chromium, its box %d px leaves it %.0f", tc.path, text, width, want.box, room)
			}
			// Nor may the box be much wider than the text: a badge with
			// a gap reads as broken.
			if full := float64(want.box - 2*badgePad); width < 0.75*full {
				t.Errorf("%s: %q is %.1f px wide in Chromium, in a box of %d px", tc.path, text, width, want.box)
			}
		}
	}
}

// labelWidth is the width of the label box: the x of the message's rect.
func labelWidth(t *testing.T, body []byte) int {
	t.Helper()
	_, rest, ok := strings.Cut(string(body), `<rect x="`)
	if !ok {
		t.Fatal("no message rect")
	}
	n, err := strconv.Atoi(rest[:strings.IndexByte(rest, '"')])
	if err != nil {
		t.Fatal(err)
	}
	return n
}
