package daemon

import (
	"context"
	"fmt"
	"time"

	"github.com/up-status/up/auth"
	"github.com/up-status/up/config"
	"github.com/up-status/up/store"
)

// syncAccounts makes the store's config-defined users and subscribers
// match the file.
func syncAccounts(ctx context.Context, st store.Store, cfg *config.Config, now time.Time) error {
	if err := syncUsers(ctx, st, cfg, now); err != nil {
		return err
	}
	return syncSubscribers(ctx, st, cfg, now)
}

// syncSubscribers makes the store's config-defined subscribers match the
// file. What the file says (url, secret, filters) wins; what happened to a
// subscriber at run time (unsubscribed, quarantined) is kept, so a reload
// never silently re-subscribes someone who left.
func syncSubscribers(ctx context.Context, st store.Store, cfg *config.Config, now time.Time) error {
	have, err := st.Subscribers(ctx)
	if err != nil {
		return err
	}
	byID := map[string]store.Subscriber{}
	for _, s := range have {
		byID[s.ID] = s
	}
	want := map[string]bool{}
	for _, c := range cfg.Subscribers {
		want[c.ID] = true
		s, ok := byID[c.ID]
		if !ok {
			s = store.Subscriber{ID: c.ID, Token: auth.NewUnsubscribeToken(), CreatedAt: now}
		}
		if s.Token == "" {
			s.Token = auth.NewUnsubscribeToken()
		}
		s.URL, s.Secret = c.URL, string(c.Secret)
		s.Events, s.Components = c.Events, c.Components
		s.FromConfig = true
		if err := st.PutSubscriber(ctx, s); err != nil {
			return fmt.Errorf("subscriber %s: %w", c.ID, err)
		}
	}
	for _, s := range have {
		if s.FromConfig && !want[s.ID] {
			if err := st.DeleteSubscriber(ctx, s.ID); err != nil {
				return fmt.Errorf("removing subscriber %s: %w", s.ID, err)
			}
		}
	}
	return nil
}

// syncUsers makes the store's config-defined users match the file; only
// the hash of each token is kept.
func syncUsers(ctx context.Context, st store.Store, cfg *config.Config, now time.Time) error {
	have, err := st.Users(ctx)
	if err != nil {
		return err
	}
	byID := map[string]store.User{}
	for _, u := range have {
		byID[u.ID] = u
	}
	want := map[string]bool{}
	for _, c := range cfg.Users {
		want[c.ID] = true
		u, ok := byID[c.ID]
		if !ok {
			u = store.User{ID: c.ID, CreatedAt: now}
		}
		u.Name, u.Email, u.Role, u.TokenHash = c.Name, c.Email, store.Role(c.Role), auth.Hash(string(c.Token))
		u.FromConfig, u.UpdatedAt = true, now
		if err := st.PutUser(ctx, u); err != nil {
			return fmt.Errorf("user %s: %w", c.ID, err)
		}
	}
	for _, u := range have {
		if u.FromConfig && !want[u.ID] {
			if err := st.DeleteUser(ctx, u.ID); err != nil {
				return fmt.Errorf("removing user %s: %w", u.ID, err)
			}
		}
	}
	return nil
}
