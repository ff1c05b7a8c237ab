package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/store"
)

func TestUsers(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	list := f.want(f.do("GET", "/users", adminToken, nil), 200).list(t)
	if len(list) != 3 {
		t.Fatalf("%v", list)
	}
	keys(t, "user", list[0], "id", "name", "email", "role", "created_at", "updated_at", "source")
	if list[0]["source"] != "config" || list[1]["source"] != "api" {
		t.Errorf("%v", list)
	}

	// Created with a token of its own: the answer carries it once.
	r := f.want(f.do("PUT", "/users", adminToken, map[string]any{"id": "bob", "name": "Bob", "role": "editor", "token": "bobs-token-0123456789"}), 201)
	u := r.object(t)
	if u["token"] != "bobs-token-0123456789" || r.header.Get("Cache-Control") != "no-store" || r.header.Get("Location") != "/users/id/bob" {
		t.Errorf("created %v %v", u, r.header)
	}
	f.want(f.do("PUT", "/groups", "bobs-token-0123456789", map[string]any{"name": "By Bob"}), 201)
	u = f.want(f.do("PUT", "/users", adminToken, map[string]any{"id": "bob", "role": "viewer"}), 200).object(t)
	if _, ok := u["token"]; ok || u["role"] != "viewer" || u["name"] != "Bob" {
		t.Errorf("update shows %v", u)
	}
	f.want(f.do("PUT", "/groups", "bobs-token-0123456789", map[string]any{"name": "By Bob"}), 403)

	// Rotation: the old token stops working, the new one is shown once.
	u = f.want(f.do("PUT", "/users", adminToken, map[string]any{"id": "bob", "rotate_token": true}), 200).object(t)
	tok, _ := u["token"].(string)
	if !strings.HasPrefix(tok, "up_") {
		t.Fatalf("rotated %v", u)
	}
	f.want(f.do("GET", "/status", "bobs-token-0123456789", nil), 401)
	f.want(f.do("GET", "/status", tok, nil), 200)

	if l := f.want(f.do("GET", "/users/role/viewer", adminToken, nil), 200).list(t); len(l) != 2 {
		t.Errorf("viewers %v", l)
	}
	f.wantError(f.do("GET", "/users/id/nobody", adminToken, nil), 404, "nobody")
	f.wantError(f.do("GET", "/users/role/owner", adminToken, nil), 400, "owner")
	f.wantError(f.do("GET", "/users/email/x", adminToken, nil), 400, "id or role")

	f.wantError(f.do("PUT", "/users", adminToken, map[string]any{"id": "eve"}), 400, "needs a role")
	f.wantError(f.do("PUT", "/users", adminToken, map[string]any{"id": "eve", "role": "root"}), 400, "root")
	f.wantError(f.do("PUT", "/users", adminToken, map[string]any{"id": "eve", "role": "viewer", "token": "short"}), 400, "16")
	f.wantError(f.do("PUT", "/users", adminToken, map[string]any{"id": "eve", "role": "viewer", "token": editorToken}), 409, "another user")
	f.wantError(f.do("PUT", "/users", adminToken, map[string]any{"id": "eve", "role": "viewer", "email": "not an address"}), 400, "e-mail")
	f.wantError(f.do("PUT", "/users", adminToken, map[string]any{"id": "bob", "token": "bobs-token-0123456789", "rotate_token": true}), 400, "not both")

	// The file owns its users.
	f.wantError(f.do("PUT", "/users", adminToken, map[string]any{"id": "root", "role": "viewer"}), 409, "configuration file")
	f.wantError(f.do("PUT", "/users", adminToken, map[string]any{"id": "root", "rotate_token": true}), 409, "configuration file")
	f.want(f.do("PUT", "/users", adminToken, map[string]any{"id": "root", "name": "Root"}), 200)
	f.wantError(f.do("DELETE", "/users/root", adminToken, nil), 409, "configuration file")

	f.want(f.do("DELETE", "/users/bob", adminToken, nil), 204)
	f.want(f.do("DELETE", "/users/bob", adminToken, nil), 404)
	f.want(f.do("GET", "/status", tok, nil), 401)
}

// TestLastAdmin: the API never leaves itself without an admin.
func TestLastAdmin(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	r := f.want(f.do("PUT", "/users", adminToken, map[string]any{"id": "boss", "role": "admin"}), 201)
	boss := r.object(t)["token"].(string)
	// With root (from the file) gone from the store, boss is the last admin.
	if err := f.store.DeleteUser(context.Background(), "root"); err != nil {
		t.Fatal(err)
	}
	f.wantError(f.do("PUT", "/users", boss, map[string]any{"id": "boss", "role": "editor"}), 409, "last admin")
	f.wantError(f.do("DELETE", "/users/boss", boss, nil), 409, "last admin")
}

