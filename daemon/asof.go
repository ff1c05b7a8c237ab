package daemon

import "time"

// asOf is when the state this instance shows was last confirmed current,
// for GET /status and the page's feed: now on a cluster's leader, the
// last read of the shared database on a follower. Nil outside a cluster,
// where the state always is current. d.sides is read at each call: it
// is set after the hub that takes this is built.
func (d *Daemon) asOf() func() time.Time {
	if d.cluster == nil {
		return nil
	}
	return func() time.Time { return d.sides.AsOf(d.now()) }
}
