package status

import (
	"errors"
	"time"
)

// Engine applies the status rules. It is a plain state machine: every
// method takes the current time, changes state and returns what changed
// as Events. It starts no goroutine and is not safe for concurrent use;
// the daemon calls it from one goroutine (or under one lock), which also
// gives every consumer one order of events.
//
// A method that fails with an *Error changed nothing it was asked to,
// but still returns the events of timers that came due before it looked
// at the request; pass them on like any others.
type Engine struct {
	ids       func() string
	maxStep   time.Duration
	retention time.Duration

	spec         Spec
	openAt       ComponentStatus
	resolveAfter time.Duration
	reopenWithin time.Duration
	// caps on resolved incidents kept, in all and per component; 0: none
	keepResolved, keepPerComponent int

	groups     map[string]*group
	groupOrder []*group
	comps      map[string]*component
	order      []*component
	checks     map[string]*check
	incidents  map[string]*Incident
	windows    map[string]*window
	windowList []*window // by start, then id
	active     []*window // INPROGRESS windows
	overridden map[*component]struct{}
	stable     map[*component]struct{} // auto incidents counting toward resolve_after

	counts   [numStatuses]int // components per status, for the page
	page     Page
	deadline time.Time // next maintenance or override transition; zero: none

	// last is the latest time seen and elapsed the time the engine trusts
	// to have passed (see advance).
	last    time.Time
	elapsed time.Duration

	uptime *Uptime

	// State of the call in progress.
	now     time.Time
	oldPage Page
	quiet   bool // reloads report component and group changes by comparison
	events  []Event
}

type group struct {
	g      Group
	counts [numStatuses]int
}

type component struct {
	c      Component // the public view; c.Status is the effective status
	order  int
	group  *group
	manual ComponentStatus // status set by hand, for components without checks
	checks []*check

	nUnknown, nDown, nFlaky, nSlow int
	inMaint                        bool // covered by an INPROGRESS window

	// held keeps a restored status until every check has reported again,
	// so a restart alone shows no recovery and opens or moves no incident.
	held       bool
	heldStatus ComponentStatus

	// fromChecks: the status comes from the checks (or is held from the
	// previous run's checks), not from a person or a window.
	fromChecks bool

	auto       *Incident // the open auto incident, if any
	last       *Incident // the latest resolved auto incident, which a relapse reopens
	stableFrom time.Duration
	// monitoringSince is set by Restore on a component whose auto
	// incident was MONITORING: the stored time its monitoring began, from
	// which the resolve countdown goes on once every check has reported
	// again. Any status change clears it: the phase it dates is over.
	monitoringSince time.Time
}

// Option adjusts an Engine.
type Option func(*Engine)

// WithMaxStep sets the longest time one call may add to the clock that
// times resolve_after (default 10s). Call Tick more often than that: a
// longer gap between calls is taken for a clock jump and counts as
// MaxStep only.
func WithMaxStep(d time.Duration) Option {
	return func(e *Engine) {
		if d > 0 {
			e.maxStep = d
		}
	}
}

// WithRetention sets how long resolved incidents and completed windows
// stay in the engine (and in Snapshot) after they end (default 14 days).
// Older ones live only in the store; Recall brings one back for editing.
func WithRetention(d time.Duration) Option {
	return func(e *Engine) {
		if d > 0 {
			e.retention = d
		}
	}
}

// New returns an engine watching spec as of now. ids makes the ids of new
// incidents, updates and windows; they must be unique across restarts
// (the daemon passes a random generator, tests a counter). Every check
// starts UNKNOWN. A daemon with a store then calls Restore before
// anything else.
func New(now time.Time, spec Spec, ids func() string, opts ...Option) (*Engine, error) {
	if ids == nil {
		return nil, errors.New("status: New needs an id generator")
	}
	if err := spec.validate(); err != nil {
		return nil, err
	}
	e := &Engine{
		ids:       ids,
		maxStep:   10 * time.Second,
		retention: 14 * 24 * time.Hour,
		uptime:    NewUptime(),
	}
	for _, o := range opts {
		o(e)
	}
	e.reset()
	e.begin(now)
	e.reconcile(spec)
	e.events = nil // nothing has been told yet: New's state is the start
	e.page = pageFor(&e.counts)
	return e, nil
}

