package notify

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/store"
)

func TestUnsubscribeHandler(t *testing.T) {
	h := newHarness(t, Config{})
	r := newReceiver(t, h.clock, status500)
	sub := h.subscribe("ops", r.URL, "")
	sub.FromConfig = true // config-defined subscribers can leave too
	if err := h.st.PutSubscriber(h.ctx, sub); err != nil {
		t.Fatal(err)
	}
	other := h.subscribe("other", r.URL, "")
	ds := h.enqueue(componentEvents(2)...)
	r.next(t) // one attempt each, then both wait for a retry
	r.next(t)
	h.waitRetries(2)

	srv := httptest.NewServer(h.d.UnsubscribeHandler())
	t.Cleanup(srv.Close)
	link := srv.URL + "/unsubscribe/" + sub.Token

	// GET only asks.
	code, body, hdr := fetch(t, http.MethodGet, link)
	if code != http.StatusOK || !strings.Contains(body, `<form method="post">`) || !strings.Contains(body, "ops") {
		t.Fatalf("GET: %d\n%s", code, body)
	}
	if ct := hdr.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if hdr.Get("Referrer-Policy") != "no-referrer" || hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v: the token must not leak through caches or Referer", hdr)
	}
	if h.subscriber("ops").Disabled {
		t.Fatal("GET unsubscribed")
	}

	// POST unsubscribes and drops what was queued for this subscriber
	// only.
	code, body, _ = fetch(t, http.MethodPost, link)
	if code != http.StatusOK || !strings.Contains(body, "Unsubscribed") {
		t.Fatalf("POST: %d\n%s", code, body)
	}
	if s := h.subscriber("ops"); !s.Disabled || !s.FromConfig {
		t.Errorf("after POST: %+v", s)
	}
	for _, d := range ds {
		want := store.Pending
		if d.Subscriber == "ops" {
			want = store.Dropped
		}
		if got := h.delivery(d.ID).State; got != want {
			t.Errorf("delivery to %s: %s, want %s", d.Subscriber, got, want)
		}
	}
	// The retry goes to the other subscriber only.
	h.waitRetries(1)
	h.clock.Advance(time.Second)
	if x := r.next(t); !strings.Contains(string(x.Body), other.Token) {
		t.Errorf("retry went to the unsubscribed subscriber")
	}
	r.none(t, 50*time.Millisecond)

	// Again: still fine, and GET now says it is done.
	if code, _, _ = fetch(t, http.MethodPost, link); code != http.StatusOK {
		t.Errorf("second POST: %d", code)
	}
	if code, body, _ = fetch(t, http.MethodGet, link); code != http.StatusOK || !strings.Contains(body, "Unsubscribed") {
		t.Errorf("GET after unsubscribing: %d\n%s", code, body)
	}

	for _, m := range []string{http.MethodGet, http.MethodPost} {
		code, body, _ := fetch(t, m, srv.URL+"/unsubscribe/no-such-token")
		if code != http.StatusNotFound || !strings.Contains(body, "Unknown unsubscribe link") {
			t.Errorf("%s unknown token: %d\n%s", m, code, body)
		}
	}
	if code, _, _ := fetch(t, http.MethodPut, link); code != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %d, want 405", code)
	}
	if code, _, _ := fetch(t, http.MethodGet, srv.URL+"/unsubscribe/"); code != http.StatusNotFound {
		t.Errorf("no token: %d, want 404", code)
	}
}

func fetch(t *testing.T, method, url string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}
