package status

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

type window struct {
	m Maintenance
}

// MaintenanceInput creates or changes a maintenance window through the
// API. Zero fields keep the current value (on creation: Impact
// UNDERMAINTENANCE, and Name, Start, Duration are required).
type MaintenanceInput struct {
	// ID names the window to change; empty or unknown creates one (with a
	// new id when empty).
	ID          string
	Name        string
	Description string
	Components  []string // nil keeps; empty clears
	Start       time.Time
	Duration    time.Duration
	Impact      ComponentStatus
	// Status may be empty or the status the window has. COMPLETED ends
	// it: an INPROGRESS window completes, a NOTSTARTEDYET one is
	// cancelled. Other statuses follow Start and Duration only.
	Status MaintenanceStatus
	// Body, when set, is the text of the update this change adds.
	Body string
	// Backfilled marks a window recorded after the fact (on creation).
	Backfilled bool
}

// PutMaintenance creates or changes a window. Its status follows its
// times: a window whose start has passed is INPROGRESS at once. One whose
// end has passed is created only as a backfill (Backfilled set; without
// it the request is invalid, not a window announced after it ended): it
// is COMPLETED, created at its start and resolved at its end. A started window may not be
// moved to start in the future, a completed one may not be rescheduled,
// and a window from the configuration file only takes updates (Body) and
// ending (Status COMPLETED): its schedule belongs to the file. Each
// change adds one update; a request that changes nothing adds none, so
// the API can retry safely.
func (e *Engine) PutMaintenance(now time.Time, in MaintenanceInput) (Maintenance, []Event, error) {
	e.begin(now)
	e.due(now)
	if in.Status != "" {
		if _, err := ParseMaintenanceStatus(string(in.Status)); err != nil {
			return Maintenance{}, e.finish(), invalid("%v", err)
		}
	}
	if in.Impact != "" && !in.Impact.Valid() {
		return Maintenance{}, e.finish(), invalid("unknown impact %q", in.Impact)
	}
	if in.Duration < 0 {
		return Maintenance{}, e.finish(), invalid("duration %s is negative", in.Duration)
	}
	for _, id := range in.Components {
		if e.comps[id] == nil {
			return Maintenance{}, e.finish(), invalid("unknown component %q", id)
		}
	}
	w := e.windows[in.ID]
	var err error
	if w == nil || in.ID == "" {
		w, err = e.createWindow(in)
	} else {
		err = e.changeWindow(w, in)
	}
	if err != nil {
		return Maintenance{}, e.finish(), err
	}
	e.timers(now)
	return w.m.clone(), e.finish(), nil
}

func (e *Engine) createWindow(in MaintenanceInput) (*window, error) {
	switch {
	case in.Name == "":
		return nil, invalid("a new maintenance window needs a name")
	case in.Start.IsZero():
		return nil, invalid("a new maintenance window needs a start")
	case in.Duration <= 0:
		return nil, invalid("a new maintenance window needs a positive duration")
	case in.Status == InProgress:
		return nil, invalid("a window's status follows its start and duration")
	case !in.Backfilled && !e.now.Before(in.Start.Add(in.Duration)):
		// Scheduling it would announce, now, a window that is over.
		return nil, invalid("a maintenance window ending at %s is already over; set backfilled to record a past one",
			in.Start.Add(in.Duration).UTC().Format(time.RFC3339))
	}
	id := in.ID
	if id == "" {
		id = e.ids()
	}
	w := &window{m: Maintenance{
		ID:          id,
		Name:        in.Name,
		Description: in.Description,
		Status:      NotStartedYet,
		Impact:      cmp.Or(in.Impact, UnderMaintenance),
		Components:  slices.Clone(in.Components),
		Start:       in.Start,
		Duration:    in.Duration,
		Backfilled:  in.Backfilled,
		CreatedAt:   e.now,
	}}
	e.addWindow(w)
	e.firstWindowUpdate(w, in.Body)
	if in.Status == Completed && w.m.Status != Completed {
		e.endWindow(w, w.m.Status == NotStartedYet, "")
	}
	return w, nil
}

// firstWindowUpdate records a new window with one update in the status
// its times give it, so that a window created already running or over
// is told once, not as a string of transitions.
//
// A window already over (a backfill through the API, or a window in the
// configuration file that ended before up first saw it) is a record
// after the fact, dated by its own times: created at its start, its one
// update and resolved_at at its end. Stamped with the time of recording
// instead, it would tell subscribers it was created after it ended.
func (e *Engine) firstWindowUpdate(w *window, body string) {
	switch {
	case !e.now.Before(w.m.End()):
		w.m.Status = Completed
		w.m.Backfilled = true
		w.m.ResolvedAt = w.m.End()
		if w.m.Start.Before(w.m.CreatedAt) {
			w.m.CreatedAt = w.m.Start
		}
		e.windowUpdateAt(w, Completed, cmp.Or(body, "Maintenance completed."), w.m.End())
		return
	case !e.now.Before(w.m.Start):
		body = cmp.Or(body, "Maintenance in progress.")
		e.setWindow(w, InProgress, body)
		return
	default:
		body = cmp.Or(body, fmt.Sprintf("Maintenance scheduled for %s, lasting %s.", w.m.Start.UTC().Format(time.RFC3339), w.m.Duration))
	}
	e.windowUpdate(w, w.m.Status, body)
}

