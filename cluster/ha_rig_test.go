package cluster_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/internal/testenv"
)

// The HA suite runs several real up processes on one PostgreSQL
// database, as an operator would, and holds them to what a cluster
// promises: one leader, one incident per outage, the same page on every
// instance, every webhook delivered at least once and in order. This file
// is the rig: the instances, and how to start, stop and ask them;
// ha_agree_test.go is what they must agree on, ha_peers_test.go the
// target they probe and the webhook receiver, ha_test.go the tests.

// adminToken is the token of the config's admin user.
const adminToken = "ha-admin-token-0123456789abcdef"

// haConfig is the one file every instance runs: probes every second, a
// check down after two failures and up after one success, incidents
// resolved at once and never reopened, so that each outage the test
// makes is one incident of its own. web.home probes the target the test
// switches; api.health always passes. Two subscribers take webhooks: ops
// every kind, pager only incidents. It names no cluster.instance: each
// instance is its host name and a random suffix, as by default.
const haConfig = `page: {url: "http://127.0.0.1"}
listen: {api: "127.0.0.1:0", websocket: "127.0.0.1:0"}
storage: {postgres: %q}
cluster: {region: ha}
defaults: {interval: 1s, timeout: 500ms, failure_threshold: 2, success_threshold: 1}
incidents: {resolve_after: 0s, reopen_within: 0s}
components:
  - id: web
    name: Web
    checks:
      - {name: home, http: {url: "%s/home"}}
  - id: api
    name: API
    checks:
      - {name: health, http: {url: "%s/health"}}
subscribers:
  - {id: ops, url: "%s/ops"}
  - {id: pager, url: "%s/pager", events: [incident]}
users:
  - {id: admin, role: admin, token: %q}
`

// haShared is what the tests of the suite share: the binary and the
// PostgreSQL server, each made once.
type haShared struct {
	bin string
	pg  *testenv.PostgresServer
}

// rig is one test's cluster: its database, the target its checks probe,
// the webhook receiver and the instances.
type rig struct {
	t      *testing.T
	shared *haShared
	db     string // the database's URL
	config string // the config file's path
	target *target
	hooks  *receiver
	nodes  []*node
}

// node is one instance. Its process changes when the test restarts it;
// each start gets a new instance name, as a restarted host would.
type node struct {
	name   string
	up     *testenv.Up
	down   bool // killed or stopped by the test
	paused bool // SIGSTOPped
}

// newRig starts n instances on a fresh database and waits until they
// answer and one of them leads.
func newRig(t *testing.T, shared *haShared, n int) *rig {
	t.Helper()
	r := &rig{t: t, shared: shared, db: shared.pg.CreateDatabase(t), target: newTarget(t), hooks: newReceiver(t)}
	r.config = filepath.Join(t.TempDir(), "up.yaml")
	text := fmt.Sprintf(haConfig, r.db, r.target.URL(), r.target.URL(), r.hooks.URL(), r.hooks.URL(), adminToken)
	if err := os.WriteFile(r.config, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		nd := &node{name: fmt.Sprintf("node-%d", i+1)}
		r.nodes = append(r.nodes, nd)
		r.start(nd)
	}
	r.awaitLeader(20*time.Second, nil)
	return r
}

// start runs nd's process, at log level warn so that a failure shows
// what went wrong and not every probe.
func (r *rig) start(nd *node) {
	r.t.Helper()
	nd.up = testenv.StartUpNamed(r.t, nd.name, r.shared.bin, "run", "--config", r.config, "--log-level", "warn")
	nd.down, nd.paused = false, false
}

// live lists the nodes whose process runs and is not stopped.
func (r *rig) live() []*node {
	var out []*node
	for _, nd := range r.nodes {
		if !nd.down && !nd.paused {
			out = append(out, nd)
		}
	}
	return out
}

// kill ends nd with SIGKILL, as a crash or an OOM kill would.
func (r *rig) kill(nd *node) {
	nd.up.Kill()
	nd.down = true
}

// terminate sends SIGTERM to nd and does not wait for it to exit.
func (r *rig) terminate(nd *node) {
	nd.up.Signal(syscall.SIGTERM)
	nd.down = true
}

