package status

import (
	"cmp"
	"slices"
	"time"
)

// SetComponentStatus sets a status by hand. A component without checks
// simply takes it (until is ignored: nothing else would change it); it
// wins over a maintenance window in progress unless it is OPERATIONAL
// (see derive). On a
// component with checks it is an override that wins over the checks,
// maintenance included, until until (zero: until cleared); an empty
// status clears the override. Overrides open no auto incident, but an
// open one follows the status like any other change.
func (e *Engine) SetComponentStatus(now time.Time, id string, status ComponentStatus, until time.Time) (Component, []Event, error) {
	e.begin(now)
	e.due(now)
	c := e.comps[id]
	if c == nil {
		return Component{}, e.finish(), notFound("no component %q", id)
	}
	if err := e.setStatus(c, status, until); err != nil {
		return Component{}, e.finish(), err
	}
	e.timers(now)
	return c.c.clone(), e.finish(), nil
}

func (e *Engine) setStatus(c *component, status ComponentStatus, until time.Time) error {
	if status != "" && !status.Valid() {
		return invalid("unknown component status %q", status)
	}
	if len(c.checks) == 0 {
		if status == "" {
			return invalid("component %q has no checks; give it a status", c.c.ID)
		}
		if status == c.manual {
			return nil
		}
		c.manual = status
		e.recompute(c)
		return nil
	}
	if status != "" && !until.IsZero() && !until.After(e.now) {
		return invalid("override until %s is not in the future", until.UTC().Format(time.RFC3339))
	}
	if status == "" {
		until = time.Time{}
	}
	if status == c.c.Override && until.Equal(c.c.OverrideUntil) {
		return nil
	}
	c.c.Override, c.c.OverrideUntil = status, until
	c.c.UpdatedAt = e.now
	if status == "" {
		delete(e.overridden, c)
	} else {
		e.overridden[c] = struct{}{}
	}
	if !e.recompute(c) && !e.quiet {
		e.emitComponent(c, c.c.Status) // the override itself must reach the store
	}
	return nil
}

// ComponentInput creates or changes a component through the API. Zero
// fields keep the current value.
type ComponentInput struct {
	// ID names the component to change; empty or unknown creates one
	// (with a new id when empty). Components created here have no checks.
	ID          string
	Name        string // required on creation
	Description string
	Group       string
	// Status, when it differs from the current one, is set as by
	// SetComponentStatus (until Until). Sending back the status read
	// changes nothing, so a client that edits a description does not pin
	// the status by accident.
	Status ComponentStatus
	Until  time.Time
}

// PutComponent creates or changes a component. A component from the
// configuration file takes only a status here: its name, description and
// group belong to the file.
func (e *Engine) PutComponent(now time.Time, in ComponentInput) (Component, []Event, error) {
	e.begin(now)
	e.due(now)
	if in.Group != "" && e.groups[in.Group] == nil {
		return Component{}, e.finish(), invalid("unknown group %q", in.Group)
	}
	if in.Status != "" && !in.Status.Valid() {
		return Component{}, e.finish(), invalid("unknown component status %q", in.Status)
	}
	c := e.comps[in.ID]
	if c == nil || in.ID == "" {
		if in.Name == "" {
			return Component{}, e.finish(), invalid("a new component needs a name")
		}
		id := in.ID
		if id == "" {
			id = e.ids()
		}
		before := e.views()
		c = e.newComponent(id)
		c.c.Name, c.c.Description, c.c.Group = in.Name, in.Description, in.Group
		c.manual = Operational
		if in.Status != "" {
			c.manual = in.Status
		}
		c.c.Status = e.derive(c)
		e.order = append(e.order, c)
		c.order = len(e.order) - 1
		e.rebuildCounts()
		e.emitDiff(before)
		return c.c.clone(), e.finish(), nil
	}
	if c.c.FromConfig {
		if (in.Name != "" && in.Name != c.c.Name) || (in.Description != "" && in.Description != c.c.Description) || (in.Group != "" && in.Group != c.c.Group) {
			return Component{}, e.finish(), conflict("component %q is defined in the configuration file; change it there", c.c.ID)
		}
	}
	if in.Status != "" && in.Status != c.c.Status && len(c.checks) > 0 && !in.Until.IsZero() && !in.Until.After(now) {
		return Component{}, e.finish(), invalid("override until %s is not in the future", in.Until.UTC().Format(time.RFC3339))
	}
	before := e.views()
	e.quiet = true
	c.c.Name = cmp.Or(in.Name, c.c.Name)
	c.c.Description = cmp.Or(in.Description, c.c.Description)
	c.c.Group = cmp.Or(in.Group, c.c.Group)
	if in.Status != "" && in.Status != c.c.Status {
		_ = e.setStatus(c, in.Status, in.Until) // checked above
		e.timers(now)
	}
	e.quiet = false
	e.rebuildCounts()
	e.emitDiff(before)
	return c.c.clone(), e.finish(), nil
}