func (e *Engine) changeWindow(w *window, in MaintenanceInput) error {
	m := &w.m
	schedule := (!in.Start.IsZero() && !in.Start.Equal(m.Start)) ||
		(in.Duration != 0 && in.Duration != m.Duration) ||
		(in.Components != nil && !slices.Equal(in.Components, m.Components))
	meta := (in.Name != "" && in.Name != m.Name) ||
		(in.Description != "" && in.Description != m.Description) ||
		(in.Impact != "" && in.Impact != m.Impact)
	switch {
	case m.FromConfig && (schedule || meta):
		return conflict("maintenance %q is defined in the configuration file; change it there", m.ID)
	case m.Status == Completed && schedule:
		return conflict("maintenance %q is completed and cannot be rescheduled", m.ID)
	case m.Status == InProgress && !in.Start.IsZero() && in.Start.After(e.now):
		return invalid("maintenance %q has started; its start cannot move to the future", m.ID)
	}
	end := false
	switch in.Status {
	case "", m.Status:
	case Completed:
		end = true
	default:
		return invalid("maintenance %q is %s; its status follows its start and duration", m.ID, m.Status)
	}
	if schedule || meta {
		old := slices.Clone(m.Components)
		if in.Name != "" {
			m.Name = in.Name
		}
		if in.Description != "" {
			m.Description = in.Description
		}
		if in.Impact != "" {
			m.Impact = in.Impact
		}
		if !in.Start.IsZero() {
			m.Start = in.Start
		}
		if in.Duration != 0 {
			m.Duration = in.Duration
		}
		if in.Components != nil {
			m.Components = slices.Clone(in.Components)
		}
		e.sortWindows()
		body := in.Body
		if body == "" || end {
			body = "Details updated."
			if schedule {
				body = fmt.Sprintf("Rescheduled to %s, lasting %s.", m.Start.UTC().Format(time.RFC3339), m.Duration)
			}
		}
		e.windowUpdate(w, m.Status, body)
		if m.Status == InProgress {
			e.refreshMaint(append(old, m.Components...))
		}
	} else if in.Body != "" && !end && !(len(m.Updates) > 0 && m.Updates[0].Body == in.Body) {
		// The same text as the latest update is taken for a retry.
		e.windowUpdate(w, m.Status, in.Body)
	}
	if end {
		e.endWindow(w, m.Status == NotStartedYet, in.Body)
	}
	return nil
}

// CompleteMaintenance ends an INPROGRESS window early; body (optional)
// is the text of its last update.
func (e *Engine) CompleteMaintenance(now time.Time, id, body string) (Maintenance, []Event, error) {
	return e.end(now, id, body, InProgress)
}

// CancelMaintenance calls off a window that has not started. A
// cancelled window is COMPLETED with Cancelled set (see Maintenance), so
// subscribers learn it is off; body (optional) says why.
func (e *Engine) CancelMaintenance(now time.Time, id, body string) (Maintenance, []Event, error) {
	return e.end(now, id, body, NotStartedYet)
}

func (e *Engine) end(now time.Time, id, body string, from MaintenanceStatus) (Maintenance, []Event, error) {
	e.begin(now)
	e.due(now)
	w := e.windows[id]
	switch {
	case w == nil:
		return Maintenance{}, e.finish(), notFound("no maintenance %q", id)
	case w.m.Status != from && from == InProgress:
		return Maintenance{}, e.finish(), conflict("maintenance %q is %s; only an INPROGRESS window can be completed (cancel one that has not started)", id, w.m.Status)
	case w.m.Status != from:
		return Maintenance{}, e.finish(), conflict("maintenance %q is %s; only a window that has not started can be cancelled", id, w.m.Status)
	}
	e.endWindow(w, from == NotStartedYet, body)
	e.timers(now)
	return w.m.clone(), e.finish(), nil
}

func (e *Engine) endWindow(w *window, cancel bool, body string) {
	w.m.ResolvedAt = e.now
	w.m.Cancelled = cancel
	if cancel {
		body = cmp.Or(body, "Maintenance cancelled.")
	} else {
		body = cmp.Or(body, "Maintenance completed.")
	}
	e.setWindow(w, Completed, body)
}

