package api

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/up-status/up/auth"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// userInput is the body of PUT /users.
type userInput struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Role  string `json:"role"`
	// Token sets the user's token (see auth.CheckToken); without one a
	// new user gets a generated token. Write-only.
	Token *string `json:"token"`
	// RotateToken replaces the token with a generated one, returned once.
	RotateToken bool `json:"rotate_token"`

	CreatedAt readOnly `json:"created_at"`
	UpdatedAt readOnly `json:"updated_at"`
	Source    readOnly `json:"source"`
}

// userView is a user as the API shows it: never the token or its hash.
type userView struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Role      string `json:"role"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	Source    string `json:"source"`
	// Token is set only in the answer that created it.
	Token string `json:"token,omitempty"`
}

func newUserView(u *store.User) userView {
	return userView{
		ID:        u.ID,
		Name:      u.Name,
		Email:     u.Email,
		Role:      string(u.Role),
		CreatedAt: formatTime(u.CreatedAt),
		UpdatedAt: formatTime(u.UpdatedAt),
		Source:    source(u.FromConfig),
	}
}

func parseRole(field, v string) (store.Role, error) {
	r := store.Role(v)
	if rank(r) == 0 {
		return "", badRequest("%s: unknown role %q (want admin, editor or viewer)", field, clip(v))
	}
	return r, nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	us, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	out := make([]userView, len(us))
	for i := range us {
		out[i] = newUserView(&us[i])
	}
	return writeJSON(w, http.StatusOK, out)
}

// findUsers answers GET /users/{type}/{id}: the users whose id or role is
// {id}.
func (s *Server) findUsers(w http.ResponseWriter, r *http.Request) error {
	typ, v := r.PathValue("type"), r.PathValue("id")
	var match func(*store.User) bool
	switch typ {
	case "id":
		if err := checkID("id", v); err != nil {
			return err
		}
		match = func(u *store.User) bool { return u.ID == v }
	case "role":
		role, err := parseRole("role", v)
		if err != nil {
			return err
		}
		match = func(u *store.User) bool { return u.Role == role }
	default:
		return badRequest("unknown type %q: want id or role", clip(typ))
	}
	us, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	out := []userView{}
	for i := range us {
		if match(&us[i]) {
			out = append(out, newUserView(&us[i]))
		}
	}
	if typ == "id" && len(out) == 0 {
		return notFoundf("no user %q", v)
	}
	return writeJSON(w, http.StatusOK, out)
}

// putUser creates or changes a user. A new user's token, and a rotated
// one, is in this answer and never again: the store keeps its hash only.
func (s *Server) putUser(w http.ResponseWriter, r *http.Request) error {
	var in userInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	if in.ID != "" {
		if err := checkID("id", in.ID); err != nil {
			return err
		}
	}
	if err := checkText("name", in.Name, maxName); err != nil {
		return err
	}
	if err := checkText("email", in.Email, maxName); err != nil {
		return err
	}
	if in.Email != "" && (!strings.Contains(in.Email, "@") || strings.ContainsAny(in.Email, " \t\r\n<>")) {
		return badRequest("email: %q is not an e-mail address", clip(in.Email))
	}
	var role store.Role
	if in.Role != "" {
		var err error
		if role, err = parseRole("role", in.Role); err != nil {
			return err
		}
	}
	if in.Token != nil {
		if in.RotateToken {
			return badRequest("send token or rotate_token, not both")
		}
		// The configuration file's rule, so that a token one accepts
		// the other accepts too.
		if err := auth.CheckToken(*in.Token); err != nil {
			return badRequest("token: %v", err)
		}
	}

	s.usersMu.Lock()
	defer s.usersMu.Unlock()
	ctx := r.Context()
	users, err := s.store.Users(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(users, func(u store.User) bool { return u.ID == in.ID })
	if in.ID == "" || i < 0 {
		if role == "" {
			return badRequest("role: a new user needs a role: admin, editor or viewer")
		}
	}
	now := s.now().UTC()
	var u store.User
	created := i < 0 || in.ID == ""
	if created {
		u = store.User{ID: cmp.Or(in.ID, status.NewID()), Name: in.Name, Email: in.Email, Role: role, CreatedAt: now}
		if u.Name == "" {
			u.Name = u.ID
		}
	} else {
		u = users[i]
		if u.FromConfig {
			if (in.Name != "" && in.Name != u.Name) || (in.Email != "" && in.Email != u.Email) ||
				(role != "" && role != u.Role) || in.Token != nil || in.RotateToken {
				return conflictf("user %q is defined in the configuration file; change it there", u.ID)
			}
			return writeJSON(w, http.StatusOK, newUserView(&u))
		}
		if role != "" && u.Role == store.Admin && role != store.Admin && admins(users) == 1 {
			return conflictf("user %q is the last admin; make another user admin first", u.ID)
		}
		u.Name = cmp.Or(in.Name, u.Name)
		u.Email = cmp.Or(in.Email, u.Email)
		u.Role = cmp.Or(role, u.Role)
	}
	var token string
	switch {
	case in.Token != nil:
		token = *in.Token
	case created || in.RotateToken:
		token = auth.NewToken()
	}
	if token != "" {
		h := auth.Hash(token)
		other, err := s.tokenOwner(ctx, h)
		switch {
		case err != nil:
			return err
		case other != nil && other.ID != u.ID:
			return conflictf("token: another user has this token; choose another")
		}
		u.TokenHash = h
	}
	if created || token != "" || u.Name != users[i].Name || u.Email != users[i].Email || u.Role != users[i].Role {
		u.UpdatedAt = now
	}
	if err := s.store.PutUser(ctx, u); err != nil {
		return err
	}
	v := newUserView(&u)
	w.Header().Set("Cache-Control", "no-store")
	code := http.StatusOK
	if created {
		code = http.StatusCreated
		w.Header().Set("Location", "/users/id/"+u.ID)
	}
	if created || in.RotateToken {
		v.Token = token
	}
	return writeJSON(w, code, v)
}

func admins(users []store.User) int {
	n := 0
	for i := range users {
		if users[i].Role == store.Admin {
			n++
		}
	}
	return n
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	s.usersMu.Lock()
	defer s.usersMu.Unlock()
	users, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	i := slices.IndexFunc(users, func(u store.User) bool { return u.ID == id })
	switch {
	case i < 0:
		return notFoundf("no user %q", id)
	case users[i].FromConfig:
		return conflictf("user %q is defined in the configuration file; remove it there", id)
	case users[i].Role == store.Admin && admins(users) == 1:
		return conflictf("user %q is the last admin; make another user admin first", id)
	}
	if err := s.store.DeleteUser(r.Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return notFoundf("no user %q", id)
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
