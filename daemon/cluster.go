package daemon

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync/atomic"
	"time"

	"github.com/up-status/up/cluster"
	"github.com/up-status/up/config"
	"github.com/up-status/up/metrics"
	"github.com/up-status/up/store/postgres"
)

// clusterRun is this instance's part in a cluster: its membership row,
// which decides the checks it probes, and its campaign for the engine
// lease, whose holder alone runs the engine.
type clusterRun struct {
	log      *slog.Logger
	instance string
	members  *cluster.Membership
	elector  *cluster.Elector
	// lead runs one term of leadership (sides.lead).
	lead func(ctx context.Context, epoch int64)
	// wakeCh is the elector's Wake.
	wakeCh  chan struct{}
	gauges  *metrics.ClusterGauges
	leading atomic.Bool

	stopMembers, stopElector context.CancelFunc
	membersDone, electorDone chan struct{}
}

// newClusterRun makes this instance's membership and elector. own is
// told the checks this instance probes whenever the live members change;
// lead, set before start, runs each term of leadership.
func newClusterRun(cfg *config.Config, instance string, db *postgres.DB, version string, m *metrics.Metrics, log *slog.Logger, own func(cluster.View)) *clusterRun {
	c := &clusterRun{log: log, instance: instance, gauges: m.ClusterGauges()}
	c.members = &cluster.Membership{
		DB: db.Pool(),
		Self: cluster.Member{
			Instance: instance, Region: cfg.Cluster.Region, Version: version, ConfigHash: cfg.Hash(),
		},
		Log: log,
		OnView: func(v cluster.View) {
			c.gauges.SetMembers(v.Regions())
			c.gauges.SetLeaseEpoch(v.Epoch)
			own(v)
		},
	}
	c.wakeCh = make(chan struct{}, 1)
	c.elector = &cluster.Elector{DB: db.Pool(), Name: "engine", Holder: instance, Log: log, Wake: c.wakeCh}
	return c
}

// wake makes a follower campaign at once: the leader resigned.
func (c *clusterRun) wake() {
	select {
	case c.wakeCh <- struct{}{}:
	default:
	}
}

// start heartbeats and campaigns until drain and stop.
func (c *clusterRun) start() {
	c.log.Info("cluster member", "instance", c.instance, "region", c.members.Self.Region, "config_hash", c.members.Self.ConfigHash)
	var mctx, ectx context.Context
	mctx, c.stopMembers = context.WithCancel(context.Background())
	ectx, c.stopElector = context.WithCancel(context.Background())
	c.membersDone, c.electorDone = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(c.membersDone)
		_ = c.members.Run(mctx)
	}()
	go func() {
		defer close(c.electorDone)
		_ = c.elector.Run(ectx, func(ctx context.Context, epoch int64) {
			c.leading.Store(true)
			c.gauges.SetLeader(true)
			c.gauges.SetLeaseEpoch(epoch)
			c.lead(ctx, epoch)
			c.leading.Store(false)
			c.gauges.SetLeader(false)
		})
	}()
}

// Leading reports whether this instance holds the engine lease.
func (c *clusterRun) Leading() bool { return c.leading.Load() }

// reload records the new config's hash in the next heartbeats.
func (c *clusterRun) reload(cfg *config.Config) { c.members.SetConfigHash(cfg.Hash()) }

// drain stops the heartbeat and marks this instance draining.
func (c *clusterRun) drain() {
	c.stopMembers()
	<-c.membersDone
}

// resign ends the term of leadership, if any, and gives the lease up so
// another instance leads at once; it campaigns no more.
func (c *clusterRun) resign() {
	c.stopElector()
	<-c.electorDone
}

// stop resigns and leaves the membership. drain must have been called.
func (c *clusterRun) stop() {
	c.resign()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := c.members.Leave(ctx); err != nil {
		c.log.Warn("cluster: leaving the membership; the row expires by itself", "instance", c.instance, "err", err)
	}
}

// instanceName is this instance's name in the cluster cfg describes: the
// configured one, else the host's name with a random suffix ("" outside a
// cluster).
func instanceName(cfg *config.Config) string {
	if cfg.Cluster == nil {
		return ""
	}
	if cfg.Cluster.Instance != "" {
		return cfg.Cluster.Instance
	}
	return cluster.DefaultInstance()
}

// sameCluster compares two cluster sections, absent ones included.
func sameCluster(a, b *config.Cluster) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// mine keeps the checks this instance probes: all of them outside a
// cluster, the owned ones in a cluster. Call with mu held, or before Run.
func (d *Daemon) mine(checks []*config.Check) []*config.Check {
	if d.owned == nil {
		return checks
	}
	var out []*config.Check
	for _, c := range checks {
		if d.owned[c.ID] {
			out = append(out, c)
		}
	}
	return out
}

// own takes the live members of a cluster and probes the checks this
// instance owns among them: each check probed from this instance's
// region is owned by one live member of the region (rendezvous hashing
// moves only the checks of a member that joined or left); a push check,
// which no region probes, by one member of the whole cluster.
func (d *Daemon) own(v cluster.View) {
	d.mu.Lock()
	defer d.mu.Unlock()
	region := d.cfg.Cluster.Region
	local := v.Owners(region)
	var all []string
	for _, r := range slices.Sorted(maps.Keys(v.Regions())) {
		all = append(all, v.Owners(r)...)
	}
	var mineHere, mineAnywhere []string
	for _, c := range d.cfg.Checks() {
		switch {
		case len(c.Regions) == 0:
			mineAnywhere = append(mineAnywhere, c.ID)
		case len(d.cfg.Regions) <= 1 || slices.Contains(c.Regions, region):
			// With one region, which the file need not name, every
			// instance is in it.
			mineHere = append(mineHere, c.ID)
		}
	}
	next := map[string]bool{}
	for _, id := range cluster.Owned(d.cluster.instance, local, mineHere) {
		next[id] = true
	}
	for _, id := range cluster.Owned(d.cluster.instance, all, mineAnywhere) {
		next[id] = true
	}
	if maps.Equal(next, d.owned) {
		return
	}
	if len(next) == 0 && len(mineHere)+len(mineAnywhere) > 0 && !slices.Contains(local, d.cluster.instance) {
		d.log.Warn("cluster: this instance probes nothing: its config differs from the leader's (or it is draining); run the same config file everywhere", "instance", d.cluster.instance)
	}
	d.owned = next
	d.cluster.gauges.SetOwned(len(next))
	if err := d.applyChecks(d.cfg, d.cfg); err != nil {
		d.log.Error("cluster: scheduling the owned checks failed", "err", err)
	}
}
