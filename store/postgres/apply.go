package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// Apply persists one engine step in one transaction: the objects its
// events carry and the deliveries they cause. Component, group, incident
// and maintenance events upsert or delete their object, PageChanged sets
// the meta key PageStatusKey. Replaying events is harmless (objects are
// upserted or deleted by id), but a delivery whose ID is already in the
// outbox fails the whole call, events included. Events of kinds this
// store does not know are skipped, so that a newer engine does not stop
// an older store. Deliveries get their Seq from the store; a zero State
// is Pending, a zero CreatedAt is now, and a zero NextAttempt is the
// CreatedAt (due at once). On a leader's view (Leader) the transaction is
// fenced and also appends the events to the feed.
func (d *DB) Apply(ctx context.Context, events []status.Event, deliveries []store.Delivery) error {
	if len(events) == 0 && len(deliveries) == 0 {
		return nil
	}
	now := d.now()
	ds := make([]store.Delivery, len(deliveries))
	for n, dl := range deliveries {
		var err error
		if ds[n], err = deliveryDefaults(dl, now); err != nil {
			return fmt.Errorf("apply: delivery %q: %w", dl.ID, err)
		}
	}
	err := d.write(ctx, func(tx pgx.Tx) error {
		for n := range events {
			if err := applyEvent(ctx, tx, &events[n]); err != nil {
				return fmt.Errorf("event %d (%s): %w", n, events[n].Kind, err)
			}
		}
		if err := insertDeliveries(ctx, tx, ds); err != nil {
			return err
		}
		if d.epoch != 0 && len(events) > 0 {
			return appendFeed(ctx, tx, d.epoch, FeedEvents, events)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	return nil
}

// applyEvent writes what one event carries: an upsert for a changed
// object, a delete for a deleted one (a no-op if it is already gone, so
// that replaying is harmless). A known kind without its object is a bug
// upstream; failing the step keeps it from passing unnoticed. Check
// events are not stored: check states are rebuilt from probes.
func applyEvent(ctx context.Context, tx pgx.Tx, ev *status.Event) error {
	switch ev.Kind {
	case status.ComponentChanged, status.ComponentDeleted:
		if ev.Component == nil {
			return errors.New("no component")
		}
		if ev.Kind == status.ComponentDeleted {
			return deleteRow(ctx, tx, `DELETE FROM components WHERE id = $1`, ev.Component.ID)
		}
		return putComponent(ctx, tx, ev.Component)
	case status.GroupChanged, status.GroupDeleted:
		if ev.Group == nil {
			return errors.New("no group")
		}
		if ev.Kind == status.GroupDeleted {
			return deleteRow(ctx, tx, `DELETE FROM groups WHERE id = $1`, ev.Group.ID)
		}
		return putGroup(ctx, tx, ev.Group)
	case status.IncidentChanged, status.IncidentDeleted:
		if ev.Incident == nil {
			return errors.New("no incident")
		}
		if ev.Kind == status.IncidentDeleted {
			return deleteRow(ctx, tx, `DELETE FROM incidents WHERE id = $1`, ev.Incident.ID)
		}
		return putIncident(ctx, tx, ev.Incident)
	case status.MaintenanceChanged, status.MaintenanceDeleted:
		if ev.Maintenance == nil {
			return errors.New("no maintenance")
		}
		if ev.Kind == status.MaintenanceDeleted {
			return deleteRow(ctx, tx, `DELETE FROM maintenance WHERE id = $1`, ev.Maintenance.ID)
		}
		return putMaintenance(ctx, tx, ev.Maintenance)
	case status.PageChanged:
		return setMeta(ctx, tx, PageStatusKey, string(ev.Page.Status))
	}
	return nil
}

func deleteRow(ctx context.Context, tx pgx.Tx, query, id string) error {
	_, err := tx.Exec(ctx, query, id)
	return err
}
