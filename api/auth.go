package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/up-status/up/auth"
	"github.com/up-status/up/store"
)

// rank orders the roles; a user may do what its role's rank allows.
func rank(r store.Role) int {
	switch r {
	case store.Viewer:
		return 1
	case store.Editor:
		return 2
	case store.Admin:
		return 3
	}
	return 0
}

// needs is the role a route asks for; "" when anyone may call it.
func (s *Server) needs(acc access) store.Role {
	switch acc {
	case badgeRead:
		if s.public || s.badges {
			return ""
		}
		return store.Viewer
	case publicRead:
		if s.public {
			return ""
		}
		return store.Viewer
	case editor:
		return store.Editor
	case admin:
		return store.Admin
	}
	return ""
}

const challenge = `Bearer realm="up"`

func unauthorized(msg string, invalid bool) error {
	c := challenge
	if invalid {
		c += `, error="invalid_token"`
	}
	return &httpError{code: http.StatusUnauthorized, msg: msg, challenge: c}
}

// authorize is the one rule for who may call what: it finds the user of
// the request's bearer token and checks its role against what acc needs.
// A token that is sent is always checked, also where none is needed (the
// index, health probes, the status page's assets): a client with a wrong
// token learns so at once instead of when the API stops being public.
// With fromQuery, a request without an Authorization header may carry the
// token as ?token= (a browser cannot set headers on a WebSocket).
func (s *Server) authorize(r *http.Request, acc access, fromQuery bool) (*store.User, error) {
	need := s.needs(acc)
	hdr := r.Header.Get("Authorization")
	var token string
	switch {
	case hdr != "":
		scheme, t, ok := strings.Cut(hdr, " ")
		token = strings.TrimSpace(t)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return nil, unauthorized("Authorization must be Bearer <token>", true)
		}
	case fromQuery:
		token = r.URL.Query().Get("token")
	}
	if token == "" {
		if need == "" {
			return nil, nil
		}
		return nil, unauthorized("this needs a token: send Authorization: Bearer <token>", false)
	}
	u, err := s.userByToken(r.Context(), token)
	if err != nil {
		return nil, err
	}
	if rank(u.Role) < rank(need) {
		return nil, errorf(http.StatusForbidden, "this needs the %s role; user %q is %s", need, u.ID, roleOrNone(u.Role))
	}
	return u, nil
}

// guard runs h when authorize lets the request through, with its user in
// the context, and answers the refusal otherwise.
func (s *Server) guard(acc access, fromQuery bool, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.authorize(r, acc, fromQuery)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if u != nil {
			r = r.WithContext(withUser(r.Context(), u))
		}
		h.ServeHTTP(w, r)
	})
}

// RequireRead wraps h in the API's rule for reading status data, for
// routes the daemon serves beside the API (the live feed at /ws): with
// api.public anyone may read, otherwise a viewer's token is needed; a
// token that is sent is checked either way. The token comes as
// Authorization: Bearer or, since browsers cannot set headers on a
// WebSocket, as ?token=. Refusals are the API's JSON errors.
func (s *Server) RequireRead(h http.Handler) http.Handler {
	return s.guard(publicRead, true, h)
}

func roleOrNone(r store.Role) string {
	switch r {
	case store.Admin:
		return "an admin"
	case store.Editor:
		return "an editor"
	case store.Viewer:
		return "a viewer"
	}
	return "without a valid role"
}

// userByToken is the user whose token the request carries, or a 401.
func (s *Server) userByToken(ctx context.Context, token string) (*store.User, error) {
	u, err := s.tokenOwner(ctx, auth.Hash(token))
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, unauthorized("unknown token", true)
	}
	return u, nil
}

// tokenOwner is the one place a token is matched to a user, nil when
// none has it: the store looks the hash up (the only form it keeps), and
// the hashes are compared again in constant time so that a store
// matching loosely (a prefix, a collation) cannot let a near miss in.
func (s *Server) tokenOwner(ctx context.Context, h []byte) (*store.User, error) {
	u, err := s.store.UserByTokenHash(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !auth.Equal(u.TokenHash, h) {
		return nil, nil
	}
	return &u, nil
}

type userKey struct{}

func withUser(ctx context.Context, u *store.User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// userOf is the authenticated user of the request, or nil.
func userOf(ctx context.Context) *store.User {
	u, _ := ctx.Value(userKey{}).(*store.User)
	return u
}

func userID(ctx context.Context) string {
	if u := userOf(ctx); u != nil {
		return u.ID
	}
	return ""
}