func TestSubscribers(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	ctx := context.Background()
	list := f.want(f.do("GET", "/subscribers", adminToken, nil), 200).list(t)
	if len(list) != 1 {
		t.Fatalf("%v", list)
	}
	keys(t, "subscriber", list[0], "id", "url", "events", "components", "has_secret", "disabled", "quarantined",
		"quarantined_at", "failing_since", "created_at", "source")
	r := f.want(f.do("PUT", "/subscribers", adminToken, map[string]any{
		"id": "chat", "url": "https://chat.example/hook?key=k", "secret": "hush", "events": []string{"incident", "component"}, "components": []string{"website"},
	}), 201)
	if strings.Contains(string(r.body), "hush") || r.object(t)["has_secret"] != true {
		t.Errorf("created %s", r.body)
	}
	if f.subsChanged.Load() != 1 {
		t.Errorf("SubscribersChanged called %d times", f.subsChanged.Load())
	}
	subs, _ := f.store.Subscribers(ctx)
	if subs[1].Secret != "hush" || subs[1].Token == "" {
		t.Errorf("stored %+v", subs[1])
	}
	// Absent secret keeps it, "" removes it.
	s := f.want(f.do("PUT", "/subscribers", adminToken, map[string]any{"id": "chat", "events": []string{}}), 200).object(t)
	if s["has_secret"] != true || len(s["events"].([]any)) != 0 {
		t.Errorf("%v", s)
	}
	s = f.want(f.do("PUT", "/subscribers", adminToken, map[string]any{"id": "chat", "secret": ""}), 200).object(t)
	if s["has_secret"] != false {
		t.Errorf("%v", s)
	}
	for _, c := range []struct {
		body map[string]any
		want string
	}{
		{map[string]any{"id": "x"}, "needs a url"},
		{map[string]any{"id": "x", "url": "ftp://files.example"}, "http"},
		{map[string]any{"id": "x", "url": "https://"}, "http"},
		{map[string]any{"id": "x", "url": "https://h.example", "events": []string{"page"}}, "page"},
		{map[string]any{"id": "x", "url": "https://h.example", "components": []string{"nope"}}, "unknown component"},
		{map[string]any{"id": "x", "url": "https://h.example", "token": "abc"}, `unknown field "token"`},
	} {
		f.wantError(f.do("PUT", "/subscribers", adminToken, c.body), 400, c.want)
	}

	// The file owns a configured subscriber; disabling it is the API's.
	f.wantError(f.do("PUT", "/subscribers", adminToken, map[string]any{"id": "ops", "url": "https://other.example"}), 409, "configuration file")
	f.wantError(f.do("PUT", "/subscribers", adminToken, map[string]any{"id": "ops", "secret": "x"}), 409, "configuration file")
	f.wantError(f.do("DELETE", "/subscribers/ops", adminToken, nil), 409, "disabled")
	ops := f.want(f.do("GET", "/subscribers/ops", adminToken, nil), 200).object(t)
	ops["disabled"] = true
	if got := f.want(f.do("PUT", "/subscribers", adminToken, ops), 200).object(t); got["disabled"] != true {
		t.Errorf("%v", got)
	}

	// Resume clears a quarantine through the notifier.
	subs, _ = f.store.Subscribers(ctx)
	q := subs[1]
	q.QuarantinedAt, q.FailingSince = start.Add(-time.Hour), start.Add(-2*time.Hour)
	if err := f.store.PutSubscriber(ctx, q); err != nil {
		t.Fatal(err)
	}
	if got := f.want(f.do("GET", "/subscribers/chat", adminToken, nil), 200).object(t); got["quarantined"] != true {
		t.Fatalf("%v", got)
	}
	if got := f.want(f.do("POST", "/subscribers/chat/resume", adminToken, nil), 200).object(t); got["quarantined"] != false || got["failing_since"] != "" {
		t.Errorf("resumed %v", got)
	}
	f.wantError(f.do("POST", "/subscribers/nope/resume", adminToken, nil), 404, "nope")

	f.want(f.do("DELETE", "/subscribers/chat", adminToken, nil), 204)
	f.wantError(f.do("GET", "/subscribers/chat", adminToken, nil), 404, "chat")
}

func TestDeliveries(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	ctx := context.Background()
	err := f.store.Apply(ctx, nil, []store.Delivery{
		{ID: "dead-1", Subscriber: "ops", Event: "incident", Payload: []byte(`{}`), State: store.Dead, Attempts: 9, LastError: "503", CreatedAt: start},
		{ID: "pending-1", Subscriber: "ops", Event: "component", Payload: []byte(`{}`), CreatedAt: start},
	})
	if err != nil {
		t.Fatal(err)
	}
	dead := f.want(f.do("GET", "/deliveries?state=dead", adminToken, nil), 200).list(t)
	if len(dead) != 1 || dead[0]["id"] != "dead-1" || dead[0]["attempts"] != 9.0 || dead[0]["last_error"] != "503" {
		t.Fatalf("%v", dead)
	}
	if all := f.want(f.do("GET", "/deliveries", adminToken, nil), 200).list(t); len(all) != 2 {
		t.Errorf("%v", all)
	}
	f.want(f.do("POST", "/deliveries/dead-1/replay", adminToken, nil), 204)
	if f.outboxChanged.Load() != 1 {
		t.Error("OutboxChanged not called")
	}
	f.wantError(f.do("POST", "/deliveries/dead-1/replay", adminToken, nil), 409, "not dead")
	f.wantError(f.do("POST", "/deliveries/nope/replay", adminToken, nil), 404, "nope")
	f.wantError(f.do("GET", "/deliveries?state=lost", adminToken, nil), 400, "lost")
}

// TestUserTokenRule: a token sent for a user follows the configuration
// file's rule (auth.CheckToken), with its message.
func TestUserTokenRule(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	for tok, want := range map[string]string{
		"short":                   `{"error":"token: a token needs 16 to 256 characters, this one has 5"}`,
		strings.Repeat("a", 257):  `{"error":"token: a token needs 16 to 256 characters, this one has 257"}`,
		"with a space 0123456789": `{"error":"token: a token is printable ASCII without spaces; character 5 is not"}`,
	} {
		r := f.want(f.do("PUT", "/users", adminToken, map[string]any{"id": "eve", "role": "viewer", "token": tok}), 400)
		if string(r.body) != want+"\n" {
			t.Errorf("got %s, want %s", r.body, want)
		}
	}
	long := strings.Repeat("b", 256)
	f.want(f.do("PUT", "/users", adminToken, map[string]any{"id": "eve", "role": "viewer", "token": long}), 201)
	f.want(f.do("GET", "/status", long, nil), 200)
}
