package cluster

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// syncBuffer is a log destination read while members write to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fastMember heartbeats every 200ms and counts a member dead after 1s, so
// that the tests see a death in about a second instead of 15.
func fastMember(pool *pgxpool.Pool, instance, region, hash string, log *syncBuffer) *Membership {
	m := &Membership{
		DB:        pool,
		Self:      Member{Instance: instance, Region: region, Version: "test", ConfigHash: hash},
		Heartbeat: 200 * time.Millisecond,
		DeadAfter: time.Second,
	}
	if log != nil {
		m.Log = slog.New(slog.NewTextHandler(log, nil))
	}
	return m
}

func openPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), newDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func instances(ms []Member) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Instance)
	}
	return out
}

// Two members heartbeat and both are live; one stops without leaving (a
// crash) and is no longer live once DeadAfter has passed by the
// database's clock, while the other stays live.
func TestMembershipAStoppedMemberIsNotLive(t *testing.T) {
	pool := openPool(t)
	ctx := context.Background()
	a := fastMember(pool, "a", "eu", "h1", nil)
	b := fastMember(pool, "b", "eu", "h1", nil)
	actx, stopA := context.WithCancel(ctx)
	defer stopA()
	go func() { _ = a.Run(actx) }()
	bctx, stopB := context.WithCancel(ctx)
	bDone := make(chan struct{})
	go func() { defer close(bDone); _ = b.Run(bctx) }()

	var live []Member
	waitFor(t, 5*time.Second, "a and b live", func() bool {
		live, _ = a.Live(ctx)
		return slices.Equal(instances(live), []string{"a", "b"})
	})
	// Stop b's heartbeat as a crash would: no drain, no leave. Run marks
	// it draining on the way out; undo that to leave only the silence.
	stopB()
	<-bDone
	if _, err := pool.Exec(ctx, `UPDATE cluster_member SET draining = false WHERE instance = 'b'`); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	time.Sleep(500 * time.Millisecond)
	if live, _ = a.Live(ctx); !slices.Contains(instances(live), "b") {
		t.Fatalf("b not live %v after its last heartbeat, before DeadAfter: %v", time.Since(stopped), instances(live))
	}
	waitFor(t, 3*time.Second, "b no longer live", func() bool {
		live, _ = a.Live(ctx)
		return slices.Equal(instances(live), []string{"a"})
	})
	if d := time.Since(stopped); d < 800*time.Millisecond {
		t.Fatalf("b dead %v after it stopped, before DeadAfter (1s)", d)
	}
}

// On shutdown a member is first marked draining, still live but owning
// nothing, and then leaves: its row is gone.
func TestMembershipDrainsThenLeaves(t *testing.T) {
	pool := openPool(t)
	ctx := context.Background()
	a := fastMember(pool, "a", "eu", "h1", nil)
	b := fastMember(pool, "b", "eu", "h1", nil)
	for _, m := range []*Membership{a, b} {
		if err := m.Beat(ctx); err != nil {
			t.Fatal(err)
		}
	}
	bctx, stopB := context.WithCancel(ctx)
	bDone := make(chan struct{})
	go func() { defer close(bDone); _ = b.Run(bctx) }()
	stopB()
	<-bDone
	v, err := a.View(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Members) != 2 || !v.Members[1].Draining || v.Members[0].Draining {
		t.Fatalf("members after b's Run ended: %+v, want b live and draining", v.Members)
	}
	if got := v.Owners("eu"); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("owners while b drains: %v, want [a]", got)
	}
	if err := b.Leave(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM cluster_member WHERE instance = 'b'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("b's rows after Leave: %d, %v", n, err)
	}
}

