package cluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/up-status/up/internal/testenv"
	"github.com/up-status/up/store/postgres"
)

var pg testenv.Postgres

func TestMain(m *testing.M) {
	if url := os.Getenv("UP_LEASE_CHILD"); url != "" {
		os.Exit(runChildLeader(url))
	}
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

// commitsSchema is the proof of fencing: every commit a leader makes
// records its epoch and the database's clock at commit.
const commitsSchema = `CREATE TABLE IF NOT EXISTS commits (epoch bigint NOT NULL, holder text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`

// newDB makes a database with up's schema, cluster tables included, and
// the commit table.
func newDB(t *testing.T) string {
	t.Helper()
	srv := pg.Server(t)
	tmpl := srv.Template(t, "cluster_template", func(url string) error {
		db, err := postgres.Open(context.Background(), url)
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.Pool().Exec(context.Background(), commitsSchema)
		return err
	})
	return srv.CreateDatabaseFrom(t, tmpl)
}

// leaderPool opens the pool a leader uses. A leader paused in the middle
// of a transaction holds the lease row's share lock: the session timeout
// lets the database end such a session, so a follower can take over.
func leaderPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = 3
	cfg.ConnConfig.RuntimeParams["idle_in_transaction_session_timeout"] = "2000"
	return pgxpool.NewWithConfig(ctx, cfg)
}

