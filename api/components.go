package api

import (
	"net/http"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/wire"
)

// componentInput is the body of PUT /components.
type componentInput struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Group       string `json:"group"`
	// Status sets a status by hand: the status of a component without
	// checks, an override of the checks on one with checks (until
	// OverrideUntil, or until cleared). "" clears the override; sending
	// back the status read changes nothing.
	Status        *string `json:"status"`
	OverrideUntil string  `json:"override_until"`

	CreatedAt readOnly `json:"created_at"`
	UpdatedAt readOnly `json:"updated_at"`
	Checks    readOnly `json:"checks"`
	Override  readOnly `json:"override"`
	Source    readOnly `json:"source"`
}

type componentChange struct {
	in    status.ComponentInput
	clear bool // clear the override
}

func (in *componentInput) change() (componentChange, error) {
	c := componentChange{in: status.ComponentInput{
		ID:          in.ID,
		Name:        in.Name,
		Description: in.Description,
		Group:       in.Group,
	}}
	if in.ID != "" {
		if err := checkID("id", in.ID); err != nil {
			return c, err
		}
	}
	if in.Group != "" {
		if err := checkID("group", in.Group); err != nil {
			return c, err
		}
	}
	if err := checkText("name", in.Name, maxName); err != nil {
		return c, err
	}
	if err := checkText("description", in.Description, maxText); err != nil {
		return c, err
	}
	if in.Status != nil {
		if *in.Status == "" {
			c.clear = true
		} else {
			st, err := status.ParseComponentStatus(*in.Status)
			if err != nil {
				return c, errFieldf("status", "%v", err)
			}
			c.in.Status = st
		}
	}
	var err error
	if c.in.Until, err = parseTime("override_until", in.OverrideUntil); err != nil {
		return c, err
	}
	if !c.in.Until.IsZero() && c.in.Status == "" {
		return c, badRequest("override_until needs a status to override with")
	}
	return c, nil
}

// apply makes the change on the engine: PutComponent, then what it
// leaves to SetComponentStatus (clearing an override, or setting one
// with an expiry to the status the component already shows).
func (c *componentChange) apply(e *status.Engine, now time.Time) (status.Component, bool, []status.Event, error) {
	before, existed := e.Component(c.in.ID)
	if c.in.ID == "" {
		existed = false
	}
	if c.clear && existed && len(before.Checks) == 0 {
		return status.Component{}, false, nil, badRequest("component %q has no checks, so it has no override to clear; set a status instead", c.in.ID)
	}
	comp, events, err := e.PutComponent(now, c.in)
	if err != nil {
		return comp, false, events, err
	}
	var more []status.Event
	switch {
	case c.clear && existed && comp.Override != "":
		comp, more, err = e.SetComponentStatus(now, comp.ID, "", time.Time{})
	case c.in.Status != "" && !c.in.Until.IsZero() && len(comp.Checks) > 0 &&
		(comp.Override != c.in.Status || !comp.OverrideUntil.Equal(c.in.Until)):
		comp, more, err = e.SetComponentStatus(now, comp.ID, c.in.Status, c.in.Until)
	}
	return comp, !existed, append(events, more...), err
}

func (s *Server) listComponents(w http.ResponseWriter, r *http.Request) error {
	snap := s.backend.Snapshot()
	rd, err := s.componentsBody.get(&snap, func(sn *status.Snapshot) ([]byte, error) {
		checks := newCheckIndex(sn)
		out := make([]componentResource, len(sn.Components))
		for i := range sn.Components {
			out[i] = newComponentResource(&sn.Components[i], checks)
		}
		return wire.Marshal(out)
	})
	if err != nil {
		return err
	}
	rd.serve(w, r)
	return nil
}

// findComponents answers GET /components/{type}/{id}: the components
// whose id, group or status is {id}.
func (s *Server) findComponents(w http.ResponseWriter, r *http.Request) error {
	typ, v := r.PathValue("type"), r.PathValue("id")
	snap := s.backend.Snapshot()
	var match func(*status.Component) bool
	switch typ {
	case "id":
		if err := checkID("id", v); err != nil {
			return err
		}
		match = func(c *status.Component) bool { return c.ID == v }
	case "group":
		if err := checkID("group", v); err != nil {
			return err
		}
		if !hasGroup(&snap, v) {
			return notFoundf("no group %q", v)
		}
		match = func(c *status.Component) bool { return c.Group == v }
	case "status":
		st, err := status.ParseComponentStatus(v)
		if err != nil {
			return badRequest("%v", err)
		}
		match = func(c *status.Component) bool { return c.Status == st }
	default:
		return badRequest("unknown type %q: want id, group or status", clip(typ))
	}
	checks := newCheckIndex(&snap)
	out := []componentResource{}
	for i := range snap.Components {
		if match(&snap.Components[i]) {
			out = append(out, newComponentResource(&snap.Components[i], checks))
		}
	}
	if typ == "id" && len(out) == 0 {
		return notFoundf("no component %q", v)
	}
	return writeJSON(w, http.StatusOK, out)
}

func hasGroup(s *status.Snapshot, id string) bool {
	for i := range s.Groups {
		if s.Groups[i].ID == id {
			return true
		}
	}
	return false
}

func (s *Server) putComponent(w http.ResponseWriter, r *http.Request) error {
	var body componentInput
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	ch, err := body.change()
	if err != nil {
		return err
	}
	var out status.Component
	created := false
	err = s.backend.Change(r.Context(), func(e *status.Engine, now time.Time) ([]status.Event, error) {
		comp, isNew, events, err := ch.apply(e, now)
		out, created = comp, isNew
		return events, err
	})
	if err != nil {
		return err
	}
	snap := s.backend.Snapshot()
	code := http.StatusOK
	if created {
		code = http.StatusCreated
		w.Header().Set("Location", "/components/id/"+out.ID)
	}
	return writeJSON(w, code, newComponentResource(&out, newCheckIndex(&snap)))
}

func (s *Server) deleteComponent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	err = s.backend.Change(r.Context(), func(e *status.Engine, now time.Time) ([]status.Event, error) {
		return e.DeleteComponent(now, id)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
