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
}

// Group gathers components; its status is the worst of its members.
type Group struct {
	ID          string
	Name        string
	Description string
	Status      ComponentStatus
	Components  []string
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
	Auto       bool
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

// Event kinds; the first three match webhook event names.
const (
	ComponentChanged   EventKind = "component"
	IncidentChanged    EventKind = "incident"
	MaintenanceChanged EventKind = "maintenance"
	PageChanged        EventKind = "page"
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

	// ComponentChanged: the component after the change and its old status.
	Component *Component
	OldStatus ComponentStatus

	// IncidentChanged: the incident after the change, all updates included.
	Incident *Incident

	// MaintenanceChanged: the window after the change, all updates included.
	Maintenance *Maintenance

	// PageChanged: the old page status.
	OldPage PageStatus
}
