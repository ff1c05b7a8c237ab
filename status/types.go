package status

import "time"

// Component is one thing customers see a status for.
type Component struct {
	ID          string
	Name        string
	Description string
	Group       string
	Status      ComponentStatus
	// Checks lists the ids of the checks that decide the status. A
	// component without checks takes the status set by hand.
	Checks []string
	// Override, when set, is a status set by hand that wins over the
	// checks until OverrideUntil (zero = until cleared).
	Override      ComponentStatus
	OverrideUntil time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// FromConfig marks components defined in the configuration file: a
	// reload may change or remove them, the API may not. The store keeps
	// it so that a component removed from the file while up was stopped
	// is dropped on the next start instead of living on as an API one.
	FromConfig bool
}

// Group gathers components; its status is the worst of its members.
type Group struct {
	ID          string
	Name        string
	Description string
	Status      ComponentStatus
	Components  []string
	// FromConfig marks groups defined in the configuration file.
	FromConfig bool
}

// Page is the whole status page's state.
type Page struct {
	Status      PageStatus
	Description string // "All Systems Operational", ...
}

// Incident is an unplanned disruption. Updates are newest first.
type Incident struct {
	ID         string
	Name       string
	Status     IncidentStatus
	Impact     ComponentStatus
	Components []string
	// Auto is true for incidents the engine opened from probe results;
	// manual incidents only move by hand.
	Auto bool
	// ByHand is set on an auto incident once a person changed its status
	// through the API. From then on the engine adds no updates and never
	// moves it, so it does not fight the human; it still counts as its
	// component's open auto incident, so no second one opens beside it.
	ByHand     bool
	Backfilled bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
	ResolvedAt time.Time // zero while open
	Updates    []IncidentUpdate
}

// Open reports whether the incident is not yet resolved.
func (i *Incident) Open() bool { return i.Status != Resolved }

// IncidentUpdate is one entry of an incident's timeline.
type IncidentUpdate struct {
	ID         string
	IncidentID string
	Body       string
	Status     IncidentStatus
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Maintenance is a planned window. Updates are newest first.
type Maintenance struct {
	ID          string
	Name        string
	Description string
	Status      MaintenanceStatus
	Impact      ComponentStatus
	Components  []string
	Start       time.Time
	Duration    time.Duration
	Backfilled  bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ResolvedAt  time.Time // when it completed; zero before
	Updates     []MaintenanceUpdate
	// Cancelled marks a window called off before it started. It is
	// COMPLETED like any finished window (the webhook format has no other word for
	// it, and subscribers then know it is over), with ResolvedAt set to
	// when it was called off and a last update saying so.
	Cancelled bool
	// FromConfig marks windows defined in the configuration file: a
	// reload reschedules or withdraws them, the API may only comment.
	FromConfig bool
}

// End is when the window is planned to end.
func (m *Maintenance) End() time.Time { return m.Start.Add(m.Duration) }

// MaintenanceUpdate is one entry of a maintenance window's timeline.
type MaintenanceUpdate struct {
	ID            string
	MaintenanceID string
	Body          string
	Status        MaintenanceStatus
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// EventKind names what changed.
type EventKind string

// Event kinds; the first three match webhook event names. The others
// serve the store, the metrics and the status page; consumers skip kinds
// they do not know.
const (
	ComponentChanged   EventKind = "component"
	IncidentChanged    EventKind = "incident"
	MaintenanceChanged EventKind = "maintenance"
	PageChanged        EventKind = "page"

	// CheckChanged: a check's state after thresholds moved (Check and
	// OldCheck set); a check added by a reload arrives UNKNOWN with an
	// empty OldCheck.
	CheckChanged EventKind = "check"
	// CheckDeleted: a reload removed the check; its metric series go.
	CheckDeleted EventKind = "check.deleted"
	// GroupChanged: a group was added or renamed, or its status or
	// members changed (Group and OldStatus set).
	GroupChanged EventKind = "group"
	// The *Deleted kinds carry the object as it was before it went.
	ComponentDeleted   EventKind = "component.deleted"
	GroupDeleted       EventKind = "group.deleted"
	IncidentDeleted    EventKind = "incident.deleted"
	MaintenanceDeleted EventKind = "maintenance.deleted"
)

// Event is one change the engine made. It carries a full copy of the
// changed object after the change, so consumers (store, notifier, status
// page) need no further lookup and never share memory with the engine.
type Event struct {
	Kind EventKind
	At   time.Time
	// Page is the page state after the change; set on every event so
	// that webhooks can fill their page block.
	Page Page

	// ComponentChanged: the component after the change and its old
	// status. OldStatus is "" when the component was just created, and
	// equals Component.Status when only its other fields changed.
	Component *Component
	OldStatus ComponentStatus

	// GroupChanged: the group after the change; OldStatus is its old
	// status ("" when the group was just created).
	Group *Group

	// CheckChanged and CheckDeleted: the check and its previous state.
	Check    *CheckStatus
	OldCheck CheckState

	// IncidentChanged: the incident after the change, all updates included.
	Incident *Incident

	// MaintenanceChanged: the window after the change, all updates included.
	Maintenance *Maintenance

	// PageChanged: the old page status.
	OldPage PageStatus
}

// CheckStatus is what the engine knows of one check.
type CheckStatus struct {
	ID        string
	Component string
	State     CheckState
	// Since is when the check entered State (zero while UNKNOWN for
	// want of any result; set when a Report made it UNKNOWN).
	Since       time.Time
	LastOutcome Outcome
	LastResult  time.Time
	LastLatency time.Duration
	// LastError is the error of the latest result, "" when that result
	// succeeded (OK or SLOW): a check that works again stops showing why
	// it failed. LastResult, LastLatency and LastError move with every
	// result, whether or not the state changed.
	LastError string
	// LastFailure is the error of the latest failed result and
	// LastFailAt its time (zero: no failure since up started). They
	// stay after successes, so a FLAKY check, or a DOWN one counting
	// successes toward UP, can still say how it fails.
	LastFailure string
	LastFailAt  time.Time
}
