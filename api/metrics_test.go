package api

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/store"
)

func TestMetrics(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	jsonAccept := header{"Accept": "application/json"}

	// Prometheus text by default.
	r := f.want(f.do("GET", "/metrics", "", nil), 200)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") || !strings.Contains(string(r.body), "uptime_build_info") {
		t.Fatalf("exposition: %v %.200s", r.header, r.body)
	}
	// JSON lists every check's metric, even before it has points.
	list := f.want(f.do("GET", "/metrics", "", nil, jsonAccept), 200).list(t)
	if len(list) != 3 || list[0]["id"] != "website.home" || list[0]["name"] != "home response time" || list[0]["unit"] != "ms" || list[0]["custom"] != false {
		t.Fatalf("metrics %v", list)
	}
	m := f.want(f.do("GET", "/metrics/website.home", "", nil), 200).object(t)
	keys(t, "metric", m, "id", "name", "unit", "custom", "points")
	if len(m["points"].([]any)) != 0 {
		t.Errorf("%v", m)
	}
	// Points the daemon writes show, within the range asked.
	ctx := context.Background()
	if err := f.store.PutMetric(ctx, store.Metric{ID: "website.home", Name: "home response time", Unit: "ms", Points: []store.Point{
		{Time: start.Add(-2 * time.Hour), Value: 10}, {Time: start.Add(-time.Hour), Value: 20}, {Time: start.Add(-48 * time.Hour), Value: 5},
	}}); err != nil {
		t.Fatal(err)
	}
	if m := f.want(f.do("GET", "/metrics/website.home", "", nil), 200).object(t); len(m["points"].([]any)) != 2 {
		t.Errorf("default last 24h: %v", m)
	}
	from := start.Add(-90 * time.Minute).Unix()
	m = f.want(f.do("GET", "/metrics/website.home?from="+strconv.FormatInt(from, 10)+"&to=2026-11-26T12:00:00Z", "", nil), 200).object(t)
	pts := m["points"].([]any)
	if len(pts) != 1 || pts[0].(map[string]any)["timestamp"] != "2026-11-26T11:00:00.000Z" || pts[0].(map[string]any)["value"] != 20.0 {
		t.Errorf("range: %v", m)
	}
	f.wantError(f.do("GET", "/metrics/website.home?from=2026-11-26T12:00:00Z&to=2026-11-25T12:00:00Z", "", nil), 400, "before")
	f.wantError(f.do("GET", "/metrics/website.home?from=soon", "", nil), 400, "from")
	f.wantError(f.do("GET", "/metrics/nope", "", nil), 404, "nope")

	// Custom metrics: created, exported to Prometheus with the newest value.
	r = f.want(f.do("PUT", "/metrics", editorToken, map[string]any{"id": "queue", "name": "Queue depth", "unit": "jobs", "points": []map[string]any{
		{"timestamp": "2026-11-26T11:58:00Z", "value": 7}, {"timestamp": "2026-11-26T11:59:00Z", "value": 9.5},
	}}), 201)
	m = r.object(t)
	if m["custom"] != true || len(m["points"].([]any)) != 2 || r.header.Get("Location") != "/metrics/queue" {
		t.Errorf("%v", m)
	}
	if !strings.Contains(string(f.do("GET", "/metrics", "", nil).body), `uptime_custom_metric{metric="queue"} 9.5`) {
		t.Error("uptime_custom_metric not exported")
	}
	// A backfill of an older point keeps the newest value exported.
	m = f.want(f.do("PUT", "/metrics", editorToken, map[string]any{"id": "queue", "points": []map[string]any{
		{"timestamp": "2026-11-26T10:00:00Z", "value": 1},
	}}), 200).object(t)
	if m["name"] != "Queue depth" || m["unit"] != "jobs" || len(m["points"].([]any)) != 1 {
		t.Errorf("%v", m)
	}
	if !strings.Contains(string(f.do("GET", "/metrics", "", nil).body), `uptime_custom_metric{metric="queue"} 9.5`) {
		t.Error("a backfill replaced the newest value")
	}
	if l := f.want(f.do("GET", "/metrics", "", nil, jsonAccept), 200).list(t); len(l) != 4 {
		t.Errorf("with the custom one: %v", l)
	}
	f.wantError(f.do("PUT", "/metrics", editorToken, map[string]any{"id": "website.home", "points": []any{}}), 409, "response time")
	f.wantError(f.do("PUT", "/metrics", editorToken, map[string]any{"id": "q", "points": []map[string]any{{"value": 1}}}), 400, "timestamp")
	f.wantError(f.do("PUT", "/metrics", editorToken, map[string]any{"id": "q", "points": []map[string]any{{"timestamp": "2026-11-26T10:00:00Z"}}}), 400, "value")
	f.wantError(f.do("PUT", "/metrics", editorToken, `{"id":"q","points":[{"timestamp":"2026-11-26T10:00:00Z","value":1e999}]}`), 400, "value")
	f.wantError(f.do("PUT", "/metrics", editorToken, map[string]any{"points": []any{}}), 400, "id")
	f.wantError(f.do("DELETE", "/metrics/website.home", editorToken, nil), 409, "check")
	f.want(f.do("DELETE", "/metrics/queue", editorToken, nil), 204)
	f.want(f.do("DELETE", "/metrics/queue", editorToken, nil), 404)
	if strings.Contains(string(f.do("GET", "/metrics", "", nil).body), `metric="queue"`) {
		t.Error("a deleted metric is still exported")
	}
}

