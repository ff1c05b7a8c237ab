package status

import "fmt"

// ComponentStatus is the status a component shows, in the words of the webhook format.
type ComponentStatus string

// Component statuses. Their severity order is Operational <
// UnderMaintenance < DegradedPerformance < PartialOutage < MajorOutage.
const (
	Operational         ComponentStatus = "OPERATIONAL"
	UnderMaintenance    ComponentStatus = "UNDERMAINTENANCE"
	DegradedPerformance ComponentStatus = "DEGRADEDPERFORMANCE"
	PartialOutage       ComponentStatus = "PARTIALOUTAGE"
	MajorOutage         ComponentStatus = "MAJOROUTAGE"
)

// ComponentStatuses lists every component status in severity order.
var ComponentStatuses = []ComponentStatus{Operational, UnderMaintenance, DegradedPerformance, PartialOutage, MajorOutage}

// Severity ranks the status; higher is worse. Unknown words rank -1.
func (s ComponentStatus) Severity() int {
	for i, c := range ComponentStatuses {
		if c == s {
			return i
		}
	}
	return -1
}

// Valid reports whether s is one of the five component statuses.
func (s ComponentStatus) Valid() bool { return s.Severity() >= 0 }

// Worse returns the more severe of a and b.
func Worse(a, b ComponentStatus) ComponentStatus {
	if b.Severity() > a.Severity() {
		return b
	}
	return a
}

// ParseComponentStatus accepts a status word.
func ParseComponentStatus(s string) (ComponentStatus, error) {
	c := ComponentStatus(s)
	if !c.Valid() {
		return "", fmt.Errorf("unknown component status %q (want one of OPERATIONAL, UNDERMAINTENANCE, DEGRADEDPERFORMANCE, PARTIALOUTAGE, MAJOROUTAGE)", s)
	}
	return c, nil
}

// PageStatus is the status of the whole page.
type PageStatus string

// Page statuses. The webhook format spells the last one with a space.
const (
	PageUp               PageStatus = "UP"
	PageHasIssues        PageStatus = "HASISSUES"
	PageUnderMaintenance PageStatus = "UNDER MAINTENANCE"
)

// PageStatuses lists every page status.
var PageStatuses = []PageStatus{PageUp, PageHasIssues, PageUnderMaintenance}

// ParsePageStatus accepts the webhook format's spelling and Instatus's
// ("UNDERMAINTENANCE").
func ParsePageStatus(s string) (PageStatus, error) {
	switch s {
	case string(PageUp), string(PageHasIssues), string(PageUnderMaintenance):
		return PageStatus(s), nil
	case "UNDERMAINTENANCE":
		return PageUnderMaintenance, nil
	}
	return "", fmt.Errorf("unknown page status %q (want UP, HASISSUES or UNDER MAINTENANCE)", s)
}

// IncidentStatus is where an incident is in its life.
type IncidentStatus string

// Incident statuses.
const (
	Investigating IncidentStatus = "INVESTIGATING"
	Identified    IncidentStatus = "IDENTIFIED"
	Monitoring    IncidentStatus = "MONITORING"
	Resolved      IncidentStatus = "RESOLVED"
)

// IncidentStatuses lists every incident status in lifecycle order.
var IncidentStatuses = []IncidentStatus{Investigating, Identified, Monitoring, Resolved}

// ParseIncidentStatus accepts a status word.
func ParseIncidentStatus(s string) (IncidentStatus, error) {
	for _, v := range IncidentStatuses {
		if string(v) == s {
			return v, nil
		}
	}
	return "", fmt.Errorf("unknown incident status %q (want INVESTIGATING, IDENTIFIED, MONITORING or RESOLVED)", s)
}

// MaintenanceStatus is where a maintenance window is in its life.
type MaintenanceStatus string

// Maintenance statuses.
const (
	NotStartedYet MaintenanceStatus = "NOTSTARTEDYET"
	InProgress    MaintenanceStatus = "INPROGRESS"
	Completed     MaintenanceStatus = "COMPLETED"
)

// MaintenanceStatuses lists every maintenance status in lifecycle order.
var MaintenanceStatuses = []MaintenanceStatus{NotStartedYet, InProgress, Completed}

// ParseMaintenanceStatus accepts a status word.
func ParseMaintenanceStatus(s string) (MaintenanceStatus, error) {
	for _, v := range MaintenanceStatuses {
		if string(v) == s {
			return v, nil
		}
	}
	return "", fmt.Errorf("unknown maintenance status %q (want NOTSTARTEDYET, INPROGRESS or COMPLETED)", s)
}

// Outcome classifies one probe result.
type Outcome string

// Outcomes of a probe.
const (
	OK   Outcome = "OK"
	Slow Outcome = "SLOW" // succeeded, but slower than degraded_latency
	Fail Outcome = "FAIL"
)

// CheckState is a check's state after thresholds.
type CheckState string

// Check states. A check starts Unknown until its first result.
const (
	CheckUnknown CheckState = "UNKNOWN"
	CheckUp      CheckState = "UP"
	CheckSlow    CheckState = "SLOW"
	CheckFlaky   CheckState = "FLAKY"
	CheckDown    CheckState = "DOWN"
)