// pause stops nd with SIGSTOP: alive to the kernel, silent to everyone,
// as a process stuck in a long pause or a frozen VM is.
func (r *rig) pause(nd *node) {
	nd.up.Signal(syscall.SIGSTOP)
	nd.paused = true
	// Before the process's own cleanup, which sends SIGTERM: a stopped
	// process would not act on it.
	up := nd.up
	r.t.Cleanup(func() { up.Signal(syscall.SIGCONT) })
}

// resume continues a paused nd.
func (r *rig) resume(nd *node) {
	nd.up.Signal(syscall.SIGCONT)
	nd.paused = false
}

var client = &http.Client{Timeout: 3 * time.Second}

// get GETs path from nd and decodes the JSON answer into v.
func (nd *node) get(path string, v any) error {
	resp, err := client.Get(nd.up.URL(path))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s GET %s: %s %s", nd.name, path, resp.Status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s GET %s: %w", nd.name, path, err)
	}
	return nil
}

// answer is an API answer as a client sees it.
type answer struct {
	code   int
	header http.Header
	body   []byte
}

// put PUTs body to path on nd with the admin token. It may wait: a
// follower forwards the write and answers once it is applied.
func (nd *node) put(path string, body any) (answer, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return answer{}, err
	}
	req, err := http.NewRequest(http.MethodPut, nd.up.URL(path), bytes.NewReader(b))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	slow := &http.Client{Timeout: 30 * time.Second}
	resp, err := slow.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return answer{code: resp.StatusCode, header: resp.Header, body: out}, err
}

// metric is one series of nd's /metrics, and whether it is there.
func (nd *node) metric(t *testing.T, series string) (float64, bool, error) {
	resp, err := client.Get(nd.up.URL("/metrics"))
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, false, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, false, fmt.Errorf("%s GET /metrics: %s", nd.name, resp.Status)
	}
	v, ok := testenv.Series(t, string(b))[series]
	return v, ok, nil
}

// leaders lists the live nodes whose /metrics say they lead.
func (r *rig) leaders() ([]*node, error) {
	var out []*node
	for _, nd := range r.live() {
		v, ok, err := nd.metric(r.t, "uptime_cluster_leader")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%s exports no uptime_cluster_leader", nd.name)
		}
		if v == 1 {
			out = append(out, nd)
		}
	}
	return out, nil
}

// awaitLeader waits, bounded by limit, until exactly one live node
// leads, other than not, and returns it.
func (r *rig) awaitLeader(limit time.Duration, not *node) *node {
	r.t.Helper()
	var leader *node
	testenv.EventuallyOK(r.t, limit, "exactly one leader", func() error {
		ls, err := r.leaders()
		if err != nil {
			return err
		}
		if len(ls) != 1 {
			return fmt.Errorf("%d leaders: %s", len(ls), names(ls))
		}
		if ls[0] == not {
			return fmt.Errorf("%s still leads", not.name)
		}
		leader = ls[0]
		return nil
	})
	return leader
}

// followers are the live nodes other than leader.
func (r *rig) followers(leader *node) []*node {
	var out []*node
	for _, nd := range r.live() {
		if nd != leader {
			out = append(out, nd)
		}
	}
	return out
}

func names(ns []*node) string {
	var s []string
	for _, nd := range ns {
		s = append(s, nd.name)
	}
	return "[" + strings.Join(s, " ") + "]"
}

// exec runs a statement on the rig's database, as an operator at psql
// would.
func (r *rig) exec(sql string, args ...any) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, r.db)
	if err != nil {
		r.t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		r.t.Fatalf("%s: %v", sql, err)
	}
}

// row is a query of the rig's database, read by scan or err.
type row struct {
	r    *rig
	sql  string
	args []any
}

func (r *rig) queryRow(sql string, args ...any) row { return row{r, sql, args} }

// err reads the row into dest and returns what went wrong, for polling.
func (q row) err(dest ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, q.r.db)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.QueryRow(ctx, q.sql, q.args...).Scan(dest...)
}

// scan reads the row into dest or fails the test.
func (q row) scan(dest ...any) {
	q.r.t.Helper()
	if err := q.err(dest...); err != nil {
		q.r.t.Fatalf("%s: %v", q.sql, err)
	}
}
