package api

import (
	"errors"
	"net/http"

	"github.com/up-status/up/store"
)

// deliveryView is a webhook delivery of the outbox, without its payload.
type deliveryView struct {
	ID          string `json:"id"`
	Subscriber  string `json:"subscriber"`
	Event       string `json:"event"`
	State       string `json:"state"`
	Attempts    int    `json:"attempts"`
	CreatedAt   string `json:"created_at"`
	NextAttempt string `json:"next_attempt"`
	LastAttempt string `json:"last_attempt"`
	LastError   string `json:"last_error"`
}

func newDeliveryView(d *store.Delivery) deliveryView {
	return deliveryView{
		ID:          d.ID,
		Subscriber:  d.Subscriber,
		Event:       d.Event,
		State:       string(d.State),
		Attempts:    d.Attempts,
		CreatedAt:   formatTime(d.CreatedAt),
		NextAttempt: formatTime(d.NextAttempt),
		LastAttempt: formatTime(d.LastAttempt),
		LastError:   d.LastError,
	}
}

// listDeliveries lists webhook deliveries, newest first: ?state= picks
// pending, delivered, dead or dropped ones.
func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	state := store.DeliveryState(r.URL.Query().Get("state"))
	switch state {
	case "", store.Pending, store.Delivered, store.Dead, store.Dropped:
	default:
		return badRequest("state: unknown state %q (want pending, delivered, dead or dropped)", clip(string(state)))
	}
	limit, err := queryInt(r, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	ds, err := s.store.Deliveries(r.Context(), state, limit)
	if err != nil {
		return err
	}
	out := make([]deliveryView, len(ds))
	for i := range ds {
		out[i] = newDeliveryView(&ds[i])
	}
	return writeJSON(w, http.StatusOK, out)
}

// replayDelivery queues a dead delivery again, due now.
func (s *Server) replayDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	switch err := s.store.Replay(r.Context(), id, s.now()); {
	case errors.Is(err, store.ErrNotFound):
		return notFoundf("no delivery %q", id)
	case errors.Is(err, store.ErrConflict):
		return conflictf("delivery %q is not dead; only dead deliveries can be replayed", id)
	case err != nil:
		return err
	}
	if s.outboxChanged != nil {
		s.outboxChanged()
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
