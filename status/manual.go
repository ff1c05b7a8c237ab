package status

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// IncidentInput creates or changes an incident through the API. Zero
// fields keep the current value.
type IncidentInput struct {
	// ID names the incident to change; empty or unknown creates one (with
	// a new id when empty). The engine holds open incidents and those
	// resolved within the retention: Recall an older one before changing
	// it, or it would be created anew.
	ID   string
	Name string // required on creation
	// Status: INVESTIGATING on creation when empty. People may move an
	// incident in any order, reopen it included: the lifecycle order is
	// what the engine follows, not a rule imposed on people.
	Status IncidentStatus
	// Impact: PARTIALOUTAGE on creation when empty, the middle ground for
	// "something is broken" when the person did not say.
	Impact     ComponentStatus
	Components []string // nil keeps; empty clears
	// Body is the text of the update this change adds; when empty, the
	// update says what changed.
	Body string
	// Backfilled marks an incident recorded after the fact; only on
	// creation. CreatedAt and ResolvedAt then give its times (neither in
	// the future); for other incidents they are ignored, so an API client
	// may send back an object it read.
	Backfilled bool
	CreatedAt  time.Time
	ResolvedAt time.Time
}

// PutIncident creates or changes an incident by hand. Manual incidents
// move only through here, and change no component status (set those with
// SetComponentStatus). An auto incident may be changed too; once its
// status is changed by hand it is ByHand and the engine leaves it alone
// (comments and renames keep the engine in charge). Each change adds one
// update; a request that changes nothing and repeats the latest update's
// text adds none, so the API can retry safely.
func (e *Engine) PutIncident(now time.Time, in IncidentInput) (Incident, []Event, error) {
	e.begin(now)
	e.due(now)
	if err := e.checkIncidentInput(in); err != nil {
		return Incident{}, e.finish(), err
	}
	inc := e.incidents[in.ID]
	var err error
	if inc == nil || in.ID == "" {
		inc, err = e.createIncident(in)
	} else {
		err = e.changeIncident(inc, in)
	}
	if err != nil {
		return Incident{}, e.finish(), err
	}
	return inc.clone(), e.finish(), nil
}

func (e *Engine) checkIncidentInput(in IncidentInput) error {
	if in.Status != "" {
		if _, err := ParseIncidentStatus(string(in.Status)); err != nil {
			return invalid("%v", err)
		}
	}
	if in.Impact != "" && !in.Impact.Valid() {
		return invalid("unknown impact %q", in.Impact)
	}
	for _, id := range in.Components {
		if e.comps[id] == nil {
			return invalid("unknown component %q", id)
		}
	}
	return nil
}

func (e *Engine) createIncident(in IncidentInput) (*Incident, error) {
	if in.Name == "" {
		return nil, invalid("a new incident needs a name")
	}
	status := cmp.Or(in.Status, Investigating)
	created, at := e.now, e.now
	var resolved time.Time
	if in.Backfilled {
		if !in.CreatedAt.IsZero() {
			created, at = in.CreatedAt, in.CreatedAt
		}
		switch {
		case created.After(e.now):
			return nil, invalid("a backfilled incident cannot start in the future")
		case !in.ResolvedAt.IsZero() && status != Resolved:
			return nil, invalid("resolved_at is set but the status is %s", status)
		case in.ResolvedAt.After(e.now):
			return nil, invalid("a backfilled incident cannot be resolved in the future")
		case !in.ResolvedAt.IsZero() && in.ResolvedAt.Before(created):
			return nil, invalid("resolved_at is before created_at")
		}
		if status == Resolved {
			resolved = cmp.Or(in.ResolvedAt, e.now)
			at = resolved
		}
	} else if status == Resolved {
		resolved = e.now
	}
	id := in.ID
	if id == "" {
		id = e.ids()
	}
	inc := &Incident{
		ID:         id,
		Name:       in.Name,
		Status:     status,
		Impact:     cmp.Or(in.Impact, PartialOutage),
		Components: slices.Clone(in.Components),
		Backfilled: in.Backfilled,
		CreatedAt:  created,
		ResolvedAt: resolved,
	}
	e.incidents[id] = inc
	e.handUpdate(inc, status, cmp.Or(in.Body, statusText(status)), at)
	return inc, nil
}

