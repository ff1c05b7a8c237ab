package cluster_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/up-status/up/internal/testenv"
)

// target is the service the checks probe, on loopback: /health always
// answers 200, /home answers what the test sets, 200 or 500.
type target struct {
	srv  *httptest.Server
	home atomic.Int32
	// hits counts the probes of /home and /health.
	homeHits, healthHits atomic.Int64
}

func newTarget(t *testing.T) *target {
	tg := &target{}
	tg.home.Store(http.StatusOK)
	tg.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/home" {
			tg.homeHits.Add(1)
			w.WriteHeader(int(tg.home.Load()))
			return
		}
		tg.healthHits.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(tg.srv.Close)
	return tg
}

// URL is the target's base URL.
func (tg *target) URL() string { return tg.srv.URL }

// breakHome makes /home fail, as an outage does.
func (tg *target) breakHome() { tg.home.Store(http.StatusInternalServerError) }

// fixHome makes /home pass again.
func (tg *target) fixHome() { tg.home.Store(http.StatusOK) }

// delivery is one POST the receiver got.
type delivery struct {
	subscriber string // the path: /ops or /pager
	id         string // X-Up-Delivery
	event      string // X-Up-Event
	body       []byte
}

// receiver is the subscribers' webhook endpoint, on loopback: it answers
// 200 to every POST and records each one, duplicates included, in the
// order they arrive.
type receiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []delivery
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodPost {
			rc.mu.Lock()
			rc.got = append(rc.got, delivery{
				subscriber: strings.TrimPrefix(r.URL.Path, "/"),
				id:         r.Header.Get("X-Up-Delivery"), event: r.Header.Get("X-Up-Event"), body: b,
			})
			rc.mu.Unlock()
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// URL is the receiver's base URL; each subscriber posts to its own path.
func (rc *receiver) URL() string { return rc.srv.URL }

// webhook is a delivery as the plan of a test names it: the event and
// the status it reports. "component web MAJOROUTAGE" is web's status
// change to MAJOROUTAGE; "incident INVESTIGATING" an incident's
// change to that status.
type webhook string

// payload is the part of a webhook body that summary reads.
type payload struct {
	Incident *struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"incident"`
	ComponentUpdate *struct {
		ComponentID string `json:"component_id"`
		NewStatus   string `json:"new_status"`
	} `json:"component_update"`
}

// summary names d as a plan does, with the incident's id beside it.
func (d delivery) summary() (webhook, string) {
	var p payload
	if err := json.Unmarshal(d.body, &p); err != nil {
		return webhook("unreadable " + d.event + ": " + err.Error()), ""
	}
	switch {
	case d.event == "incident" && p.Incident != nil:
		return webhook("incident " + p.Incident.Status), p.Incident.ID
	case d.event == "component" && p.ComponentUpdate != nil:
		return webhook("component " + p.ComponentUpdate.ComponentID + " " + p.ComponentUpdate.NewStatus), ""
	}
	return webhook(d.event), ""
}

// firsts are subscriber's deliveries by X-Up-Delivery, each at its first
// arrival: what a receiver that drops duplicates sees. It fails if a
// duplicate differs from its first arrival, which would make dropping it
// lose something.
func (rc *receiver) firsts(t *testing.T, subscriber string) []delivery {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	seen := map[string]delivery{}
	var out []delivery
	for _, d := range rc.got {
		if d.subscriber != subscriber {
			continue
		}
		if d.id == "" {
			t.Errorf("a %s webhook to %s without X-Up-Delivery", d.event, subscriber)
		}
		if first, dup := seen[d.id]; dup {
			if first.event != d.event || string(first.body) != string(d.body) {
				t.Errorf("two webhooks to %s share X-Up-Delivery %s but differ:\n%s\n%s", subscriber, d.id, first.body, d.body)
			}
			continue
		}
		seen[d.id] = d
		out = append(out, d)
	}
	return out
}

// awaitPlan waits, bounded by limit, until subscriber has had every
// webhook of plan, and checks that it had them in that order and
// nothing else: a webhook sent again with a new X-Up-Delivery (two
// instances sending the same change) is one too many. Every incident
// webhook must be about one of incidents. Duplicates under one
// X-Up-Delivery are at-least-once delivery, and logged.
func (rc *receiver) awaitPlan(t *testing.T, limit time.Duration, subscriber string, incidents []string, plan ...webhook) {
	t.Helper()
	var got []webhook
	var ids []string
	summarize := func() {
		got, ids = nil, nil
		for _, d := range rc.firsts(t, subscriber) {
			w, id := d.summary()
			got = append(got, w)
			ids = append(ids, id)
		}
	}
	// Wait for at least as many as planned; more is judged below.
	testenv.EventuallyOK(t, limit, fmt.Sprintf("%d webhooks to %s", len(plan), subscriber), func() error {
		summarize()
		if len(got) < len(plan) {
			return fmt.Errorf("%d so far: %v", len(got), got)
		}
		return nil
	})
	if !slices.Equal(got, plan) {
		t.Fatalf("webhooks to %s, duplicates dropped, in order of arrival:\n  %v\nwant:\n  %v", subscriber, got, plan)
	}
	for i, id := range ids {
		if id != "" && !slices.Contains(incidents, id) {
			t.Errorf("webhook %d to %s (%s) is about incident %s, want one of %v", i, subscriber, got[i], id, incidents)
		}
	}
	rc.mu.Lock()
	all := 0
	for _, d := range rc.got {
		if d.subscriber == subscriber {
			all++
		}
	}
	rc.mu.Unlock()
	if all > len(got) {
		t.Logf("%s had %d webhooks, %d of them again under the same X-Up-Delivery", subscriber, all, all-len(got))
	}
}
