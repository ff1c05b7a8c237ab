package api

import (
	"context"
	"regexp"
	"testing"
)

// The forms of what up makes itself: ids from status.NewID, API tokens
// from auth.NewToken, unsubscribe tokens from auth.NewUnsubscribeToken.
// The config sync's tests hold its subscribers to the same unsubscribe
// form.
var (
	madeID               = regexp.MustCompile(`^[a-z2-7]{26}$`)
	madeToken            = regexp.MustCompile(`^up_[A-Za-z0-9_-]{43}$`)
	madeUnsubscribeToken = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
)

func TestCreatedUserGetsAMadeIDAndToken(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	seen := map[string]bool{}
	for range 3 {
		u := f.want(f.do("PUT", "/users", adminToken, map[string]any{"name": "Anon", "role": "viewer"}), 201).object(t)
		id, _ := u["id"].(string)
		tok, _ := u["token"].(string)
		if !madeID.MatchString(id) || !madeToken.MatchString(tok) {
			t.Fatalf("created user id %q token %q, want %s and %s", id, tok, madeID, madeToken)
		}
		if seen[id] || seen[tok] {
			t.Fatalf("id %q or token made twice", id)
		}
		seen[id], seen[tok] = true, true
		f.want(f.do("GET", "/status", tok, nil), 200)
	}
}

func TestCreatedSubscriberGetsAMadeIDAndUnsubscribeToken(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	created := map[string]bool{}
	for range 3 {
		s := f.want(f.do("PUT", "/subscribers", adminToken, map[string]any{"url": "https://chat.example/hook"}), 201).object(t)
		id, _ := s["id"].(string)
		if !madeID.MatchString(id) || created[id] {
			t.Fatalf("created subscriber id %q, want a fresh %s", id, madeID)
		}
		created[id] = true
	}
	subs, err := f.store.Subscribers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]bool{}
	for _, s := range subs {
		if !created[s.ID] {
			continue
		}
		if !madeUnsubscribeToken.MatchString(s.Token) || tokens[s.Token] {
			t.Errorf("subscriber %s unsubscribe token %q, want a fresh %s", s.ID, s.Token, madeUnsubscribeToken)
		}
		tokens[s.Token] = true
	}
	if len(tokens) != len(created) {
		t.Errorf("%d unsubscribe tokens for %d created subscribers", len(tokens), len(created))
	}
}