func (e *Engine) reset() {
	e.groups = map[string]*group{}
	e.groupOrder = nil
	e.comps = map[string]*component{}
	e.order = nil
	e.checks = map[string]*check{}
	e.incidents = map[string]*Incident{}
	e.windows = map[string]*window{}
	e.windowList = nil
	e.active = nil
	e.overridden = map[*component]struct{}{}
	e.stable = map[*component]struct{}{}
	e.counts = [numStatuses]int{}
	e.deadline = time.Time{}
}

// Observe applies one probe result. A success slower than the check's
// DegradedLatency counts as SLOW. It costs O(checks of the result's
// component) and allocates nothing unless something changed. Results of
// checks the engine does not know (a check removed by a reload while its
// probe was running) are ignored.
func (e *Engine) Observe(now time.Time, r Observation) []Event {
	ch := e.checks[r.CheckID]
	if ch == nil {
		return nil
	}
	e.begin(now)
	e.due(now)
	old := ch.state
	ch.record(r)
	ch.lastAt = now
	if ch.lastOutcome == Fail {
		ch.lastFailureAt = now
	}
	e.settle(ch, old)
	return e.finish()
}

// settle follows a check's new result (or report) through: its time
// counts toward uptime, and a change of state is told and moves its
// component, which may open or move an incident.
func (e *Engine) settle(ch *check, old CheckState) {
	st := ch.state
	c := ch.comp
	e.uptime.add(ch.uptime, e.now, ch.interval, st, c.inMaint)
	if st == old {
		return
	}
	ch.since = e.now
	c.count(old, -1)
	c.count(st, 1)
	cs := ch.status()
	e.emit(Event{Kind: CheckChanged, Check: &cs, OldCheck: old})
	e.recompute(c)
}

// Tick moves time-driven state: maintenance windows start and end,
// overrides expire, recovered components that stayed operational for
// resolve_after get their incident resolved, and old history is let go.
// Call it about every second.
func (e *Engine) Tick(now time.Time) []Event {
	e.begin(now)
	e.due(now)
	e.resolveDue()
	e.prune(now)
	return e.finish()
}

// DrainUptime hands over the uptime seconds accumulated since the last
// call, for the store.
func (e *Engine) DrainUptime() []UptimeBucket { return e.uptime.Drain() }

// begin starts a call at now.
func (e *Engine) begin(now time.Time) {
	e.now = now
	e.oldPage = e.page
	e.advance(now)
}

// advance moves the trusted clock. Wall time can jump (an NTP step, a
// suspended VM), and a jump must not resolve an incident by itself; so
// each call adds at most maxStep, and time going back adds nothing. A
// step back larger than maxStep is taken as the clock being set back:
// the count goes on from the new time; smaller ones (results finishing
// out of order) are ignored, so they are not counted twice.
func (e *Engine) advance(now time.Time) {
	if e.last.IsZero() {
		e.last = now
		return
	}
	d := now.Sub(e.last)
	switch {
	case d > 0:
		e.elapsed += min(d, e.maxStep)
		e.last = now
	case d < -e.maxStep:
		e.last = now
	}
}

// due runs the maintenance and override transitions whose time has come.
// Checking one deadline keeps Observe from scanning windows.
func (e *Engine) due(now time.Time) {
	if !e.deadline.IsZero() && !now.Before(e.deadline) {
		e.timers(now)
	}
}

// finish ends a call: it adds a page event if the page changed, stamps
// every event with the page after the call, and hands the events over.
func (e *Engine) finish() []Event {
	e.page = pageFor(&e.counts)
	if e.page != e.oldPage {
		e.emit(Event{Kind: PageChanged, OldPage: e.oldPage.Status})
	}
	if len(e.events) == 0 {
		return nil
	}
	for i := range e.events {
		e.events[i].Page = e.page
	}
	out := e.events
	e.events = nil
	return out
}

func (e *Engine) emit(ev Event) {
	ev.At = e.now
	e.events = append(e.events, ev)
}

func (e *Engine) emitComponent(c *component, old ComponentStatus) {
	cp := c.c.clone()
	e.emit(Event{Kind: ComponentChanged, Component: &cp, OldStatus: old})
}

func (e *Engine) emitGroup(g *group, old ComponentStatus) {
	cp := g.g.clone()
	e.emit(Event{Kind: GroupChanged, Group: &cp, OldStatus: old})
}

func (e *Engine) emitIncident(inc *Incident) {
	cp := inc.clone()
	e.emit(Event{Kind: IncidentChanged, Incident: &cp})
}

func (e *Engine) emitWindow(w *window) {
	cp := w.m.clone()
	e.emit(Event{Kind: MaintenanceChanged, Maintenance: &cp})
}
