package api

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// maintenanceInput is the body of PUT /maintenance.
type maintenanceInput struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Components  []string `json:"components"`
	Start       string   `json:"start"`
	// Duration is minutes (120 or "120", as webhooks send it) or a
	// duration string ("2h30m"); End may stand in for it.
	Duration json.RawMessage `json:"duration"`
	End      string          `json:"end"`
	Impact   string          `json:"impact"`
	// Status COMPLETED ends a window early, or cancels one that has not
	// started; other statuses follow the window's times.
	Status     string `json:"status"`
	Body       string `json:"body"`
	Backfilled bool   `json:"backfilled"`

	CreatedAt  readOnly `json:"created_at"`
	UpdatedAt  readOnly `json:"updated_at"`
	ResolvedAt readOnly `json:"resolved_at"`
	URL        readOnly `json:"url"`
	Updates    readOnly `json:"maintenance_updates"`
	Cancelled  readOnly `json:"cancelled"`
	Source     readOnly `json:"source"`
}

// maintenancePlan is a checked maintenanceInput whose duration may still
// depend on the window's current start (see finish).
type maintenancePlan struct {
	in  status.MaintenanceInput
	end time.Time
}

func (in *maintenanceInput) plan() (maintenancePlan, error) {
	p := maintenancePlan{in: status.MaintenanceInput{
		ID:          in.ID,
		Name:        in.Name,
		Description: in.Description,
		Components:  in.Components,
		Body:        in.Body,
		Backfilled:  in.Backfilled,
	}}
	if in.ID != "" {
		if err := checkID("id", in.ID); err != nil {
			return p, err
		}
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"name", in.Name, maxName}, {"description", in.Description, maxText}, {"body", in.Body, maxText}} {
		if err := checkText(f.name, f.v, f.max); err != nil {
			return p, err
		}
	}
	if err := checkIDs("components", in.Components); err != nil {
		return p, err
	}
	if in.Status != "" {
		st, err := status.ParseMaintenanceStatus(in.Status)
		if err != nil {
			return p, errFieldf("status", "%v", err)
		}
		p.in.Status = st
	}
	if in.Impact != "" {
		// A window's impact is what it does to its components: they are
		// UNDERMAINTENANCE. Another word would be shown on the page and
		// in webhooks while the components say otherwise, so it is
		// refused rather than stored; the field stays so that an object
		// read can be sent back.
		st, err := status.ParseComponentStatus(in.Impact)
		if err != nil {
			return p, errFieldf("impact", "%v", err)
		}
		if st != status.UnderMaintenance {
			return p, errFieldf("impact", "a maintenance window's impact is always UNDERMAINTENANCE, not %q; leave it out", clip(in.Impact))
		}
		p.in.Impact = st
	}
	var err error
	if p.in.Start, err = parseTime("start", in.Start); err != nil {
		return p, err
	}
	if p.end, err = parseTime("end", in.End); err != nil {
		return p, err
	}
	if p.in.Duration, err = parseDuration(in.Duration); err != nil {
		return p, err
	}
	return p, nil
}

// finish turns an end into a duration, from the given start or the
// window's current one. When both duration and end are sent (as in an
// object sent back as read, whose duration is rounded to minutes), they
// must agree to the minute and the end, being exact, wins.
func (p *maintenancePlan) finish(current *status.Maintenance) (status.MaintenanceInput, error) {
	in := p.in
	if p.end.IsZero() {
		return in, nil
	}
	start := in.Start
	if start.IsZero() && current != nil {
		start = current.Start
	}
	if start.IsZero() {
		return in, badRequest("end: a new window needs a start")
	}
	d := p.end.Sub(start)
	if d <= 0 {
		return in, badRequest("end: %s is not after the start %s", formatTime(p.end), formatTime(start))
	}
	if in.Duration != 0 && (in.Duration-d >= time.Minute || d-in.Duration >= time.Minute) {
		return in, badRequest("duration and end disagree; send one of them")
	}
	in.Duration = d
	return in, nil
}

func (s *Server) listMaintenance(w http.ResponseWriter, r *http.Request) error {
	if s.serveListPage(w, r) {
		return nil
	}
	limit, err := queryInt(r, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	snap := s.backend.Snapshot()
	stored, err := s.store.Maintenances(r.Context(), store.MaintenanceFilter{Limit: limit})
	if err != nil {
		return err
	}
	list := mergeByID(snap.Maintenance, stored, func(m *status.Maintenance) string { return m.ID })
	slices.SortFunc(list, func(a, b status.Maintenance) int {
		return cmp.Or(b.Start.Compare(a.Start), cmp.Compare(b.ID, a.ID))
	})
	list = list[:min(len(list), limit)]
	out := make([]maintenanceResource, len(list))
	for i := range list {
		out[i] = newMaintenanceResource(&list[i], s.page)
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) maintenance(r *http.Request, id string) (status.Maintenance, error) {
	snap := s.backend.Snapshot()
	for i := range snap.Maintenance {
		if snap.Maintenance[i].ID == id {
			return snap.Maintenance[i], nil
		}
	}
	m, err := s.store.Maintenance(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return m, notFoundf("no maintenance %q", id)
	}
	return m, err
}

func (s *Server) getMaintenance(w http.ResponseWriter, r *http.Request) error {
	if s.servePage(w, r) {
		return nil
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, err := s.maintenance(r, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newMaintenanceResource(&m, s.page))
}

// putMaintenance schedules, edits, ends or cancels a window through the
// engine. A completed window the engine has let go is recalled from the
// store first, so that it takes the change instead of being created anew.
func (s *Server) putMaintenance(w http.ResponseWriter, r *http.Request) error {
	var body maintenanceInput
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	p, err := body.plan()
	if err != nil {
		return err
	}
	var old *status.Maintenance
	if p.in.ID != "" {
		switch m, err := s.store.Maintenance(r.Context(), p.in.ID); {
		case err == nil:
			old = &m
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	var out status.Maintenance
	created := false
	err = s.backend.Change(r.Context(), func(e *status.Engine, now time.Time) ([]status.Event, error) {
		cur, held := e.Maintenance(p.in.ID)
		if !held && old != nil {
			if err := e.RecallMaintenance(*old); err != nil {
				return nil, err
			}
			cur, held = *old, true
		}
		created = !held
		var current *status.Maintenance
		if held {
			current = &cur
		}
		in, err := p.finish(current)
		if err != nil {
			return nil, err
		}
		m, events, err := e.PutMaintenance(now, in)
		out = m
		return events, err
	})
	if err != nil {
		return err
	}
	code := http.StatusOK
	if created {
		code = http.StatusCreated
		w.Header().Set("Location", "/maintenance/"+out.ID)
	}
	return writeJSON(w, code, newMaintenanceResource(&out, s.page))
}

func (s *Server) deleteMaintenance(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	err = s.backend.Change(r.Context(), func(e *status.Engine, now time.Time) ([]status.Event, error) {
		return e.DeleteMaintenance(now, id)
	})
	if errors.Is(err, status.ErrNotFound) {
		// Windows completed long ago live in the store only.
		m, serr := s.store.Maintenance(r.Context(), id)
		switch {
		case errors.Is(serr, store.ErrNotFound):
			return notFoundf("no maintenance %q", id)
		case serr != nil:
			return serr
		case m.FromConfig:
			return conflictf("maintenance %q is defined in the configuration file; remove it there", id)
		}
		err = s.store.DeleteMaintenance(r.Context(), id)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
