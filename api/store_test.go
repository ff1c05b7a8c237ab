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
