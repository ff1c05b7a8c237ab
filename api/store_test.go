package api

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/up-status/up/auth"
	"github.com/up-status/up/store"
	"github.com/up-status/up/store/sqlite"
)

// apiOnly hides every method of the real store but those of api.Store,
// so a server over it proves the API needs no more.
type apiOnly struct{ Store }

func TestServerNeedsOnlyItsStore(t *testing.T) {
	c := &clock{t: start}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "up.db"), sqlite.WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.PutUser(context.Background(), store.User{ID: "root", Role: store.Admin, TokenHash: auth.Hash(adminToken), CreatedAt: start}); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Backend: newBackend(t, db, c, testSpec()), Store: apiOnly{db}, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path, body string
		want               int
	}{
		{"PUT", "/users", `{"id":"bob","role":"viewer"}`, 201},
		{"GET", "/users", "", 200},
		{"PUT", "/subscribers", `{"id":"chat","url":"https://chat.example/hook"}`, 201},
		{"GET", "/incidents", "", 200},
		{"GET", "/maintenance", "", 200},
		{"GET", "/deliveries", "", 200},
		{"GET", "/readyz", "", 200},
	} {
		r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
		r.Header.Set("Authorization", "Bearer "+adminToken)
		if tc.body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, w.Code, w.Body, tc.want)
		}
	}
}

// looseTokens is a store whose token lookup matches anything: it finds
// the admin for every hash, as a store matching a prefix or under a
// loose collation might.
type looseTokens struct {
	Store
	admin store.User
}

func (l looseTokens) UserByTokenHash(context.Context, []byte) (store.User, error) {
	return l.admin, nil
}

// TestTokenMatchedInConstantTimeOnly: whatever the store's lookup finds,
// a token counts only if its hash is equal, both for signing in and for
// the check that no two users share a token.
func TestTokenMatchedInConstantTimeOnly(t *testing.T) {
	c := &clock{t: start}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "up.db"), sqlite.WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	admin := store.User{ID: "root", Role: store.Admin, TokenHash: auth.Hash(adminToken), CreatedAt: start}
	if err := db.PutUser(context.Background(), admin); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Backend: newBackend(t, db, c, testSpec()), Store: looseTokens{db, admin}, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, path, token, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+token)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		return w
	}
	if w := do("GET", "/users", "not-the-admin-token-0123", ""); w.Code != 401 {
		t.Errorf("a token the store matched loosely: %d %s, want 401", w.Code, w.Body)
	}
	if w := do("PUT", "/users", adminToken, `{"id":"bob","role":"viewer","token":"bobs-token-0123456789"}`); w.Code != 201 {
		t.Errorf("a new token the store matched loosely to the admin's: %d %s, want 201", w.Code, w.Body)
	}
	if w := do("PUT", "/users", adminToken, `{"id":"eve","role":"viewer","token":"`+adminToken+`"}`); w.Code != 409 {
		t.Errorf("the admin's own token for another user: %d %s, want 409", w.Code, w.Body)
	}
}
