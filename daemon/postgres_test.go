package daemon

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/config"
	"github.com/up-status/up/internal/testenv"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
	"github.com/up-status/up/store/postgres"
)

// pg is the PostgreSQL server of this test binary, started by the first
// test that needs it.
var pg testenv.Postgres

// pgPassword is in the database URL the daemon is given. The test server
// trusts local connections and never asks for it, so it is only there to
// be looked for in what the daemon prints.
const pgPassword = "pg-sekrit-4711"

// closedAddr is a loopback address nothing listens on: probes of it fail
// at once with "connection refused".
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// pgDatabase makes a database and returns its URL, with a password the
// server ignores.
func pgDatabase(t *testing.T) string {
	t.Helper()
	url := pg.Server(t).CreateDatabase(t)
	return strings.Replace(url, "postgres://postgres@", "postgres://postgres:"+pgPassword+"@", 1)
}

// pgConfig is a config on PostgreSQL, the URL taken from the environment
// as the README shows it, with one failing check and a subscriber whose
// webhooks cannot be delivered, so they stay in the outbox.
func pgConfig(t *testing.T, url, extra string) *config.Config {
	t.Helper()
	return pgConfigAt(t, url, closedAddr(t), extra)
}

// pgConfigAt is pgConfig with the dead address given: the instances of a
// cluster must run the same file.
func pgConfigAt(t *testing.T, url, dead, extra string) *config.Config {
	t.Helper()
	text := fmt.Sprintf(`page: {url: "http://127.0.0.1"}
listen: {api: "127.0.0.1:0", websocket: "127.0.0.1:0"}
storage: {postgres: "${UP_DATABASE_URL}"}
defaults: {interval: 250ms, timeout: 200ms, failure_threshold: 1, success_threshold: 1}
components:
  - id: web
    name: Web
    checks:
      - {name: home, tcp: {address: %q}}
subscribers:
  - {id: ops, url: "http://%s/hook"}
%s`, dead, dead, extra)
	cfg, err := config.ParseWithEnv([]byte(text), "pg.yaml", func(name string) (string, bool) {
		return url, name == "UP_DATABASE_URL"
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// openPG opens the daemon's database beside it, as another process would.
func openPG(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url, postgres.WithMaxConns(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A daemon on PostgreSQL works as on SQLite: a failing check opens an
// incident that is in the database with its webhook in the outbox, and a
// new daemon on the same database carries on with that incident instead
// of opening another. The URL's password is printed nowhere.
func TestDaemonOnPostgres(t *testing.T) {
	url := pgDatabase(t)
	cfg := pgConfig(t, url, "")
	r := startDaemon(t, cfg)
	if r.d.pg == nil {
		t.Fatal("the daemon did not open PostgreSQL")
	}
	db := openPG(t, url)
	ctx := context.Background()
	var open []status.Incident
	testenv.Eventually(t, 10*time.Second, "an open incident in the database", func() bool {
		open, _ = db.Incidents(ctx, store.IncidentFilter{OpenOnly: true})
		return len(open) == 1
	})
	if c := open[0].Components; len(c) != 1 || c[0] != "web" {
		t.Fatalf("incident %+v, want one for component web", open[0])
	}
	testenv.Eventually(t, 10*time.Second, "the incident's webhook in the outbox", func() bool {
		ds, _ := db.Deliveries(ctx, "", 0)
		for _, d := range ds {
			if d.Subscriber == "ops" && d.Event == "incident" && strings.Contains(string(d.Payload), open[0].ID) {
				return true
			}
		}
		return false
	})
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}

	again := startDaemon(t, pgConfig(t, url, ""))
	var restored *status.Incident
	for _, inc := range again.d.Snapshot().Incidents {
		if inc.Open() {
			restored = &inc
		}
	}
	if restored == nil || restored.ID != open[0].ID {
		t.Fatalf("after the restart the open incident is %+v, want %s", restored, open[0].ID)
	}
	// Several probe rounds after the restart: still the one incident.
	time.Sleep(time.Second)
	all, err := db.Incidents(ctx, store.IncidentFilter{})
	if err != nil || len(all) != 1 {
		t.Fatalf("incidents after the restart: %d, %v; want the one", len(all), err)
	}
	for _, text := range []string{r.log.String(), again.log.String()} {
		if strings.Contains(text, pgPassword) {
			t.Fatalf("the log shows the database password:\n%s", text)
		}
	}
	if !strings.Contains(r.log.String(), `store="postgres://postgres@/`) {
		t.Errorf("the log does not name the database:\n%s", r.log.String())
	}
}

// getText is a GET on the daemon's API: status code and body.
func (r *running) getText(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + r.d.APIAddr() + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// setReadOnly makes the database read-only or writable for new sessions
// and ends the current ones, so the daemon's pool reconnects under it.
func setReadOnly(t *testing.T, url string, on bool) {
	t.Helper()
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, pg.Server(t).URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	name := pgx.Identifier{cfg.Database}.Sanitize()
	stmt := `ALTER DATABASE ` + name + ` RESET default_transaction_read_only`
	if on {
		stmt = `ALTER DATABASE ` + name + ` SET default_transaction_read_only = on`
	}
	if _, err := admin.Exec(ctx, stmt); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, cfg.Database); err != nil {
		t.Fatal(err)
	}
}

// /readyz and uptime_database_up report a database that answers but
// cannot be written (a failover to a read-only server), without waiting
// for the pipeline to have something to write, and recover with it.
func TestReadyzReportsADatabaseThatCannotBeWritten(t *testing.T) {
	url := pgDatabase(t)
	r := startDaemonWith(t, pgConfig(t, url, ""), Options{DatabaseCheck: 100 * time.Millisecond})
	testenv.Eventually(t, 10*time.Second, "/readyz 200", func() bool {
		code, _ := r.getText(t, "/readyz")
		return code == http.StatusOK
	})
	if _, m := r.getText(t, "/metrics"); !strings.Contains(m, "\nuptime_database_up 1\n") {
		t.Fatalf("uptime_database_up not 1:\n%s", grepLines(m, "uptime_database"))
	}
	setReadOnly(t, url, true)
	var body string
	testenv.Eventually(t, 10*time.Second, "/readyz 503 naming the read-only database", func() bool {
		var code int
		code, body = r.getText(t, "/readyz")
		return code == http.StatusServiceUnavailable && strings.Contains(body, "read-only")
	})
	if strings.Contains(body, pgPassword) || !strings.Contains(body, "postgres://postgres@/") {
		t.Errorf("/readyz body %s: want the database named without its password", body)
	}
	if _, m := r.getText(t, "/metrics"); !strings.Contains(m, "\nuptime_database_up 0\n") {
		t.Fatalf("uptime_database_up not 0 on a read-only database:\n%s", grepLines(m, "uptime_database"))
	}
	setReadOnly(t, url, false)
	testenv.Eventually(t, 10*time.Second, "/readyz 200 again", func() bool {
		code, _ := r.getText(t, "/readyz")
		return code == http.StatusOK
	})
}

// A SQLite daemon exports none of the database and cluster families.
func TestSQLiteExportsNoClusterFamilies(t *testing.T) {
	r := startDaemon(t, daemonConfig(t, t.TempDir(), "      - {name: home, tcp: {address: \"127.0.0.1:9\"}}", "  []"))
	testenv.Eventually(t, 5*time.Second, "/metrics", func() bool {
		code, _ := r.getText(t, "/metrics")
		return code == http.StatusOK
	})
	if _, m := r.getText(t, "/metrics"); strings.Contains(m, "uptime_database_up") || strings.Contains(m, "uptime_cluster_") {
		t.Fatalf("a SQLite daemon exports database or cluster series:\n%s", grepLines(m, "uptime_"))
	}
}

// In a cluster the instance heartbeats, leads (it is alone), and says so
// in its metrics; on shutdown it resigns the lease and leaves.
func TestClusterDaemonLeadsAndLeaves(t *testing.T) {
	url := pgDatabase(t)
	r := startDaemon(t, pgConfig(t, url, "cluster: {region: eu, instance: node-1}\n"))
	want := []string{"\nuptime_cluster_leader 1\n", "\nuptime_cluster_members{region=\"eu\"} 1\n", "\nuptime_cluster_lease_epoch 1\n", "\nuptime_database_up 1\n"}
	var m string
	testenv.Eventually(t, 15*time.Second, "the cluster series of a sole leader", func() bool {
		_, m = r.getText(t, "/metrics")
		for _, w := range want {
			if !strings.Contains(m, w) {
				return false
			}
		}
		return true
	})
	if !r.d.cluster.Leading() {
		t.Fatal("the metrics say leader, the daemon does not")
	}
	db := openPG(t, url)
	ctx := context.Background()
	var hash string
	if err := db.Pool().QueryRow(ctx, `SELECT config_hash FROM cluster_member WHERE instance = 'node-1' AND region = 'eu'`).Scan(&hash); err != nil {
		t.Fatalf("the member row: %v", err)
	}
	if hash != r.d.cfg.Hash() {
		t.Fatalf("member config hash %q, want %q", hash, r.d.cfg.Hash())
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	var members int
	var holder *string
	if err := db.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM cluster_member), (SELECT holder FROM cluster_lease WHERE name = 'engine')`).Scan(&members, &holder); err != nil {
		t.Fatal(err)
	}
	if members != 0 || holder != nil {
		t.Fatalf("after shutdown: %d members, lease holder %v; want none and none", members, holder)
	}
}
