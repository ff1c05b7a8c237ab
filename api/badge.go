package api

import (
	"context"
	"encoding/xml"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/wire"
)

// badge is what one badge says, in the shields.io sense: a grey label
// on the left, a coloured message on the right.
type badge struct {
	label, message, color string
}

// badgeColors are shields.io's named colours as its flat style draws
// them; the JSON endpoint form sends the names, the SVG the values.
var badgeColors = map[string]string{
	"brightgreen": "#4c1",
	"green":       "#97ca00",
	"yellow":      "#dfb317",
	"orange":      "#fe7d37",
	"red":         "#e05d44",
	"blue":        "#007ec6",
	"lightgrey":   "#9f9f9f",
}

// statusBadge is what a component's status badge says.
func statusBadge(c *status.Component) badge {
	b := badge{label: c.Name}
	if b.label == "" {
		b.label = c.ID
	}
	switch c.Status {
	case status.Operational:
		b.message, b.color = "operational", "green"
	case status.DegradedPerformance:
		b.message, b.color = "degraded", "yellow"
	case status.PartialOutage:
		b.message, b.color = "partial outage", "orange"
	case status.MajorOutage:
		b.message, b.color = "major outage", "red"
	case status.UnderMaintenance:
		b.message, b.color = "maintenance", "blue"
	default:
		b.message, b.color = "unknown", "lightgrey"
	}
	return b
}

// uptimeBadge says an uptime ratio as a percentage, coloured by how far
// it is from perfect; ok false means no check was up or down in the
// period.
func uptimeBadge(label string, ratio float64, ok bool) badge {
	b := badge{label: label}
	if !ok {
		b.message, b.color = "no data", "lightgrey"
		return b
	}
	// Floor, not round: 99.996% must not claim 100%.
	pct := math.Floor(ratio*10000) / 100
	b.message = strconv.FormatFloat(pct, 'f', -1, 64) + "%"
	switch {
	case pct >= 99.9:
		b.color = "brightgreen"
	case pct >= 99:
		b.color = "green"
	case pct >= 95:
		b.color = "yellow"
	case pct >= 90:
		b.color = "orange"
	default:
		b.color = "red"
	}
	return b
}

// textWidth estimates the width in pixels of s in 11px Verdana, the font
// the badge names first. Exact metrics would need the font; these
// classes keep the text inside its box within a few pixels.
func textWidth(s string) int {
	w := 0.0
	for _, r := range s {
		switch {
		case strings.ContainsRune("il.,:;!|'`", r):
			w += 3.5
		case strings.ContainsRune("fjrtI()[] ", r):
			w += 4.5
		case strings.ContainsRune("mwMW%", r):
			w += 11
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			w += 7.5
		case r < 0x80:
			w += 6.5
		default:
			w += 8 // wider than most Latin letters, to be safe
		}
	}
	return int(math.Ceil(w))
}

// badgePad is the space on each side of a badge's two texts.
const badgePad = 6