// DeleteMaintenance removes a window; one in progress stops covering its
// components first. Windows from the configuration file cannot be
// deleted (the next reload would bring them back): remove them there.
func (e *Engine) DeleteMaintenance(now time.Time, id string) ([]Event, error) {
	e.begin(now)
	e.due(now)
	w := e.windows[id]
	if w == nil {
		return e.finish(), notFound("no maintenance %q", id)
	}
	if w.m.FromConfig {
		return e.finish(), conflict("maintenance %q is defined in the configuration file; remove it there", id)
	}
	e.dropWindow(w)
	cp := w.m.clone()
	e.emit(Event{Kind: MaintenanceDeleted, Maintenance: &cp})
	e.timers(now)
	return e.finish(), nil
}

func (e *Engine) dropWindow(w *window) {
	delete(e.windows, w.m.ID)
	e.sortWindows()
	if w.m.Status == InProgress {
		e.active = slices.DeleteFunc(e.active, func(a *window) bool { return a == w })
		e.refreshMaint(w.m.Components)
	}
}

// setWindow moves a window to a new status with an update, and flips the
// components it covers into and out of UNDERMAINTENANCE.
func (e *Engine) setWindow(w *window, status MaintenanceStatus, body string) {
	was := w.m.Status
	w.m.Status = status
	e.windowUpdate(w, status, body)
	switch {
	case status == InProgress && was != InProgress:
		e.active = append(e.active, w)
		e.refreshMaint(w.m.Components)
	case was == InProgress && status != InProgress:
		e.active = slices.DeleteFunc(e.active, func(a *window) bool { return a == w })
		e.refreshMaint(w.m.Components)
	}
}

func (e *Engine) windowUpdate(w *window, status MaintenanceStatus, body string) {
	e.windowUpdateAt(w, status, body, e.now)
}

// windowUpdateAt adds an update dated at, for records after the fact.
func (e *Engine) windowUpdateAt(w *window, status MaintenanceStatus, body string, at time.Time) {
	w.m.UpdatedAt = e.now
	w.m.Updates = slices.Insert(w.m.Updates, 0, MaintenanceUpdate{
		ID:            e.ids(),
		MaintenanceID: w.m.ID,
		Body:          body,
		Status:        status,
		CreatedAt:     at,
		UpdatedAt:     at,
	})
	e.emitWindow(w)
}

// refreshMaint recomputes whether the named components are covered by a
// window in progress, and their status.
func (e *Engine) refreshMaint(ids []string) {
	for _, id := range ids {
		c := e.comps[id]
		if c == nil {
			continue
		}
		in := e.covered(id)
		if in != c.inMaint {
			c.inMaint = in
			e.recompute(c)
		}
	}
}

func (e *Engine) covered(id string) bool {
	for _, w := range e.active {
		if slices.Contains(w.m.Components, id) {
			return true
		}
	}
	return false
}

// timers runs every maintenance and override transition that is due and
// sets the next deadline. Windows are wall-clock plans ("02:00 to
// 04:00"), so they follow the wall clock, jumps included; only incident
// resolution needs the jump-proof clock.
func (e *Engine) timers(now time.Time) {
	var next time.Time
	soonest := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	for _, w := range e.windowList {
		switch w.m.Status {
		case NotStartedYet:
			switch {
			case !now.Before(w.m.End()):
				// up was not running (or the window was moved) across
				// the whole window: one transition, nothing to flip.
				w.m.ResolvedAt = now
				e.setWindow(w, Completed, "Maintenance window ended.")
			case !now.Before(w.m.Start):
				e.setWindow(w, InProgress, "Maintenance started.")
				soonest(w.m.End())
			default:
				soonest(w.m.Start)
			}
		case InProgress:
			if !now.Before(w.m.End()) {
				w.m.ResolvedAt = now
				e.setWindow(w, Completed, "Maintenance completed.")
			} else {
				soonest(w.m.End())
			}
		}
	}
	var expired []*component
	for c := range e.overridden {
		switch u := c.c.OverrideUntil; {
		case u.IsZero():
		case !now.Before(u):
			expired = append(expired, c)
		default:
			soonest(u)
		}
	}
	sortOrder(expired)
	for _, c := range expired {
		delete(e.overridden, c)
		c.c.Override, c.c.OverrideUntil = "", time.Time{}
		c.c.UpdatedAt = now
		if !e.recompute(c) && !e.quiet {
			e.emitComponent(c, c.c.Status)
		}
	}
	e.deadline = next
}

func (e *Engine) addWindow(w *window) {
	e.windows[w.m.ID] = w
	e.sortWindows()
}

func (e *Engine) sortWindows() {
	e.windowList = e.windowList[:0]
	for _, w := range e.windows {
		e.windowList = append(e.windowList, w)
	}
	slices.SortFunc(e.windowList, func(a, b *window) int {
		return cmp.Or(a.m.Start.Compare(b.m.Start), cmp.Compare(a.m.ID, b.m.ID))
	})
}
