package api

import (
	"net/http"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/wire"
)

// groupInput is the body of PUT /groups. Components join a group through
// their own group field.
type groupInput struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`

	Status     readOnly `json:"status"`
	Components readOnly `json:"components"`
	Source     readOnly `json:"source"`
}

func (in *groupInput) engine() (status.GroupInput, error) {
	out := status.GroupInput{ID: in.ID, Name: in.Name, Description: in.Description}
	if in.ID != "" {
		if err := checkID("id", in.ID); err != nil {
			return out, err
		}
	}
	if err := checkText("name", in.Name, maxName); err != nil {
		return out, err
	}
	return out, checkText("description", in.Description, maxText)
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) error {
	snap := s.backend.Snapshot()
	rd, err := s.groupsBody.get(&snap, func(sn *status.Snapshot) ([]byte, error) {
		out := make([]groupResource, len(sn.Groups))
		for i := range sn.Groups {
			out[i] = newGroupResource(&sn.Groups[i])
		}
		return wire.Marshal(out)
	})
	if err != nil {
		return err
	}
	rd.serve(w, r)
	return nil
}

// findGroups answers GET /groups/{type}/{id}: the groups whose id or
// status is {id}.
func (s *Server) findGroups(w http.ResponseWriter, r *http.Request) error {
	typ, v := r.PathValue("type"), r.PathValue("id")
	var match func(*status.Group) bool
	switch typ {
	case "id":
		if err := checkID("id", v); err != nil {
			return err
		}
		match = func(g *status.Group) bool { return g.ID == v }
	case "status":
		st, err := status.ParseComponentStatus(v)
		if err != nil {
			return badRequest("%v", err)
		}
		match = func(g *status.Group) bool { return g.Status == st }
	default:
		return badRequest("unknown type %q: want id or status", clip(typ))
	}
	snap := s.backend.Snapshot()
	out := []groupResource{}
	for i := range snap.Groups {
		if match(&snap.Groups[i]) {
			out = append(out, newGroupResource(&snap.Groups[i]))
		}
	}
	if typ == "id" && len(out) == 0 {
		return notFoundf("no group %q", v)
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) putGroup(w http.ResponseWriter, r *http.Request) error {
	var body groupInput
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	in, err := body.engine()
	if err != nil {
		return err
	}
	var out status.Group
	created := false
	err = s.backend.Change(r.Context(), func(e *status.Engine, now time.Time) ([]status.Event, error) {
		created = in.ID == "" || !hasGroupIn(e, in.ID)
		g, events, err := e.PutGroup(now, in)
		out = g
		return events, err
	})
	if err != nil {
		return err
	}
	code := http.StatusOK
	if created {
		code = http.StatusCreated
		w.Header().Set("Location", "/groups/id/"+out.ID)
	}
	return writeJSON(w, code, newGroupResource(&out))
}

// hasGroupIn reports whether the engine has the group. The engine has no
// lookup by group id; its snapshot is cheap next to a write.
func hasGroupIn(e *status.Engine, id string) bool {
	snap := e.Snapshot()
	return hasGroup(&snap, id)
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	err = s.backend.Change(r.Context(), func(e *status.Engine, now time.Time) ([]status.Event, error) {
		return e.DeleteGroup(now, id)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
