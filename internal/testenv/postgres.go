package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresInstall says how to get the server binaries.
const PostgresInstall = "apt-get install -y postgresql"

// errNoPostgres means initdb or postgres is not installed: a skip
// locally, a failure under CI.
var errNoPostgres = errors.New("PostgreSQL server binaries (initdb, postgres) not found")

// Postgres is a PostgreSQL server for one test binary: started by the
// first test that asks for it and stopped by TestMain, so that a package
// pays for initdb once. Its zero value is ready to use.
//
//	var pg testenv.Postgres
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		pg.Stop()
//		os.Exit(code)
//	}
type Postgres struct {
	once sync.Once
	srv  *PostgresServer
	err  error
}

// Server starts the server if no test did yet and returns it. Where the
// binaries are missing the test is skipped, or failed under CI=true; a
// server that does not start fails the test.
func (p *Postgres) Server(t testing.TB) *PostgresServer {
	t.Helper()
	p.once.Do(func() { p.srv, p.err = StartPostgres() })
	switch {
	case errors.Is(p.err, errNoPostgres) && !InCI():
		t.Skipf("%v (%s); skipping", p.err, PostgresInstall)
	case errors.Is(p.err, errNoPostgres):
		t.Fatalf("%v: required under CI=true: %s", p.err, PostgresInstall)
	case p.err != nil:
		t.Fatal(p.err)
	}
	return p.srv
}

// Stop stops the server if it was started. Call it from TestMain after
// m.Run, whatever the tests' outcome.
func (p *Postgres) Stop() {
	if p.srv != nil {
		if err := p.srv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
}

// PostgresServer is a running PostgreSQL server in a temporary directory,
// listening only on a Unix socket in that directory: no port to collide
// with another test binary, nothing reachable from the network. It runs
// with fsync=off; a crash of the machine may lose it, which is fine for
// a server that lives as long as a test binary.
type PostgresServer struct {
	dir  string
	bin  string              // the directory of postgres
	cred *syscall.Credential // whom the server runs as; nil: this process's user
	log  *os.File

	mu        sync.Mutex
	cmd       *exec.Cmd
	done      chan struct{} // closed when the postmaster exited
	admin     *pgx.Conn
	nextDB    int
	templates map[string]error // prepared templates, by name
}

// PostgresBinDir finds the directory holding initdb and postgres: the
// one of initdb on PATH (symlinks resolved), else Debian's
// /usr/lib/postgresql/<version>/bin, which is not on PATH, newest version
// first.
func PostgresBinDir() (string, error) {
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(debian, func(i, j int) bool { return pgVersion(debian[i]) > pgVersion(debian[j]) })
	for _, d := range append(dirs, debian...) {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", errNoPostgres
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isExec(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// StartPostgres runs initdb into a new temporary directory and starts the
// server on it. As root both run as the postgres user, since initdb
// refuses root. Most callers want Postgres.Server instead.
func StartPostgres() (_ *PostgresServer, err error) {
	bin, err := PostgresBinDir()
	if err != nil {
		return nil, err
	}
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "up-pg-")
	if err != nil {
		return nil, err
	}
	s := &PostgresServer{dir: dir}
	defer func() {
		if err != nil {
			err = fmt.Errorf("start PostgreSQL in %s: %w", dir, err)
			_ = s.Stop()
		}
	}()
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres",
		"--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync")
	initdb.Dir = dir
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}

	s.log, err = os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	s.bin, s.cred = bin, cred
	if err := s.start(); err != nil {
		return nil, err
	}
	return s, nil
}

// start runs the postmaster on the data directory and waits until it
// accepts connections.
func (s *PostgresServer) start() error {
	s.done = make(chan struct{})
	s.cmd = exec.Command(filepath.Join(s.bin, "postgres"), "-D", filepath.Join(s.dir, "data"), "-k", s.dir,
		"-c", "listen_addresses=",
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "max_connections=200",
		"-c", "shared_buffers=32MB")
	s.cmd.Dir = s.dir
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	// SIGQUIT is PostgreSQL's immediate shutdown: should this process die
	// without running TestMain's Stop (a panic, a kill), the postmaster
	// and its backends go with it instead of living on.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Pdeathsig: syscall.SIGQUIT}
	if err := s.cmd.Start(); err != nil {
		return err
	}
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(s.cmd, s.done)
	return s.waitReady(30 * time.Second)
}

// Restart does what `pg_ctl restart -m fast` does: it ends every session,
// shuts the server down cleanly and starts it again on the same data and
// socket, so that clients see their connections cut and must reconnect.
// The server stays this process's child, as pg_ctl's would not.
func (s *PostgresServer) Restart() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.shutdown(); err != nil {
		return err
	}
	if err := s.start(); err != nil {
		return fmt.Errorf("restart PostgreSQL in %s: %w", s.dir, err)
	}
	return nil
}