// A member whose config hash differs from the leader's is told so by
// ConfigDiffers, says so in its log once, and owns nothing; members on
// the leader's config own every check between them.
func TestMembershipFlagsAConfigOtherThanTheLeaders(t *testing.T) {
	pool := openPool(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logB syncBuffer
	a := fastMember(pool, "a", "eu", "same", nil)
	b := fastMember(pool, "b", "eu", "other", &logB)
	c := fastMember(pool, "c", "eu", "same", nil)
	var leading sync.WaitGroup
	leading.Add(1)
	e := &Elector{DB: pool, Name: "engine", Holder: "a", TTL: 3 * time.Second, Renew: 300 * time.Millisecond}
	var once sync.Once
	go func() {
		_ = e.Run(ctx, func(ctx context.Context, _ int64) { once.Do(leading.Done); <-ctx.Done() })
	}()
	leading.Wait()
	for _, m := range []*Membership{a, b, c} {
		go func() { _ = m.Run(ctx) }()
	}
	waitFor(t, 5*time.Second, "b's log line", func() bool {
		return strings.Contains(logB.String(), "differs from the leader's")
	})
	differs, leaderHash, err := b.ConfigDiffers(ctx)
	if err != nil || !differs || leaderHash != "same" {
		t.Fatalf("b.ConfigDiffers = %v, %q, %v; want true, \"same\"", differs, leaderHash, err)
	}
	if differs, _, err := c.ConfigDiffers(ctx); err != nil || differs {
		t.Fatalf("c.ConfigDiffers = %v, %v; want false", differs, err)
	}
	time.Sleep(500 * time.Millisecond) // more rounds: the line is logged once
	if n := strings.Count(logB.String(), "differs from the leader's"); n != 1 {
		t.Fatalf("the mismatch was logged %d times, want once:\n%s", n, logB.String())
	}
	v, err := a.View(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.Leader != "a" || v.Epoch < 1 {
		t.Fatalf("view: leader %q epoch %d, want a and an epoch", v.Leader, v.Epoch)
	}
	owners := v.Owners("eu")
	if !slices.Equal(owners, []string{"a", "c"}) {
		t.Fatalf("owners %v, want [a c]: b runs another config", owners)
	}
	checks := make([]string, 200)
	for i := range checks {
		checks[i] = fmt.Sprintf("comp.check-%d", i)
	}
	owned := map[string]int{}
	for _, o := range owners {
		for _, id := range Owned(o, owners, checks) {
			owned[id]++
		}
	}
	for _, id := range checks {
		if owned[id] != 1 {
			t.Fatalf("check %s has %d owners, want exactly one", id, owned[id])
		}
	}
	if got := Owned("b", owners, checks); len(got) != 0 {
		t.Fatalf("b owns %d checks while its config differs", len(got))
	}
}

// Owned over the live members of a region gives every check exactly one
// owner, also after a member died: its checks go to the others.
func TestOwnedOverLiveMembers(t *testing.T) {
	pool := openPool(t)
	ctx := context.Background()
	ms := []*Membership{
		fastMember(pool, "a", "eu", "h", nil),
		fastMember(pool, "b", "eu", "h", nil),
		fastMember(pool, "c", "eu", "h", nil),
		fastMember(pool, "x", "us", "h", nil),
	}
	for _, m := range ms {
		if err := m.Beat(ctx); err != nil {
			t.Fatal(err)
		}
	}
	checks := make([]string, 300)
	for i := range checks {
		checks[i] = fmt.Sprintf("c%d", i)
	}
	owners := func() ([]string, map[string]string) {
		v, err := ms[0].View(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n := v.Regions(); n["eu"]+n["us"] != len(v.Members) {
			t.Fatalf("regions %v for %d members", n, len(v.Members))
		}
		live := v.Owners("eu")
		by := map[string]string{}
		for _, o := range live {
			for _, id := range Owned(o, live, checks) {
				if prev, ok := by[id]; ok {
					t.Fatalf("check %s owned by %s and %s", id, prev, o)
				}
				by[id] = o
			}
		}
		if len(by) != len(checks) {
			t.Fatalf("%d of %d checks owned by %v", len(by), len(checks), live)
		}
		return live, by
	}
	live, before := owners()
	if !slices.Equal(live, []string{"a", "b", "c"}) {
		t.Fatalf("owners in eu: %v", live)
	}
	// c's heartbeat is older than DeadAfter by the database's clock.
	if _, err := pool.Exec(ctx, `UPDATE cluster_member SET heartbeat_at = now() - interval '2 seconds' WHERE instance = 'c'`); err != nil {
		t.Fatal(err)
	}
	live, after := owners()
	if !slices.Equal(live, []string{"a", "b"}) {
		t.Fatalf("owners in eu after c died: %v", live)
	}
	for id, o := range before {
		if o != "c" && after[id] != o {
			t.Fatalf("check %s moved from %s to %s though %s is alive", id, o, after[id], o)
		}
	}
}
