// Package store keeps up's state: components, groups, incidents,
// maintenance, users, subscribers, the webhook outbox, custom metric
// points and hourly uptime per check. Store is the interface; sqlite/
// holds the embedded implementation.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/up-status/up/status"
)

// ErrNotFound is returned (wrapped) when an object does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned (wrapped) when an object exists but is not in a
// state that allows the operation (e.g. replaying a delivery that is not
// dead).
var ErrConflict = errors.New("conflict")

// ErrUnavailable is returned (wrapped) when the store cannot be written
// now; the request was not applied and may be retried.
var ErrUnavailable = errors.New("store unavailable")

// Store persists up's state. Every method is safe for concurrent use.
// A method that writes either commits everything it was given or nothing.
type Store interface {
	// Apply persists the events of one engine step and the webhook
	// deliveries they cause in one transaction, so that a crash never
	// keeps an event without its webhooks or the other way round. Events
	// carry full objects: Apply upserts components, incidents (with every
	// update) and maintenance (with every update) as given.
	Apply(ctx context.Context, events []status.Event, deliveries []Delivery) error

	Components(ctx context.Context) ([]status.Component, error)
	PutComponent(ctx context.Context, c status.Component) error
	DeleteComponent(ctx context.Context, id string) error

	Groups(ctx context.Context) ([]status.Group, error)
	PutGroup(ctx context.Context, g status.Group) error
	DeleteGroup(ctx context.Context, id string) error

	// Incidents lists incidents, newest first.
	Incidents(ctx context.Context, f IncidentFilter) ([]status.Incident, error)
	Incident(ctx context.Context, id string) (status.Incident, error)
	DeleteIncident(ctx context.Context, id string) error

	// Maintenances lists maintenance windows by start time, latest first.
	Maintenances(ctx context.Context, f MaintenanceFilter) ([]status.Maintenance, error)
	Maintenance(ctx context.Context, id string) (status.Maintenance, error)
	DeleteMaintenance(ctx context.Context, id string) error

	Users(ctx context.Context) ([]User, error)
	PutUser(ctx context.Context, u User) error
	// UserByTokenHash finds the user whose token hashes to h.
	UserByTokenHash(ctx context.Context, h []byte) (User, error)
	DeleteUser(ctx context.Context, id string) error

	Subscribers(ctx context.Context) ([]Subscriber, error)
	PutSubscriber(ctx context.Context, s Subscriber) error
	SubscriberByToken(ctx context.Context, token string) (Subscriber, error)
	DeleteSubscriber(ctx context.Context, id string) error

	// Due returns up to limit pending deliveries of one subscriber whose
	// NextAttempt is at or before now, oldest (lowest Seq) first. It stops
	// at the first pending delivery that is not yet due: a delivery
	// waiting for its retry holds back the later ones, which keeps each
	// subscriber's webhooks in order.
	Due(ctx context.Context, subscriber string, now time.Time, limit int) ([]Delivery, error)
	// PendingSubscribers lists the subscribers with pending deliveries and
	// how many each has.
	PendingSubscribers(ctx context.Context) (map[string]int, error)
	// NextDue is the NextAttempt of the subscriber's oldest pending
	// delivery, the head of its queue (see Due); ok is false when it has
	// none.
	NextDue(ctx context.Context, subscriber string) (t time.Time, ok bool, err error)
	// MarkDelivery records the outcome of one attempt: the delivery's
	// State, Attempts, NextAttempt, LastError and LastAttempt as given.
	MarkDelivery(ctx context.Context, d Delivery) error
	// Deliveries lists deliveries in a state (all when state is ""),
	// newest first, at most limit.
	Deliveries(ctx context.Context, state DeliveryState, limit int) ([]Delivery, error)
	// Replay makes a dead delivery pending again, due now; ErrConflict if
	// it is not dead.
	Replay(ctx context.Context, id string, now time.Time) error

	// AddUptime adds seconds to the hourly aggregates.
	AddUptime(ctx context.Context, samples []UptimeSample) error
	// Uptime returns the hourly aggregates of a check between from
	// (inclusive) and to (exclusive), oldest first. A zero from or to
	// leaves that end open.
	Uptime(ctx context.Context, checkID string, from, to time.Time) ([]UptimeHour, error)

	// Metrics lists the metrics without their points (see Metric).
	Metrics(ctx context.Context) ([]Metric, error)
	// PutMetric creates or updates a custom metric and adds its points.
	PutMetric(ctx context.Context, m Metric) error
	// LatestCustomPoints returns the newest point of every custom metric
	// that has one, by metric id.
	LatestCustomPoints(ctx context.Context) (map[string]Point, error)
	// PutMetrics is PutMetric for several metrics in one transaction: the
	// daemon's response-time points of every check, once a minute.
	PutMetrics(ctx context.Context, ms []Metric) error
	// Metric returns a metric with its points between from and to, both
	// inclusive, oldest first. A zero from or to leaves that end open.
	Metric(ctx context.Context, id string, from, to time.Time) (Metric, error)
	DeleteMetric(ctx context.Context, id string) error

	// Prune deletes history older than the given times; a zero time
	// keeps that kind. It never touches open incidents, pending webhooks
	// or the points of custom metrics, which are the users' own data.
	Prune(ctx context.Context, p Prune) (Pruned, error)

	// Meta reads and writes small named values (e.g. the last time the
	// daemon was seen running, to count downtime of up itself as no data).
	// Meta of a key never set is ErrNotFound.
	Meta(ctx context.Context, key string) (string, error)
	SetMeta(ctx context.Context, key, value string) error

	Close() error
}

