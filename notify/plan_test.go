package notify

import (
	"bytes"
	"regexp"
	"testing"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

func TestInterested(t *testing.T) {
	inc := incidentEvent() // affects website
	mnt := maintenanceEvent()
	mnt.Maintenance.Components = []string{"api"}
	web := componentEvent("website", status.Operational, status.MajorOutage)
	noComponents := incidentEvent()
	noComponents.Incident.Components = nil

	cases := []struct {
		name string
		sub  store.Subscriber
		ev   status.Event
		want bool
	}{
		{"no filters", store.Subscriber{}, inc, true},
		{"kind listed", store.Subscriber{Events: []string{"incident"}}, inc, true},
		{"kind not listed", store.Subscriber{Events: []string{"component", "maintenance"}}, inc, false},
		{"component matches", store.Subscriber{Components: []string{"website"}}, web, true},
		{"component differs", store.Subscriber{Components: []string{"api"}}, web, false},
		{"incident affects it", store.Subscriber{Components: []string{"api", "website"}}, inc, true},
		{"incident elsewhere", store.Subscriber{Components: []string{"api"}}, inc, false},
		{"maintenance affects it", store.Subscriber{Components: []string{"api"}}, mnt, true},
		{"maintenance elsewhere", store.Subscriber{Components: []string{"website"}}, mnt, false},
		{"incident of no component, filtered", store.Subscriber{Components: []string{"website"}}, noComponents, false},
		{"incident of no component, unfiltered", store.Subscriber{}, noComponents, true},
		{"both filters", store.Subscriber{Events: []string{"component"}, Components: []string{"website"}}, web, true},
	}
	for _, c := range cases {
		if got := Interested(c.sub, c.ev); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestPlan(t *testing.T) {
	now := t0.Add(time.Hour)
	subs := []store.Subscriber{
		{ID: "all", Token: "tok-all"},
		{ID: "incidents", Token: "tok-inc", Events: []string{"incident"}},
		{ID: "api-only", Token: "tok-api", Components: []string{"api"}},
		{ID: "off", Token: "tok-off", Disabled: true},
		{ID: "held", Token: "tok-held", QuarantinedAt: t0},
	}
	events := []status.Event{
		incidentEvent(),
		{Kind: status.PageChanged, At: t0, Page: testPage, OldPage: status.PageUp},
		componentEvent("website", status.Operational, status.MajorOutage),
	}
	got := testPlanner.Plan(events, subs, now)

	type key struct{ sub, event string }
	var keys []key
	for _, d := range got {
		keys = append(keys, key{d.Subscriber, d.Event})
	}
	want := []key{
		{"all", "incident"}, {"incidents", "incident"}, {"held", "incident"},
		{"all", "component"}, {"held", "component"},
	}
	if len(keys) != len(want) {
		t.Fatalf("deliveries %v, want %v", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("deliveries %v, want %v", keys, want)
		}
	}

	madeID := regexp.MustCompile(`^[a-z2-7]{26}$`) // status.NewID
	seen := map[string]bool{}
	for _, d := range got {
		if !madeID.MatchString(d.ID) || seen[d.ID] {
			t.Errorf("delivery ID %q: not a fresh status.NewID", d.ID)
		}
		seen[d.ID] = true
		if d.State != store.Pending || !d.CreatedAt.Equal(now) || !d.NextAttempt.Equal(now) || d.Attempts != 0 {
			t.Errorf("delivery %+v: want pending, created and due at %v", d, now)
		}
	}

	// The payload is the exact body, with the subscriber's own
	// unsubscribe link.
	wantBody, _ := testPlanner.Payload(events[0], "tok-inc")
	if !bytes.Equal(got[1].Payload, wantBody) {
		t.Errorf("payload of %s:\n%s\nwant\n%s", got[1].Subscriber, got[1].Payload, wantBody)
	}
	if !bytes.Contains(got[1].Payload, []byte(`"unsubscribe":"http://localhost:5010/unsubscribe/tok-inc"`)) {
		t.Errorf("payload lacks the subscriber's unsubscribe link: %s", got[1].Payload)
	}
}

func TestPlanSkipsEventsWithoutObject(t *testing.T) {
	events := []status.Event{{Kind: status.IncidentChanged}, {Kind: status.ComponentChanged}, {Kind: status.MaintenanceChanged}}
	if got := testPlanner.Plan(events, []store.Subscriber{{ID: "a"}}, t0); len(got) != 0 {
		t.Errorf("planned %d deliveries for events without objects", len(got))
	}
}

func TestPlanSkipsNonStatusComponentChanges(t *testing.T) {
	created := componentEvent("new", "", status.Operational)
	renamed := componentEvent("website", status.MajorOutage, status.MajorOutage)
	other := status.Event{Kind: status.EventKind("check"), At: t0, Page: testPage}
	if got := testPlanner.Plan([]status.Event{created, renamed, other}, []store.Subscriber{{ID: "a"}}, t0); len(got) != 0 {
		t.Errorf("planned %d deliveries, want none", len(got))
	}
}
