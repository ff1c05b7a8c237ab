package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Member is one instance as cluster_member records it.
type Member struct {
	Instance   string
	Region     string
	Version    string
	ConfigHash string
	// HeartbeatAt is the database's clock at the member's last heartbeat.
	HeartbeatAt time.Time
	// Draining is set by an instance that is shutting down: it is still
	// alive but about to go, and should be given nothing new.
	Draining bool
}

// View is what one round of a Membership saw in the database.
type View struct {
	// Members are the live members, draining ones included, by region
	// then instance.
	Members []Member
	// Leader holds the lease unexpired ("" when nobody does); Epoch is
	// the lease's epoch, which goes up with each new holder.
	Leader string
	Epoch  int64
	// LeaderHash is the leader's config hash, "" when the leader is not a
	// live member.
	LeaderHash string
}

// Regions counts the live members of each region.
func (v View) Regions() map[string]int {
	out := map[string]int{}
	for _, m := range v.Members {
		out[m.Region]++
	}
	return out
}

// Owners lists the instances of region that may own checks: live, not
// draining, and on the leader's config (or any config while there is no
// leader to compare with). An instance on another config would probe
// other checks than the leader expects, so it owns nothing until it runs
// the same file.
func (v View) Owners(region string) []string {
	var out []string
	for _, m := range v.Members {
		if m.Region == region && !m.Draining && (v.LeaderHash == "" || m.ConfigHash == v.LeaderHash) {
			out = append(out, m.Instance)
		}
	}
	return out
}

// Membership keeps this instance's row in cluster_member fresh and reads
// the others'. Every time is the database's clock, so instances whose
// clocks differ still agree on who is alive.
type Membership struct {
	DB   DB
	Self Member // Instance, Region, Version and ConfigHash of this instance
	Log  *slog.Logger
	// Heartbeat is how often the row is refreshed (default 5s); DeadAfter
	// how old a heartbeat may be before its member is no longer live
	// (default 15s: three missed heartbeats).
	Heartbeat, DeadAfter time.Duration
	// Lease names the lease whose holder is the leader (default "engine").
	Lease string
	// OnView, if set, receives what each round saw, after the heartbeat.
	OnView func(View)

	// hash replaces Self.ConfigHash once SetConfigHash was called.
	hash atomic.Pointer[string]
}

// SetConfigHash changes the hash the next heartbeats record, after a
// reload; it is safe to call while Run runs.
func (m *Membership) SetConfigHash(h string) { m.hash.Store(&h) }

func (m *Membership) configHash() string {
	if h := m.hash.Load(); h != nil {
		return *h
	}
	return m.Self.ConfigHash
}

// forgetAfter is how long a dead member's row is kept: instance names of
// crashed processes (with a random suffix by default) would otherwise
// pile up.
const forgetAfter = time.Hour

// The settings with their defaults, read without writing: Run and the
// read methods may be called at once.
func (m *Membership) heartbeat() time.Duration { return orDuration(m.Heartbeat, 5*time.Second) }
func (m *Membership) deadAfter() time.Duration { return orDuration(m.DeadAfter, 15*time.Second) }

func (m *Membership) lease() string {
	if m.Lease == "" {
		return "engine"
	}
	return m.Lease
}

