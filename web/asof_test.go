package web

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"
)

type freshness struct {
	AsOf string `json:"as_of"`
	Now  string `json:"now"`
}

func mustFreshness(t *testing.T, m message) freshness {
	t.Helper()
	if m.Type != "as_of" {
		t.Fatalf("got %s %s, want an as_of message", m.Type, m.Data)
	}
	var f freshness
	if err := json.Unmarshal(m.Data, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// The hub tells every client how old its state is: right after the
// snapshot, then periodically, with the value HubOptions.AsOf gives at
// the time and the server's clock beside it.
func TestHubSendsAsOf(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	var asOf atomic.Int64
	asOf.Store(now.Add(-time.Minute).UnixMilli()) // the database was lost a minute ago
	h, url := startHub(t, HubOptions{
		AsOf:         func() time.Time { return time.UnixMilli(asOf.Load()) },
		Now:          func() time.Time { return now },
		AsOfInterval: 20 * time.Millisecond,
	})
	publishSeq(h, 1, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dial(t, ctx, url, "")
	if m := mustRead(t, ctx, c); m.Type != "snapshot" {
		t.Fatalf("first message %s, want snapshot", m.Type)
	}
	m, err := readAny(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if f := mustFreshness(t, m); f != (freshness{AsOf: "2026-11-26T11:59:00.000Z", Now: "2026-11-26T12:00:00.000Z"}) {
		t.Errorf("after the snapshot: %+v", f)
	}

	// Periodically, with what AsOf says at the time: the follower reads
	// again.
	asOf.Store(now.Add(-time.Second).UnixMilli())
	for i := 0; ; i++ {
		m, err := readAny(ctx, c)
		if err != nil {
			t.Fatalf("no as_of message with the new value: %v", err)
		}
		if f := mustFreshness(t, m); f.AsOf == "2026-11-26T11:59:59.000Z" && f.Now == "2026-11-26T12:00:00.000Z" {
			break
		}
		if i > 1000 {
			t.Fatal("the periodic as_of message never took the new value")
		}
	}
	// Changes still come in order between them.
	publishSeq(h, 2, 0)
	if m := mustRead(t, ctx, c); mustSeq(t, m) != 2 {
		t.Errorf("then %s %s, want component 2", m.Type, m.Data)
	}
}

// A single instance is always current: without AsOf, as_of is now.
func TestHubAsOfDefault(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	h, url := startHub(t, HubOptions{Now: func() time.Time { return now }})
	publishSeq(h, 1, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dial(t, ctx, url, "")
	mustRead(t, ctx, c)
	m, err := readAny(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if f := mustFreshness(t, m); f.AsOf != f.Now || f.Now != "2026-11-26T12:00:00.000Z" {
		t.Errorf("as_of message %+v, want as_of = now", f)
	}
}
