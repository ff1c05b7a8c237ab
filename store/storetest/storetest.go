// Package storetest is the contract every store.Store keeps: one suite of
// behavioural tests that the SQLite and the PostgreSQL stores both run,
// so that the daemon sees the same semantics from either. What is
// specific to one implementation (files, locks, connection pools) stays
// in that implementation's own tests.
package storetest

import (
	"testing"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// PageStatusKey is the meta key under which Apply keeps the page status
// of the last PageChanged event. Each store declares it; its tests check
// that it is this one.
const PageStatusKey = "page_status"

// Open gives a test a fresh, empty store; the store is closed when the
// test ends (the open function registers that with t.Cleanup).
type Open func(t *testing.T) store.Store

// tests is the suite, by name.
var tests = []struct {
	name string
	fn   func(t *testing.T, db store.Store)
}{
	{"PersistedFields", testPersistedFields},
	{"TimesMillisecondsUTC", testTimesMillisecondsUTC},
	{"ComponentRoundTrip", testComponentRoundTrip},
	{"GroupRoundTrip", testGroupRoundTrip},
	{"IncidentRoundTrip", testIncidentRoundTrip},
	{"UpdatesNewestFirst", testUpdatesNewestFirst},
	{"MaintenanceRoundTrip", testMaintenanceRoundTrip},
	{"UserRoundTrip", testUserRoundTrip},
	{"SubscriberRoundTrip", testSubscriberRoundTrip},
	{"MetricPointsRange", testMetricPointsRange},
	{"Meta", testMeta},
	{"ApplyAtomic", testApplyAtomic},
	{"ApplyIdempotent", testApplyIdempotent},
	{"ApplyGroupsAndDeletes", testApplyGroupsAndDeletes},
	{"ApplyDeliveryDefaults", testApplyDeliveryDefaults},
	{"IncidentFilters", testIncidentFilters},
	{"IncidentPages", testIncidentPages},
	{"MaintenanceFilters", testMaintenanceFilters},
	{"OutboxOrder", testOutboxOrder},
	{"OutboxHeadOfLine", testOutboxHeadOfLine},
	{"OutboxOrderUnderConcurrentApply", testOutboxOrderUnderConcurrentApply},
	{"DeleteSubscriberDropsBacklog", testDeleteSubscriberDropsBacklog},
	{"UptimeSums", testUptimeSums},
	{"PruneLetsGoOfOldHistoryOnly", testPruneLetsGoOfOldHistoryOnly},
	{"LatestCustomPointsTakesTheNewestOfEachCustomMetric", testLatestCustomPoints},
	{"PutMetricsLastOneWins", testPutMetricsLastOneWins},
	{"ConcurrentUse", testConcurrentUse},
}

// Run runs the whole contract against stores made by open, each test on
// a store of its own.
func Run(t *testing.T, open Open) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// At is a fixed instant plus n milliseconds, in UTC as stores return
// times.
func At(n int64) time.Time {
	return time.Date(2026, 11, 26, 21, 14, 42, 123_000_000, time.UTC).Add(time.Duration(n) * time.Millisecond)
}

// Incident builds an incident with n updates, newest first.
func Incident(id string, created time.Time, n int) status.Incident {
	inc := status.Incident{
		ID:         id,
		Name:       "Website is down",
		Status:     status.Investigating,
		Impact:     status.MajorOutage,
		Components: []string{"website", "api"},
		Auto:       true,
		CreatedAt:  created,
		UpdatedAt:  created.Add(time.Duration(n) * time.Second),
	}
	for i := n - 1; i >= 0; i-- {
		inc.Updates = append(inc.Updates, status.IncidentUpdate{
			ID:         id + "-u" + string(rune('a'+i)),
			IncidentID: id,
			Body:       "update body",
			Status:     status.Investigating,
			CreatedAt:  created.Add(time.Duration(i) * time.Second),
			UpdatedAt:  created.Add(time.Duration(i) * time.Second),
		})
	}
	return inc
}

// IncidentEvent is the event that stores inc.
func IncidentEvent(inc status.Incident) status.Event {
	return status.Event{Kind: status.IncidentChanged, At: inc.UpdatedAt, Incident: &inc,
		Page: status.Page{Status: status.PageHasIssues}}
}

// Delivery is a webhook for subscriber with a small JSON payload.
func Delivery(id, subscriber string) store.Delivery {
	return store.Delivery{ID: id, Subscriber: subscriber, Event: "incident", Payload: []byte(`{"id":"` + id + `"}`)}
}

func ids(ds []store.Delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}
