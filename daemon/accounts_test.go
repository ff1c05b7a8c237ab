package daemon

import (
	"context"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/up-status/up/store/sqlite"
)

// TestSyncSubscribersMakesUnsubscribeTokensLikeTheAPI: a subscriber from
// the file gets a link token of the one form auth.NewUnsubscribeToken
// makes, the form the API's tests hold its subscribers to.
func TestSyncSubscribersMakesUnsubscribeTokensLikeTheAPI(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "up.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := parse(t, `subscribers:
  - {id: a, url: "http://127.0.0.1:9/a"}
  - {id: b, url: "http://127.0.0.1:9/b"}
  - {id: c, url: "http://127.0.0.1:9/c"}
`)
	if err := syncSubscribers(ctx, st, cfg, time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	subs, err := st.Subscribers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	form := regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	seen := map[string]bool{}
	for _, s := range subs {
		if !form.MatchString(s.Token) || seen[s.Token] {
			t.Errorf("subscriber %s unsubscribe token %q, want a fresh %s", s.ID, s.Token, form)
		}
		seen[s.Token] = true
	}
	if len(seen) != 3 {
		t.Errorf("%d tokens for 3 subscribers", len(seen))
	}
}