func (m *Membership) log() *slog.Logger {
	if m.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return m.Log
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Run heartbeats until ctx ends, then marks this instance draining; call
// Leave once the instance has stopped its work. A round that fails is
// logged and tried again at the next heartbeat: the member stays live
// for DeadAfter meanwhile.
func (m *Membership) Run(ctx context.Context) error {
	mismatch := false
	for {
		if err := m.round(ctx, &mismatch); err != nil && ctx.Err() == nil {
			m.log().Warn("cluster: heartbeat failed", "instance", m.Self.Instance, "err", err)
		}
		select {
		case <-ctx.Done():
			dctx, cancel := context.WithTimeout(context.Background(), statementTimeout)
			defer cancel()
			if err := m.Drain(dctx); err != nil {
				m.log().Warn("cluster: marking this instance draining", "instance", m.Self.Instance, "err", err)
			}
			return nil
		case <-time.After(m.heartbeat()):
		}
	}
}

// round is one heartbeat and one look at the others.
func (m *Membership) round(ctx context.Context, mismatch *bool) error {
	if err := m.Beat(ctx); err != nil {
		return err
	}
	v, err := m.View(ctx)
	if err != nil {
		return err
	}
	differs := v.LeaderHash != "" && v.LeaderHash != m.configHash()
	if differs != *mismatch {
		*mismatch = differs
		if differs {
			m.log().Error("cluster: this instance's config differs from the leader's; it owns no checks until both run the same file",
				"instance", m.Self.Instance, "leader", v.Leader, "config_hash", m.configHash(), "leader_config_hash", v.LeaderHash)
		} else {
			m.log().Info("cluster: this instance's config matches the leader's again", "instance", m.Self.Instance, "leader", v.Leader)
		}
	}
	if m.OnView != nil {
		m.OnView(v)
	}
	if _, err := m.exec(ctx, `DELETE FROM cluster_member WHERE heartbeat_at < now() - $1::interval`, forgetAfter.String()); err != nil {
		m.log().Debug("cluster: forgetting dead members", "err", err)
	}
	return nil
}

// Beat records that this instance is alive now, by the database's clock,
// with its region, version and config hash.
func (m *Membership) Beat(ctx context.Context) error {
	s := m.Self
	s.ConfigHash = m.configHash()
	_, err := m.exec(ctx, `
INSERT INTO cluster_member (instance, region, version, config_hash, heartbeat_at, draining)
VALUES ($1, $2, $3, $4, now(), false)
ON CONFLICT (instance) DO UPDATE
   SET region = EXCLUDED.region, version = EXCLUDED.version, config_hash = EXCLUDED.config_hash,
       heartbeat_at = now(), draining = false`, s.Instance, s.Region, s.Version, s.ConfigHash)
	if err != nil {
		return fmt.Errorf("cluster: heartbeat: %w", err)
	}
	return nil
}

// Live lists the members whose last heartbeat is within DeadAfter of the
// database's clock, by region then instance.
func (m *Membership) Live(ctx context.Context) ([]Member, error) {
	ctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	rows, err := m.DB.Query(ctx, `
SELECT instance, region, version, config_hash, heartbeat_at, draining
  FROM cluster_member
 WHERE heartbeat_at > now() - $1::interval
 ORDER BY region, instance`, m.deadAfter().String())
	if err != nil {
		return nil, fmt.Errorf("cluster: live members: %w", err)
	}
	ms, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Member, error) {
		var x Member
		err := r.Scan(&x.Instance, &x.Region, &x.Version, &x.ConfigHash, &x.HeartbeatAt, &x.Draining)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: live members: %w", err)
	}
	return ms, nil
}

// View reads the live members and the lease.
func (m *Membership) View(ctx context.Context) (View, error) {
	ms, err := m.Live(ctx)
	if err != nil {
		return View{}, err
	}
	v := View{Members: ms}
	qctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	var holder *string
	err = m.DB.QueryRow(qctx, `
SELECT CASE WHEN expires_at > now() THEN holder END, epoch
  FROM cluster_lease WHERE name = $1`, m.lease()).Scan(&holder, &v.Epoch)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return View{}, fmt.Errorf("cluster: reading the lease: %w", err)
	case holder != nil:
		v.Leader = *holder
	}
	for _, x := range ms {
		if v.Leader != "" && x.Instance == v.Leader {
			v.LeaderHash = x.ConfigHash
		}
	}
	return v, nil
}

// ConfigDiffers reports whether this instance runs another config than
// the leader, whose hash it returns. Without a leader, or with a leader
// that is not a live member, there is nothing to compare: false.
func (m *Membership) ConfigDiffers(ctx context.Context) (differs bool, leaderHash string, err error) {
	v, err := m.View(ctx)
	if err != nil {
		return false, "", err
	}
	return v.LeaderHash != "" && v.LeaderHash != m.configHash(), v.LeaderHash, nil
}

// Drain marks this instance as leaving: live, but to be given nothing new.
func (m *Membership) Drain(ctx context.Context) error {
	_, err := m.exec(ctx, `UPDATE cluster_member SET draining = true WHERE instance = $1`, m.Self.Instance)
	return err
}

// Leave deletes this instance's row: it has stopped and is no member any
// more.
func (m *Membership) Leave(ctx context.Context) error {
	_, err := m.exec(ctx, `DELETE FROM cluster_member WHERE instance = $1`, m.Self.Instance)
	return err
}

func (m *Membership) exec(ctx context.Context, sql string, args ...any) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	tag, err := m.DB.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

// DefaultInstance names an instance that was given no name: its host
// name, cut to fit an id, and a random suffix, so that two processes on
// one host (or a container restarted with the same host name) are two
// members.
func DefaultInstance() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "up"
	}
	host, _, _ = strings.Cut(host, ".")
	var b strings.Builder
	for _, r := range host {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-_")
	if len(name) > 48 {
		name = name[:48]
	}
	if name == "" {
		name = "up"
	}
	suffix := make([]byte, 3)
	_, _ = rand.Read(suffix)
	return name + "-" + hex.EncodeToString(suffix)
}