func TestUptime(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	ctx := context.Background()
	yesterday := start.Add(-24 * time.Hour).Truncate(time.Hour)
	if err := f.store.AddUptime(ctx, []store.UptimeSample{
		{CheckID: "website.home", Hour: yesterday.Add(-2 * time.Hour), Up: 3000 * time.Second, Down: 600 * time.Second},
		{CheckID: "website.ping", Hour: yesterday.Add(-2 * time.Hour), Up: time.Hour},
		{CheckID: "website.home", Hour: start.Add(-time.Hour), Maintenance: 30 * time.Minute},
		{CheckID: "website.home", Hour: start.Add(-10 * 24 * time.Hour), Up: time.Hour}, // outside the range
	}); err != nil {
		t.Fatal(err)
	}
	var u struct {
		From, To   string
		Components []struct {
			ID   string
			Days []map[string]any
		}
	}
	r := f.want(f.do("GET", "/uptime?days=3", "", nil), 200)
	keys(t, "uptime", r.object(t), "from", "to", "components")
	r.decode(t, &u)
	if u.From != "2026-11-24" || u.To != "2026-11-26" || len(u.Components) != 3 {
		t.Fatalf("%+v", u)
	}
	web := u.Components[0]
	if web.ID != "website" || len(web.Days) != 3 {
		t.Fatalf("%+v", web)
	}
	keys(t, "day", web.Days[0], "date", "uptime", "up_seconds", "down_seconds", "maintenance_seconds", "no_data_seconds")
	want := []map[string]any{
		{"date": "2026-11-24", "uptime": nil, "up_seconds": 0.0, "down_seconds": 0.0, "maintenance_seconds": 0.0, "no_data_seconds": 172800.0},
		{"date": "2026-11-25", "uptime": 6600.0 / 7200, "up_seconds": 6600.0, "down_seconds": 600.0, "maintenance_seconds": 0.0, "no_data_seconds": 165600.0},
		{"date": "2026-11-26", "uptime": nil, "up_seconds": 0.0, "down_seconds": 0.0, "maintenance_seconds": 1800.0, "no_data_seconds": 84600.0},
	}
	for i, w := range want {
		for k, v := range w {
			got := web.Days[i][k]
			if g, ok := got.(float64); ok && v != nil && math.Abs(g-v.(float64)) < 1e-9 {
				continue
			}
			if got != v {
				t.Errorf("day %d %s: %v, want %v", i, k, got, v)
			}
		}
	}
	if d := u.Components[2].Days[2]; u.Components[2].ID != "docs" || d["no_data_seconds"] != 0.0 || d["uptime"] != nil {
		t.Errorf("a component without checks: %v", d)
	}
	if l := f.want(f.do("GET", "/uptime", "", nil), 200); len(strings.Split(string(l.body), `"date"`))-1 != 3*90 {
		t.Error("the default is not 90 days")
	}
	one := f.want(f.do("GET", "/uptime?days=1&component=api", "", nil), 200)
	one.decode(t, &u)
	if len(u.Components) != 1 || u.Components[0].ID != "api" || len(u.Components[0].Days) != 1 {
		t.Errorf("%+v", u)
	}
	for _, q := range []string{"days=0", "days=367", "days=x", "days=1.5"} {
		f.wantError(f.do("GET", "/uptime?"+q, "", nil), 400, "days")
	}
	f.wantError(f.do("GET", "/uptime?component=nope", "", nil), 404, "nope")
}