// DeleteComponent removes a component created through the API.
// Components from the configuration file are removed there.
func (e *Engine) DeleteComponent(now time.Time, id string) ([]Event, error) {
	e.begin(now)
	e.due(now)
	c := e.comps[id]
	if c == nil {
		return e.finish(), notFound("no component %q", id)
	}
	if c.c.FromConfig {
		return e.finish(), conflict("component %q is defined in the configuration file; remove it there", id)
	}
	before := e.views()
	e.removeComponent(c, c.c.Name+" was deleted.")
	e.order = slices.DeleteFunc(e.order, func(o *component) bool { return o == c })
	e.renumber()
	e.rebuildCounts()
	e.emitDiff(before)
	return e.finish(), nil
}

// GroupInput creates or changes a group through the API. Zero fields
// keep the current value.
type GroupInput struct {
	ID          string // empty or unknown creates a group
	Name        string // required on creation
	Description string
}

// PutGroup creates or changes a group. Groups from the configuration
// file are changed there. Members join a group through their Group field.
func (e *Engine) PutGroup(now time.Time, in GroupInput) (Group, []Event, error) {
	e.begin(now)
	e.due(now)
	g := e.groups[in.ID]
	before := e.views()
	switch {
	case g == nil || in.ID == "":
		if in.Name == "" {
			return Group{}, e.finish(), invalid("a new group needs a name")
		}
		id := in.ID
		if id == "" {
			id = e.ids()
		}
		g = &group{g: Group{ID: id, Name: in.Name, Description: in.Description, Status: Operational}}
		e.groups[id] = g
		e.groupOrder = append(e.groupOrder, g)
	case g.g.FromConfig:
		if (in.Name != "" && in.Name != g.g.Name) || (in.Description != "" && in.Description != g.g.Description) {
			return Group{}, e.finish(), conflict("group %q is defined in the configuration file; change it there", g.g.ID)
		}
	default:
		g.g.Name = cmp.Or(in.Name, g.g.Name)
		g.g.Description = cmp.Or(in.Description, g.g.Description)
	}
	e.rebuildCounts()
	e.emitDiff(before)
	return g.g.clone(), e.finish(), nil
}

// DeleteGroup removes an empty group created through the API.
func (e *Engine) DeleteGroup(now time.Time, id string) ([]Event, error) {
	e.begin(now)
	e.due(now)
	g := e.groups[id]
	switch {
	case g == nil:
		return e.finish(), notFound("no group %q", id)
	case g.g.FromConfig:
		return e.finish(), conflict("group %q is defined in the configuration file; remove it there", id)
	case len(g.g.Components) > 0:
		return e.finish(), conflict("group %q still has components", id)
	}
	before := e.views()
	delete(e.groups, id)
	e.groupOrder = slices.DeleteFunc(e.groupOrder, func(o *group) bool { return o == g })
	e.emitDiff(before)
	return e.finish(), nil
}

func (e *Engine) newComponent(id string) *component {
	c := &component{c: Component{ID: id, Status: Operational, CreatedAt: e.now, UpdatedAt: e.now}, manual: Operational}
	e.comps[id] = c
	return c
}

// removeComponent drops a component and its checks. Its open auto
// incident is resolved with body, unless a person has taken it over.
func (e *Engine) removeComponent(c *component, body string) {
	if inc := c.auto; inc != nil && inc.Open() && !inc.ByHand {
		e.closeAuto(inc, body)
	}
	c.auto = nil
	for _, ch := range c.checks {
		e.dropCheck(ch)
	}
	delete(e.comps, c.c.ID)
	delete(e.stable, c)
	delete(e.overridden, c)
}

func (e *Engine) dropCheck(ch *check) {
	if e.checks[ch.id] == ch {
		delete(e.checks, ch.id)
		e.uptime.Forget(ch.id)
	}
	cs := ch.status()
	e.emit(Event{Kind: CheckDeleted, Check: &cs, OldCheck: ch.state})
}

func (e *Engine) renumber() {
	for i, c := range e.order {
		c.order = i
	}
}