// serverCredential is the postgres user when running as root, nil (this
// process's own user) otherwise.
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, and initdb refuses root: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// waitReady connects until the server accepts, it exits, or d passes.
func (s *PostgresServer) waitReady(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, s.URL("postgres"))
		cancel()
		if err == nil {
			s.admin = conn
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("server exited: %s", s.logTail())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v: %w\n%s", d, err, s.logTail())
		}
	}
}

func (s *PostgresServer) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(bytes.TrimSpace(b))
}

// URL is the connection URL of database db, as the superuser postgres
// over the server's Unix socket.
func (s *PostgresServer) URL(db string) string {
	return "postgres://postgres@/" + db + "?host=" + s.dir + "&sslmode=disable"
}

// SocketDir is the directory of the server's Unix socket.
func (s *PostgresServer) SocketDir() string { return s.dir }

// CreateDatabase creates a new empty database for one test and returns
// its URL. Databases are not dropped: they go with the server.
func (s *PostgresServer) CreateDatabase(t testing.TB) string {
	t.Helper()
	// template0 is empty and never connected to, so creating from it
	// never waits for another session to leave the template.
	return s.CreateDatabaseFrom(t, "template0")
}

// CreateDatabaseFrom creates a new database for one test as a copy of
// template (see Template) and returns its URL.
func (s *PostgresServer) CreateDatabaseFrom(t testing.TB, template string) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextDB++
	name := fmt.Sprintf("test_%d", s.nextDB)
	if err := s.createDatabase(name, template); err != nil {
		t.Fatal(err)
	}
	return s.URL(name)
}

// createDatabase runs CREATE DATABASE on the admin connection; the
// caller holds s.mu. FILE_COPY copies the template's files instead of
// writing every block to the WAL: several times faster for a small
// database on a server without fsync.
func (s *PostgresServer) createDatabase(name, template string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize() +
		" TEMPLATE " + pgx.Identifier{template}.Sanitize() + " STRATEGY FILE_COPY"
	if _, err := s.admin.Exec(ctx, q); err != nil {
		return fmt.Errorf("create database %s from %s: %w", name, template, err)
	}
	return nil
}

// Template creates the database name once per server and runs prepare
// on its URL (e.g. to migrate a schema); later calls return at once.
// Databases made from it with CreateDatabaseFrom start where prepare
// left it, which saves every test the preparing. prepare must close its
// connections: a template in use cannot be copied.
func (s *PostgresServer) Template(t testing.TB, name string, prepare func(url string) error) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	err, done := s.templates[name]
	if !done {
		err = s.createDatabase(name, "template0")
		if err == nil {
			if err = prepare(s.URL(name)); err != nil {
				err = fmt.Errorf("prepare template %s: %w", name, err)
			}
		}
		if s.templates == nil {
			s.templates = map[string]error{}
		}
		s.templates[name] = err
	}
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// Stop shuts the server down (fast shutdown: sessions are ended) and
// removes its directory.
func (s *PostgresServer) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.shutdown()
	if s.log != nil {
		_ = s.log.Close()
	}
	if rmErr := os.RemoveAll(s.dir); rmErr != nil && err == nil {
		err = rmErr
	}
	return err
}

// shutdown closes the admin connection and stops the postmaster with a
// fast shutdown, harder if it does not go within 15 s; the caller holds
// s.mu.
func (s *PostgresServer) shutdown() error {
	if s.admin != nil {
		_ = s.admin.Close(context.Background())
		s.admin = nil
	}
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.done:
		return nil
	case <-time.After(15 * time.Second):
	}
	_ = s.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	return fmt.Errorf("PostgreSQL in %s did not stop within 15s", s.dir)
}
