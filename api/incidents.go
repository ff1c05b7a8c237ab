package api

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// incidentInput is the body of PUT /incidents.
type incidentInput struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Status     string   `json:"status"`
	Impact     string   `json:"impact"`
	Components []string `json:"components"`
	// Body is the text of the update the change adds.
	Body       string `json:"body"`
	Backfilled bool   `json:"backfilled"`
	CreatedAt  string `json:"created_at"`
	ResolvedAt string `json:"resolved_at"`

	URL       readOnly `json:"url"`
	UpdatedAt readOnly `json:"updated_at"`
	Updates   readOnly `json:"incident_updates"`
	Auto      readOnly `json:"auto"`
}

func (in *incidentInput) engine() (status.IncidentInput, error) {
	out := status.IncidentInput{
		ID:         in.ID,
		Name:       in.Name,
		Components: in.Components,
		Body:       in.Body,
		Backfilled: in.Backfilled,
	}
	if in.ID != "" {
		if err := checkID("id", in.ID); err != nil {
			return out, err
		}
	}
	if err := checkText("name", in.Name, maxName); err != nil {
		return out, err
	}
	if err := checkText("body", in.Body, maxText); err != nil {
		return out, err
	}
	if err := checkIDs("components", in.Components); err != nil {
		return out, err
	}
	if in.Status != "" {
		st, err := status.ParseIncidentStatus(in.Status)
		if err != nil {
			return out, errFieldf("status", "%v", err)
		}
		out.Status = st
	}
	if in.Impact != "" {
		st, err := status.ParseComponentStatus(in.Impact)
		if err != nil {
			return out, errFieldf("impact", "%v", err)
		}
		out.Impact = st
	}
	var err error
	if out.CreatedAt, err = parseTime("created_at", in.CreatedAt); err != nil {
		return out, err
	}
	if out.ResolvedAt, err = parseTime("resolved_at", in.ResolvedAt); err != nil {
		return out, err
	}
	return out, nil
}

// listIncidents lists the incidents the engine holds (open ones and those
// resolved lately) with older ones from the store, newest first.
func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) error {
	if s.serveListPage(w, r) {
		return nil
	}
	limit, err := queryInt(r, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	var key store.IncidentKey
	if id := r.URL.Query().Get("before"); id != "" {
		inc, err := s.incident(r, id)
		if he := (*httpError)(nil); errors.As(err, &he) && he.code == http.StatusNotFound {
			return errorf(http.StatusBadRequest, "before: no incident %q", id)
		}
		if err != nil {
			return err
		}
		key = store.IncidentKey{CreatedAt: inc.CreatedAt, ID: inc.ID}
	}
	snap := s.backend.Snapshot()
	stored, err := s.store.Incidents(r.Context(), store.IncidentFilter{Limit: limit, Before: key})
	if err != nil {
		return err
	}
	list := mergeByID(snap.Incidents, stored, func(i *status.Incident) string { return i.ID })
	newestFirst := func(a, b status.Incident) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	}
	if key.ID != "" {
		list = slices.DeleteFunc(list, func(i status.Incident) bool {
			return newestFirst(i, status.Incident{CreatedAt: key.CreatedAt, ID: key.ID}) <= 0
		})
	}
	slices.SortFunc(list, newestFirst)
	if len(list) >= limit {
		list = list[:limit]
		next := url.Values{"before": {list[limit-1].ID}, "limit": {strconv.Itoa(limit)}}
		w.Header().Set("Link", `<`+s.page.URL+`/incidents?`+next.Encode()+`>; rel="next"`)
	}
	out := make([]incidentResource, len(list))
	for i := range list {
		out[i] = newIncidentResource(&list[i], s.page)
	}
	return writeJSON(w, http.StatusOK, out)
}

// mergeByID joins what the engine holds with what the store holds; the
// engine's copy wins, being the latest.
func mergeByID[T any](held, stored []T, id func(*T) string) []T {
	out := slices.Clone(held)
	seen := make(map[string]bool, len(held))
	for i := range held {
		seen[id(&held[i])] = true
	}
	for i := range stored {
		if !seen[id(&stored[i])] {
			out = append(out, stored[i])
		}
	}
	return out
}

// incident finds an incident in the engine, else in the store.
func (s *Server) incident(r *http.Request, id string) (status.Incident, error) {
	snap := s.backend.Snapshot()
	for i := range snap.Incidents {
		if snap.Incidents[i].ID == id {
			return snap.Incidents[i], nil
		}
	}
	inc, err := s.store.Incident(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return inc, notFoundf("no incident %q", id)
	}
	return inc, err
}

func (s *Server) getIncident(w http.ResponseWriter, r *http.Request) error {
	if s.servePage(w, r) {
		return nil
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	inc, err := s.incident(r, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newIncidentResource(&inc, s.page))
}

// putIncident creates or changes an incident through the engine. An
// incident resolved so long ago that the engine let it go is recalled
// from the store first, so that it is changed, not created anew.
func (s *Server) putIncident(w http.ResponseWriter, r *http.Request) error {
	var body incidentInput
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	in, err := body.engine()
	if err != nil {
		return err
	}
	var old *status.Incident
	if in.ID != "" {
		switch inc, err := s.store.Incident(r.Context(), in.ID); {
		case err == nil:
			old = &inc
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	var out status.Incident
	created := false
	err = s.backend.Change(r.Context(), func(e *status.Engine, now time.Time) ([]status.Event, error) {
		_, held := e.Incident(in.ID)
		if !held && old != nil {
			if err := e.Recall(*old); err != nil {
				return nil, err
			}
			held = true
		}
		created = !held
		inc, events, err := e.PutIncident(now, in)
		out = inc
		return events, err
	})
	if err != nil {
		return err
	}
	code := http.StatusOK
	if created {
		code = http.StatusCreated
		w.Header().Set("Location", "/incidents/"+out.ID)
	}
	return writeJSON(w, code, newIncidentResource(&out, s.page))
}

// deleteIncident removes an incident from the engine or, when the engine
// has let it go, from the store.
func (s *Server) deleteIncident(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	err = s.backend.Change(r.Context(), func(e *status.Engine, now time.Time) ([]status.Event, error) {
		return e.DeleteIncident(now, id)
	})
	if errors.Is(err, status.ErrNotFound) {
		err = s.store.DeleteIncident(r.Context(), id)
		if errors.Is(err, store.ErrNotFound) {
			return notFoundf("no incident %q", id)
		}
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
