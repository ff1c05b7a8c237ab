package daemon

import (
	"bytes"
	"context"
	"crypto/sha256"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/up-status/up/config"
	"github.com/up-status/up/store/sqlite"
)

func parse(t *testing.T, text string) *config.Config {
	t.Helper()
	cfg, err := config.ParseWithEnv([]byte(text), "test.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestSyncSubscribersKeepsWhatHappenedAtRunTime(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "up.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

	first := parse(t, `subscribers:
  - {id: ops, url: "http://127.0.0.1:9/a", secret: s1}
  - {id: gone, url: "http://127.0.0.1:9/b"}
`)
	if err := syncSubscribers(ctx, st, first, now); err != nil {
		t.Fatal(err)
	}
	subs, _ := st.Subscribers(ctx)
	if len(subs) != 2 {
		t.Fatalf("%d subscribers stored, want 2", len(subs))
	}
	var ops = subs[0]
	if ops.ID != "ops" {
		ops = subs[1]
	}
	if ops.Token == "" || !ops.FromConfig || ops.Secret != "s1" {
		t.Fatalf("stored subscriber %+v", ops)
	}
	// The subscriber unsubscribes through its link while up runs.
	ops.Disabled = true
	if err := st.PutSubscriber(ctx, ops); err != nil {
		t.Fatal(err)
	}

	second := parse(t, `subscribers:
  - {id: ops, url: "http://127.0.0.1:9/new", secret: s2}
`)
	if err := syncSubscribers(ctx, st, second, now); err != nil {
		t.Fatal(err)
	}
	subs, _ = st.Subscribers(ctx)
	if len(subs) != 1 {
		t.Fatalf("subscribers after reload: %+v; the one removed from the file must go", subs)
	}
	got := subs[0]
	if got.URL != "http://127.0.0.1:9/new" || got.Secret != "s2" {
		t.Errorf("the file's url and secret did not win: %+v", got)
	}
	if !got.Disabled || got.Token != ops.Token {
		t.Errorf("a reload undid the unsubscribe or changed the link: %+v", got)
	}
}

func TestSyncUsersKeepsOnlyTheTokenHash(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "up.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := parse(t, `users:
  - {id: admin, role: admin, token: tok-123-for-this-test}
`)
	if err := syncUsers(ctx, st, cfg, time.Now()); err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256([]byte("tok-123-for-this-test"))
	u, err := st.UserByTokenHash(ctx, h[:])
	if err != nil {
		t.Fatalf("user not found by the hash of its token: %v", err)
	}
	if u.ID != "admin" || u.Role != "admin" || !u.FromConfig || bytes.Contains(u.TokenHash, []byte("tok-123-for-this-test")) {
		t.Fatalf("stored user %+v", u)
	}
	if err := syncUsers(ctx, st, parse(t, ""), time.Now()); err != nil {
		t.Fatal(err)
	}
	if us, _ := st.Users(ctx); len(us) != 0 {
		t.Fatalf("a user removed from the file remains: %+v", us)
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
