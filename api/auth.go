package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

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

// authorize finds the user of the request's bearer token and checks its
// role. A token that is sent is always checked, also where none is
// needed: a client with a wrong token learns so at once instead of when
// the API stops being public.
func (s *Server) authorize(r *http.Request, acc access) (*store.User, error) {
	need := s.needs(acc)
	hdr := r.Header.Get("Authorization")
	if hdr == "" {
		if need == "" {
			return nil, nil
		}
		return nil, unauthorized("this needs a token: send Authorization: Bearer <token>", false)
	}
	scheme, token, ok := strings.Cut(hdr, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, unauthorized("Authorization must be Bearer <token>", true)
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

func roleOrNone(r store.Role) string {
	if rank(r) == 0 {
		return "without a valid role"
	}
	return "a " + string(r)
}

// userByToken looks the token up by its SHA-256 hash, the only form the
// store keeps, and compares the hashes in constant time so that a store
// matching loosely (a prefix, a collation) cannot let a near miss in.
func (s *Server) userByToken(ctx context.Context, token string) (*store.User, error) {
	h := hashToken(token)
	u, err := s.store.UserByTokenHash(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return nil, unauthorized("unknown token", true)
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(u.TokenHash, h) != 1 {
		return nil, unauthorized("unknown token", true)
	}
	return &u, nil
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// newToken makes an API token: 32 random bytes, URL-safe, with a prefix
// that secret scanners and people recognise.
func newToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails; it aborts instead
	return "up_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// newID makes the id of a user or subscriber created without one: random
// hex, the same form as the engine's ids, valid as a configuration id.
func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newUnsubscribeToken makes the unguessable part of a subscriber's
// unsubscribe link.
func newUnsubscribeToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
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
