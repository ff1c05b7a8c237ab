package api

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/up-status/up/auth"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// subscriberInput is the body of PUT /subscribers.
type subscriberInput struct {
	ID  string `json:"id"`
	URL string `json:"url"`
	// Secret is the HMAC-SHA256 signing key: write-only; absent keeps it,
	// "" removes it.
	Secret *string `json:"secret"`
	// Events and Components filter what is sent; absent keeps, [] means
	// all.
	Events     []string `json:"events"`
	Components []string `json:"components"`
	// Disabled stops deliveries (and drops the queued ones); false turns a
	// subscriber that unsubscribed back on.
	Disabled *bool `json:"disabled"`

	HasSecret     readOnly `json:"has_secret"`
	Quarantined   readOnly `json:"quarantined"`
	QuarantinedAt readOnly `json:"quarantined_at"`
	FailingSince  readOnly `json:"failing_since"`
	CreatedAt     readOnly `json:"created_at"`
	Source        readOnly `json:"source"`
}

// subscriberView is a subscriber as the API shows it: never its secret
// nor its unsubscribe token.
type subscriberView struct {
	ID            string   `json:"id"`
	URL           string   `json:"url"`
	Events        []string `json:"events"`
	Components    []string `json:"components"`
	HasSecret     bool     `json:"has_secret"`
	Disabled      bool     `json:"disabled"`
	Quarantined   bool     `json:"quarantined"`
	QuarantinedAt string   `json:"quarantined_at"`
	FailingSince  string   `json:"failing_since"`
	CreatedAt     string   `json:"created_at"`
	Source        string   `json:"source"`
}

func newSubscriberView(s *store.Subscriber) subscriberView {
	return subscriberView{
		ID:            s.ID,
		URL:           s.URL,
		Events:        ids(s.Events),
		Components:    ids(s.Components),
		HasSecret:     s.Secret != "",
		Disabled:      s.Disabled,
		Quarantined:   !s.QuarantinedAt.IsZero(),
		QuarantinedAt: formatTime(s.QuarantinedAt),
		FailingSince:  formatTime(s.FailingSince),
		CreatedAt:     formatTime(s.CreatedAt),
		Source:        source(s.FromConfig),
	}
}

// isEventKind reports whether e names a webhook event.
func isEventKind(e string) bool {
	return e == "incident" || e == "maintenance" || e == "component"
}

func (in *subscriberInput) check() error {
	if in.ID != "" {
		if err := checkID("id", in.ID); err != nil {
			return err
		}
	}
	if in.URL != "" {
		u, err := url.Parse(in.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(in.URL) > 2048 {
			return badRequest("url: %q is not an http or https URL", clip(in.URL))
		}
	}
	if in.Secret != nil {
		if err := checkText("secret", *in.Secret, 1024); err != nil {
			return err
		}
	}
	for _, e := range in.Events {
		if !isEventKind(e) {
			return badRequest("events: unknown event %q (want incident, maintenance or component)", clip(e))
		}
	}
	if err := checkIDs("events", in.Events); err != nil {
		return err
	}
	return checkIDs("components", in.Components)
}

func (s *Server) listSubscribers(w http.ResponseWriter, r *http.Request) error {
	subs, err := s.store.Subscribers(r.Context())
	if err != nil {
		return err
	}
	out := make([]subscriberView, len(subs))
	for i := range subs {
		out[i] = newSubscriberView(&subs[i])
	}
	return writeJSON(w, http.StatusOK, out)
}

// subscriber finds one subscriber by id.
func (s *Server) subscriber(r *http.Request, id string) (store.Subscriber, error) {
	subs, err := s.store.Subscribers(r.Context())
	if err != nil {
		return store.Subscriber{}, err
	}
	for _, sub := range subs {
		if sub.ID == id {
			return sub, nil
		}
	}
	return store.Subscriber{}, notFoundf("no subscriber %q", id)
}

func (s *Server) getSubscriber(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sub, err := s.subscriber(r, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newSubscriberView(&sub))
}

// putSubscriber creates or changes a subscriber. One from the
// configuration file takes only disabled: the rest belongs to the file.
func (s *Server) putSubscriber(w http.ResponseWriter, r *http.Request) error {
	var in subscriberInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	snap := s.backend.Snapshot()
	for _, c := range in.Components {
		if !slices.ContainsFunc(snap.Components, func(x status.Component) bool { return x.ID == c }) {
			return badRequest("components: unknown component %q", c)
		}
	}

	s.subsMu.Lock()
	defer s.subsMu.Unlock()
	ctx := r.Context()
	var sub store.Subscriber
	created := false
	if in.ID != "" {
		var err error
		sub, err = s.subscriber(r, in.ID)
		var he *httpError
		switch {
		case errors.As(err, &he) && he.code == http.StatusNotFound:
			created = true
		case err != nil:
			return err
		}
	} else {
		created = true
	}
	if created {
		if in.URL == "" {
			return badRequest("url: a new subscriber needs a url")
		}
		sub = store.Subscriber{
			ID:        in.ID,
			Token:     auth.NewUnsubscribeToken(),
			CreatedAt: s.now().UTC(),
		}
		if sub.ID == "" {
			sub.ID = status.NewID()
		}
	} else if sub.FromConfig {
		if (in.URL != "" && in.URL != sub.URL) || in.Secret != nil ||
			(in.Events != nil && !slices.Equal(in.Events, sub.Events)) ||
			(in.Components != nil && !slices.Equal(in.Components, sub.Components)) {
			return conflictf("subscriber %q is defined in the configuration file; change it there (the API may only set disabled)", sub.ID)
		}
	}
	if in.URL != "" {
		sub.URL = in.URL
	}
	if in.Secret != nil {
		sub.Secret = *in.Secret
	}
	if in.Events != nil {
		sub.Events = in.Events
	}
	if in.Components != nil {
		sub.Components = in.Components
	}
	if in.Disabled != nil {
		sub.Disabled = *in.Disabled
	}
	if err := s.store.PutSubscriber(ctx, sub); err != nil {
		return err
	}
	if s.subscribersChanged != nil {
		s.subscribersChanged()
	}
	code := http.StatusOK
	if created {
		code = http.StatusCreated
		w.Header().Set("Location", "/subscribers/"+sub.ID)
	}
	return writeJSON(w, code, newSubscriberView(&sub))
}

func (s *Server) deleteSubscriber(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	s.subsMu.Lock()
	defer s.subsMu.Unlock()
	sub, err := s.subscriber(r, id)
	if err != nil {
		return err
	}
	if sub.FromConfig {
		return conflictf("subscriber %q is defined in the configuration file; remove it there, or set disabled: true", id)
	}
	if err := s.store.DeleteSubscriber(r.Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return notFoundf("no subscriber %q", id)
		}
		return err
	}
	if s.subscribersChanged != nil {
		s.subscribersChanged()
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// resumeSubscriber clears a quarantine: webhooks queued for a subscriber
// that failed for too long are tried again.
func (s *Server) resumeSubscriber(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	s.subsMu.Lock()
	defer s.subsMu.Unlock()
	sub, err := s.subscriber(r, id)
	if err != nil {
		return err
	}
	if s.resume != nil {
		if err := s.resume(r.Context(), id); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return notFoundf("no subscriber %q", id)
			}
			return err
		}
	} else {
		sub.QuarantinedAt, sub.FailingSince = time.Time{}, time.Time{}
		if err := s.store.PutSubscriber(r.Context(), sub); err != nil {
			return err
		}
	}
	if s.subscribersChanged != nil {
		s.subscribersChanged()
	}
	sub, err = s.subscriber(r, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newSubscriberView(&sub))
}
