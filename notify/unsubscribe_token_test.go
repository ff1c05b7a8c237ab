package notify

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/store"
)

// caseBlindOutbox matches unsubscribe tokens regardless of case, as a
// store under a loose collation might.
type caseBlindOutbox struct{ Outbox }

func (o caseBlindOutbox) SubscriberByToken(ctx context.Context, token string) (store.Subscriber, error) {
	subs, err := o.Subscribers(ctx)
	if err != nil {
		return store.Subscriber{}, err
	}
	for _, s := range subs {
		if strings.EqualFold(s.Token, token) {
			return s, nil
		}
	}
	return store.Subscriber{}, store.ErrNotFound
}

// TestUnsubscribeTokenMatchedExactly: whatever the store's lookup finds,
// only the exact token unsubscribes or shows the form.
func TestUnsubscribeTokenMatchedExactly(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	sub := store.Subscriber{ID: "ops", URL: "http://127.0.0.1:9/", Token: "Mixed-Case-Token-0123456789abcdefghijklmno", CreatedAt: time.Now()}
	if err := st.PutSubscriber(ctx, sub); err != nil {
		t.Fatal(err)
	}
	d, err := New(Config{Planner: Planner{PageID: "acme", PageURL: "http://127.0.0.1:5010"}}, caseBlindOutbox{st}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	near := strings.ToLower(sub.Token)

	srv := httptest.NewServer(d.UnsubscribeHandler())
	t.Cleanup(srv.Close)
	if code, body, _ := fetch(t, http.MethodGet, srv.URL+"/unsubscribe/"+near); code != http.StatusNotFound {
		t.Errorf("GET with a near miss: %d\n%s", code, body)
	}
	if code, body, _ := fetch(t, http.MethodPost, srv.URL+"/unsubscribe/"+near); code != http.StatusNotFound {
		t.Errorf("POST with a near miss: %d\n%s", code, body)
	}
	if _, err := d.Unsubscribe(ctx, near); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Unsubscribe with a near miss: %v, want store.ErrNotFound", err)
	}
	subs, err := st.Subscribers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].Disabled {
		t.Fatalf("a near miss unsubscribed: %+v", subs)
	}
	if _, err := d.Unsubscribe(ctx, sub.Token); err != nil {
		t.Errorf("Unsubscribe with the token: %v", err)
	}
}