// Prune says what history to let go.
type Prune struct {
	// PointsBefore: points of automatic (response-time) metrics.
	PointsBefore time.Time
	// UptimeBefore: hourly uptime aggregates.
	UptimeBefore time.Time
	// DeliveriesBefore: delivered and dropped webhooks, by creation time.
	DeliveriesBefore time.Time
}

// Pruned counts the rows Prune deleted.
type Pruned struct {
	Points, Uptime, Deliveries int64
}

// IncidentFilter narrows Incidents. Zero values match everything.
type IncidentFilter struct {
	OpenOnly  bool
	Component string
	Since     time.Time // resolved before Since are left out
	// Before pages through history: only incidents older than the key,
	// in the newest-first order of Incidents (CreatedAt, then ID), are
	// listed. The zero key bounds nothing.
	Before IncidentKey
	Limit  int
}

// IncidentKey is an incident's place in the newest-first order.
type IncidentKey struct {
	CreatedAt time.Time
	ID        string
}

// MaintenanceFilter narrows Maintenances. Zero values match everything.
type MaintenanceFilter struct {
	NotCompleted bool // NOTSTARTEDYET and INPROGRESS only
	Limit        int
}

// Role is what a user may do.
type Role string

// Roles, from least to most powerful.
const (
	Viewer Role = "viewer"
	Editor Role = "editor"
	Admin  Role = "admin"
)

// User may call the API with a bearer token; only the token's SHA-256
// hash is kept.
type User struct {
	ID        string
	Name      string
	Email     string
	Role      Role
	TokenHash []byte
	CreatedAt time.Time
	UpdatedAt time.Time
	// FromConfig marks users defined in the config file.
	FromConfig bool
}

// Subscriber receives webhooks.
type Subscriber struct {
	ID     string
	URL    string
	Secret string
	// Events filters by kind ("incident", "maintenance", "component");
	// empty means all.
	Events []string
	// Components limits component and incident webhooks; empty means all.
	Components []string
	// Token is the unguessable part of the unsubscribe link.
	Token string
	// QuarantinedAt is set when the subscriber failed for too long; no
	// attempts are made until it is cleared.
	QuarantinedAt time.Time
	// FailingSince is the first failure of the current failing streak.
	FailingSince time.Time
	Disabled     bool
	FromConfig   bool
	CreatedAt    time.Time
}

// DeliveryState is where a webhook delivery is.
type DeliveryState string

// Delivery states.
const (
	Pending   DeliveryState = "pending"
	Delivered DeliveryState = "delivered"
	Dead      DeliveryState = "dead"    // given up; kept for inspection and replay
	Dropped   DeliveryState = "dropped" // subscriber gone or unsubscribed
)

// Delivery is one webhook to one subscriber, kept in the outbox until
// delivered or given up.
type Delivery struct {
	// ID is sent as X-Up-Delivery and stays the same across retries.
	ID          string
	Seq         int64 // assigned by the store; orders one subscriber's queue
	Subscriber  string
	Event       string // incident | maintenance | component
	Payload     []byte // the exact JSON body
	State       DeliveryState
	Attempts    int
	CreatedAt   time.Time
	NextAttempt time.Time
	LastAttempt time.Time
	LastError   string
}

// UptimeSample is time to add to one check's hour.
type UptimeSample struct {
	CheckID                       string
	Hour                          time.Time // truncated to the hour, UTC
	Up, Down, Maintenance, NoData time.Duration
}

// UptimeHour is one check's aggregate for one hour. Time when up itself
// was not running is NoData, never Up.
type UptimeHour struct {
	CheckID                       string
	Hour                          time.Time
	Up, Down, Maintenance, NoData time.Duration
}

// Metric is a status-page metric: a check's response time or a custom
// series pushed through the API.
type Metric struct {
	ID     string
	Name   string
	Unit   string
	Custom bool
	Points []Point
}

// Point is one value of a metric.
type Point struct {
	Time  time.Time
	Value float64
}