func (e *Engine) changeIncident(inc *Incident, in IncidentInput) error {
	var what []string
	if in.Name != "" && in.Name != inc.Name {
		what = append(what, fmt.Sprintf("Renamed to %q.", in.Name))
	}
	if in.Impact != "" && in.Impact != inc.Impact {
		what = append(what, fmt.Sprintf("Impact set to %s.", in.Impact))
	}
	comps := in.Components != nil && !slices.Equal(in.Components, inc.Components)
	if comps {
		if inc.Auto {
			return conflict("incident %q was opened for component %q; its components cannot change", inc.ID, inc.Components[0])
		}
		what = append(what, "Affected components changed.")
	}
	statusChanged := in.Status != "" && in.Status != inc.Status
	if statusChanged {
		what = append(what, statusText(in.Status))
	}
	retry := len(inc.Updates) > 0 && inc.Updates[0].Body == in.Body
	if len(what) == 0 && (in.Body == "" || retry) {
		return nil
	}
	var c *component
	if inc.Auto && len(inc.Components) > 0 {
		c = e.comps[inc.Components[0]]
	}
	reopen := statusChanged && inc.Status == Resolved
	if reopen && c != nil && c.auto != nil && c.auto != inc {
		return conflict("component %q already has open incident %q", c.c.ID, c.auto.ID)
	}

	inc.Name = cmp.Or(in.Name, inc.Name)
	inc.Impact = cmp.Or(in.Impact, inc.Impact)
	if comps {
		inc.Components = slices.Clone(in.Components)
	}
	at := e.now
	if statusChanged {
		inc.Status = in.Status
		switch {
		case in.Status == Resolved:
			inc.ResolvedAt = e.now
			if inc.Backfilled && !in.ResolvedAt.IsZero() && !in.ResolvedAt.After(e.now) && !in.ResolvedAt.Before(inc.CreatedAt) {
				inc.ResolvedAt, at = in.ResolvedAt, in.ResolvedAt
			}
		case reopen:
			inc.ResolvedAt = time.Time{}
		}
		if inc.Auto {
			inc.ByHand = true
		}
	}
	if c != nil {
		switch {
		case inc.Status == Resolved && c.auto == inc:
			c.auto = nil
			e.stopClock(c)
		case inc.Open() && reopen:
			c.auto = inc
		}
		if inc.ByHand {
			e.stopClock(c)
		}
	}
	body := in.Body
	if body == "" {
		body = strings.Join(what, " ")
	}
	e.handUpdate(inc, inc.Status, body, at)
	return nil
}

// handUpdate adds an update made by a person. Updates are newest first
// in the order they were made (the wall clock may have been set back
// since the last one); one with a backfilled time lands where its time
// puts it.
func (e *Engine) handUpdate(inc *Incident, status IncidentStatus, body string, at time.Time) {
	inc.UpdatedAt = e.now
	u := IncidentUpdate{
		ID:         e.ids(),
		IncidentID: inc.ID,
		Body:       body,
		Status:     status,
		CreatedAt:  at,
		UpdatedAt:  at,
	}
	i := 0
	if !at.Equal(e.now) {
		i = slices.IndexFunc(inc.Updates, func(o IncidentUpdate) bool { return !o.CreatedAt.After(at) })
		if i < 0 {
			i = len(inc.Updates)
		}
	}
	inc.Updates = slices.Insert(inc.Updates, i, u)
	e.emitIncident(inc)
}

func statusText(s IncidentStatus) string {
	switch s {
	case Investigating:
		return "Investigating."
	case Identified:
		return "The cause has been identified."
	case Monitoring:
		return "A fix is in place; monitoring."
	case Resolved:
		return "Resolved."
	}
	return ""
}

// DeleteIncident removes an incident the engine holds (open or recently
// resolved; older ones live only in the store, where the API deletes them
// directly). Deleting an open auto incident frees its component: the next
// worsening opens a new one.
func (e *Engine) DeleteIncident(now time.Time, id string) ([]Event, error) {
	e.begin(now)
	e.due(now)
	for _, c := range e.order {
		if c.last != nil && c.last.ID == id {
			c.last = nil // a deleted incident is never reopened
		}
	}
	inc := e.incidents[id]
	if inc == nil {
		return e.finish(), notFound("no incident %q", id)
	}
	for _, c := range e.order {
		if c.auto == inc {
			c.auto = nil
			e.stopClock(c)
		}
	}
	delete(e.incidents, id)
	cp := inc.clone()
	e.emit(Event{Kind: IncidentDeleted, Incident: &cp})
	return e.finish(), nil
}

// Recall brings a resolved incident that the engine has let go (see
// WithRetention) back from the store, so that PutIncident can add to it
// instead of creating a new one. Open incidents are always held: recalling
// one is a conflict between store and engine.
func (e *Engine) Recall(inc Incident) error {
	if inc.ID == "" {
		return invalid("incident without id")
	}
	if _, ok := e.incidents[inc.ID]; ok {
		return nil
	}
	if inc.Open() {
		return conflict("incident %q is open but the engine does not hold it", inc.ID)
	}
	cp := inc.clone()
	e.incidents[inc.ID] = &cp
	return nil
}

// RecallMaintenance is Recall for completed maintenance windows.
func (e *Engine) RecallMaintenance(m Maintenance) error {
	if m.ID == "" {
		return invalid("maintenance without id")
	}
	if _, ok := e.windows[m.ID]; ok {
		return nil
	}
	if m.Status != Completed {
		return conflict("maintenance %q is %s but the engine does not hold it", m.ID, m.Status)
	}
	e.addWindow(&window{m: m.clone()})
	return nil
}