// svg draws the badge in shields.io's flat style. The width follows the
// text, so a page can lay it out before it loads.
func (b badge) svg() []byte {
	lw := textWidth(b.label) + 2*badgePad
	mw := textWidth(b.message) + 2*badgePad
	w := lw + mw
	color := badgeColors[b.color]
	label, message := escapeXML(b.label), escapeXML(b.message)
	title := label + ": " + message
	itoa := strconv.Itoa
	half := func(x int) string { return strconv.FormatFloat(float64(x)/2, 'f', -1, 64) }
	var s strings.Builder
	s.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="` + itoa(w) + `" height="20" role="img" aria-label="` + title + `">`)
	s.WriteString(`<title>` + title + `</title>`)
	s.WriteString(`<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`)
	s.WriteString(`<clipPath id="r"><rect width="` + itoa(w) + `" height="20" rx="3" fill="#fff"/></clipPath>`)
	s.WriteString(`<g clip-path="url(#r)"><rect width="` + itoa(lw) + `" height="20" fill="#555"/>`)
	s.WriteString(`<rect x="` + itoa(lw) + `" width="` + itoa(mw) + `" height="20" fill="` + color + `"/>`)
	s.WriteString(`<rect width="` + itoa(w) + `" height="20" fill="url(#s)"/></g>`)
	s.WriteString(`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`)
	for _, t := range []struct{ x, text string }{{half(lw), label}, {half(2*lw + mw), message}} {
		s.WriteString(`<text x="` + t.x + `" y="15" fill="#010101" fill-opacity=".3">` + t.text + `</text>`)
		s.WriteString(`<text x="` + t.x + `" y="14">` + t.text + `</text>`)
	}
	s.WriteString(`</g></svg>`)
	return []byte(s.String())
}

// escapeXML escapes text for an XML attribute or element.
func escapeXML(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return b.String()
}

// endpointBadge is shields.io's endpoint format: a shields.io badge URL
// can point at it and draw the badge in any of its styles.
type endpointBadge struct {
	SchemaVersion int    `json:"schemaVersion"`
	Label         string `json:"label"`
	Message       string `json:"message"`
	Color         string `json:"color"`
}

// serveBadge sends a badge body. Badges are embedded in READMEs and
// dashboards that reload often: they may be cached for a minute, and a
// client that has the current one gets 304.
func serveBadge(w http.ResponseWriter, r *http.Request, contentType string, body []byte) error {
	etag := etagOf(body, "")
	h := w.Header()
	h.Set("Cache-Control", "max-age=60")
	h.Set("ETag", etag)
	if noneMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
	return nil
}

func (b badge) serve(w http.ResponseWriter, r *http.Request, format string) error {
	if format == "json" {
		body, err := wire.Marshal(endpointBadge{SchemaVersion: 1, Label: b.label, Message: b.message, Color: b.color})
		if err != nil {
			return err
		}
		return serveBadge(w, r, "application/json", append(body, '\n'))
	}
	return serveBadge(w, r, "image/svg+xml", b.svg())
}

// badgeComponent finds the component a badge is about.
func (s *Server) badgeComponent(id string) (*status.Component, error) {
	if err := checkID("component", id); err != nil {
		return nil, err
	}
	snap := s.backend.Snapshot()
	for i := range snap.Components {
		if snap.Components[i].ID == id {
			return &snap.Components[i], nil
		}
	}
	return nil, notFoundf("no component %q", id)
}

// getBadge answers GET /badge/{file}: <component>.svg or
// <component>.json, the component's status.
func (s *Server) getBadge(w http.ResponseWriter, r *http.Request) error {
	file := r.PathValue("file")
	var id, format string
	for _, f := range []string{"svg", "json"} {
		if base, ok := strings.CutSuffix(file, "."+f); ok {
			id, format = base, f
		}
	}
	if format == "" {
		return notFoundf("no badge %q: ask for <component>.svg or <component>.json", clip(file))
	}
	c, err := s.badgeComponent(id)
	if err != nil {
		return err
	}
	return statusBadge(c).serve(w, r, format)
}

// getUptimeBadge answers GET /badge/{id}/uptime.svg?days=N: the
// component's uptime over the last N UTC days, today included, from the
// same hours GET /uptime sums.
func (s *Server) getUptimeBadge(w http.ResponseWriter, r *http.Request) error {
	days, err := queryInt(r, "days", 30, 1, 90)
	if err != nil {
		return err
	}
	c, err := s.badgeComponent(r.PathValue("id"))
	if err != nil {
		return err
	}
	now := s.now().UTC()
	to := now.Truncate(day).Add(day)
	from := to.Add(-time.Duration(days) * day)
	up, down, err := s.upDown(r.Context(), c, from, to)
	if err != nil {
		return err
	}
	ratio, ok := 0.0, up+down > 0
	if ok {
		ratio = float64(up) / float64(up+down)
	}
	return uptimeBadge("uptime "+strconv.Itoa(days)+"d", ratio, ok).serve(w, r, "svg")
}

// upDown sums the time the component's checks spent up and down from
// from to to.
func (s *Server) upDown(ctx context.Context, c *status.Component, from, to time.Time) (up, down time.Duration, err error) {
	for _, check := range c.Checks {
		hours, err := s.store.Uptime(ctx, check, from, to)
		if err != nil {
			return 0, 0, err
		}
		for _, h := range hours {
			up += h.Up
			down += h.Down
		}
	}
	return up, down, nil
}