// commit is one fenced transaction of a leader.
func commit(ctx context.Context, pool *pgxpool.Pool, holder string, epoch int64) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := Fence(ctx, tx, "engine", holder, epoch); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO commits (epoch, holder) VALUES ($1, $2)`, epoch, holder)
		return err
	})
}

type leadership struct {
	mu     sync.Mutex
	epochs []int64
	ended  []time.Time
}

func (l *leadership) lead(ctx context.Context, epoch int64) {
	l.mu.Lock()
	l.epochs = append(l.epochs, epoch)
	l.mu.Unlock()
	<-ctx.Done()
	l.mu.Lock()
	l.ended = append(l.ended, time.Now())
	l.mu.Unlock()
}

func (l *leadership) terms() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.epochs)
}

func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func elector(pool *pgxpool.Pool, holder string) *Elector {
	return &Elector{DB: pool, Name: "engine", Holder: holder, TTL: 3 * time.Second, Renew: 300 * time.Millisecond}
}

// One of two candidates leads; when it resigns the other takes over, with
// a higher epoch.
func TestLeaseAcquireResignTakeover(t *testing.T) {
	url := newDB(t)
	ctx := context.Background()
	pool, err := leaderPool(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	var a, b leadership
	actx, stopA := context.WithCancel(ctx)
	aDone := make(chan struct{})
	go func() { defer close(aDone); _ = elector(pool, "a").Run(actx, a.lead) }()
	waitFor(t, 10*time.Second, "a to lead", func() bool { return a.terms() == 1 })

	bctx, stopB := context.WithCancel(ctx)
	defer stopB()
	bDone := make(chan struct{})
	go func() { defer close(bDone); _ = elector(pool, "b").Run(bctx, b.lead) }()
	time.Sleep(time.Second) // several renewals: b must stay a follower
	if b.terms() != 0 {
		t.Fatal("b leads while a holds the lease")
	}
	if err := commit(ctx, pool, "a", a.epochs[0]); err != nil {
		t.Fatalf("the leader's fenced commit: %v", err)
	}

	stopA()
	<-aDone
	start := time.Now()
	waitFor(t, 2*time.Second, "b to take over after a resigned", func() bool { return b.terms() == 1 })
	t.Logf("handover after resignation: %v", time.Since(start).Round(time.Millisecond))
	if b.epochs[0] <= a.epochs[0] {
		t.Fatalf("epochs did not go up: a %d, b %d", a.epochs[0], b.epochs[0])
	}
	if err := commit(ctx, pool, "a", a.epochs[0]); !errors.Is(err, ErrNotLeader) {
		t.Fatalf("a commit under a's old epoch = %v, want ErrNotLeader", err)
	}
	stopB()
	<-bDone
}

// cutDB is a database a leader cannot reach any more: every statement
// fails, as behind a partition.
type cutDB struct {
	DB
	cut chan struct{}
}

var errCut = errors.New("connection reset (cut by the test)")

func (c *cutDB) isCut() bool {
	select {
	case <-c.cut:
		return true
	default:
		return false
	}
}

func (c *cutDB) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if c.isCut() {
		return pgconn.CommandTag{}, errCut
	}
	return c.DB.Exec(ctx, sql, args...)
}

func (c *cutDB) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if c.isCut() {
		return cutRow{}
	}
	return c.DB.QueryRow(ctx, sql, args...)
}

type cutRow struct{}

func (cutRow) Scan(...any) error { return errCut }

// A leader that cannot renew stops leading before its lease ends by the
// database's clock, so two leaders never act at once.
func TestLeaseExpiresBeforeAnotherLeads(t *testing.T) {
	url := newDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pool, err := leaderPool(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	var a, b leadership
	cut := &cutDB{DB: pool, cut: make(chan struct{})}
	ea := elector(pool, "a")
	ea.DB = cut
	go func() { _ = ea.Run(ctx, a.lead) }()
	waitFor(t, 10*time.Second, "a to lead", func() bool { return a.terms() == 1 })
	close(cut.cut)

	bAt := make(chan time.Time, 1)
	go func() {
		_ = elector(pool, "b").Run(ctx, func(ctx context.Context, epoch int64) {
			bAt <- time.Now()
			b.lead(ctx, epoch)
		})
	}()
	var took time.Time
	select {
	case took = <-bAt:
	case <-time.After(15 * time.Second):
		t.Fatal("b never took over from a leader cut off from the database")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.epochs) != 1 || len(a.ended) != 1 || !a.ended[0].Before(took) {
		t.Fatalf("a stopped leading at %v, b started at %v: two leaders at once", a.ended, took)
	}
}

// runChildLeader is the child of TestPausedLeaderCommitsNothing: it
// campaigns as "child" and, while it leads, commits every 50 ms. It runs
// until SIGTERM.
func runChildLeader(url string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	pool, err := leaderPool(ctx, url)
	if err != nil {
		fmt.Println("pool:", err)
		return 3
	}
	defer pool.Close()
	e := elector(pool, "child")
	_ = e.Run(ctx, func(ctx context.Context, epoch int64) {
		fmt.Println("leading", epoch)
		for ctx.Err() == nil {
			if err := commit(ctx, pool, "child", epoch); err != nil && ctx.Err() == nil {
				fmt.Println("commit refused:", err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	return 0
}

// A leader stopped with SIGSTOP past its lease commits nothing after
// SIGCONT: the commit log by epoch shows every commit of its epoch before
// the first of the next one.
func TestPausedLeaderCommitsNothing(t *testing.T) {
	url := newDB(t)
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), "UP_LEASE_CHILD="+url)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = child.Wait(); close(exited) }()
	defer func() {
		_ = child.Process.Signal(syscall.SIGCONT)
		_ = child.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = child.Process.Kill()
		}
	}()
	lines := make(chan string, 100)
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
	}()
	select {
	case l := <-lines:
		if !strings.HasPrefix(l, "leading ") {
			t.Fatalf("child: %s", l)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the child never led")
	}
	time.Sleep(300 * time.Millisecond) // a few commits
	if err := child.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pool, err := leaderPool(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var b leadership
	epochs := make(chan int64, 1)
	go func() {
		_ = elector(pool, "b").Run(ctx, func(ctx context.Context, epoch int64) {
			epochs <- epoch
			for ctx.Err() == nil {
				_ = commit(ctx, pool, "b", epoch)
				time.Sleep(50 * time.Millisecond)
			}
			b.lead(ctx, epoch)
		})
	}()
	var bEpoch int64
	select {
	case bEpoch = <-epochs:
	case <-time.After(20 * time.Second):
		t.Fatal("b never took over from the paused leader")
	}
	time.Sleep(200 * time.Millisecond)
	if err := child.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the child wakes up and tries to commit

	var stale, after int
	err = pool.QueryRow(ctx, `
SELECT count(*) FILTER (WHERE epoch < $1),
       count(*) FILTER (WHERE epoch < $1 AND at >= (SELECT min(at) FROM commits WHERE epoch = $1))
  FROM commits`, bEpoch).Scan(&stale, &after)
	if err != nil {
		t.Fatal(err)
	}
	if stale == 0 {
		t.Fatal("the child committed nothing before it was paused: the test proves nothing")
	}
	if after != 0 {
		t.Fatalf("%d commits of an old epoch landed after epoch %d began", after, bEpoch)
	}
	refused := false
	for done := false; !done; {
		select {
		case l, ok := <-lines:
			if !ok {
				done = true
			} else if strings.Contains(l, "no longer holds the lease") || strings.Contains(l, "commit refused") {
				refused = true
			}
		default:
			done = true
		}
	}
	t.Logf("old-epoch commits: %d, all before epoch %d; the woken leader was refused: %v", stale, bEpoch, refused)
}
