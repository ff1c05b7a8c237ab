// Command cluster measures up run as a cluster: several instances on one
// throwaway PostgreSQL probing their shares of N checks against a
// loopback target. It prints CPU per probe for the cluster and for a
// single up on SQLite with the same checks, what the database did per
// second, how long the cluster goes without a leader after kill -9 and
// SIGTERM of the leader, and how far apart the instances' pages show a
// change. It prints figures; it asserts nothing.
//
//	make build && go run ./bench/cluster
//	go run ./bench/cluster -checks 2000 -window 1m -tries 3 -rounds 3
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// settings are the flags.
type settings struct {
	bin                      string
	instances, checks, ports int
	interval, timeout        time.Duration
	warmup, window           time.Duration
	profiles                 string
	single                   bool
	tries                    int
	leaderPoll               time.Duration
	flips, rounds            int
	poll                     time.Duration
}

func main() {
	var s settings
	flag.StringVar(&s.bin, "up", "bin/up", "the up binary to run (make build)")
	flag.IntVar(&s.instances, "instances", 3, "instances in the cluster")
	flag.IntVar(&s.checks, "checks", 5000, "HTTP checks, one per component")
	flag.DurationVar(&s.interval, "interval", 10*time.Second, "check interval")
	flag.DurationVar(&s.timeout, "timeout", 3*time.Second, "check timeout")
	flag.IntVar(&s.ports, "ports", 16, "target ports the checks are spread over")
	flag.DurationVar(&s.warmup, "warmup", 30*time.Second, "how long to run before a CPU window, once the cluster is steady")
	flag.DurationVar(&s.window, "window", 2*time.Minute, "the CPU window (0: skip the CPU figures)")
	flag.StringVar(&s.profiles, "cpuprofiles", "", "if set, run the instances with --pprof and save a 20 s CPU profile of each, taken at the start of the CPU window, to this directory (cpu-<instance>-<leader|follower>.pb.gz)")
	flag.BoolVar(&s.single, "single", true, "after the cluster, run a single up on SQLite with the same checks, warm-up and window, to compare")
	flag.IntVar(&s.tries, "tries", 10, "failover tries, each a kill -9 and a SIGTERM of the leader (0: skip)")
	flag.DurationVar(&s.leaderPoll, "leader-poll", 50*time.Millisecond, "how often to scrape the other instances' /metrics during a failover")
	flag.IntVar(&s.flips, "flip", 10, "checks whose target the agreement phase fails and restores")
	flag.IntVar(&s.rounds, "rounds", 5, "agreement rounds, each failing the -flip checks and restoring them (0: skip)")
	flag.DurationVar(&s.poll, "poll", 20*time.Millisecond, "how often to GET /status of each instance in the agreement phase")
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), `Usage: go run ./bench/cluster [flags]

Runs -instances up processes as a cluster on a throwaway PostgreSQL (initdb
into a temporary directory; run as root, the server runs as the postgres
user) with -checks HTTP checks against a loopback target, and prints, in
this order:

  CPU per probe of the cluster (user+sys of its up processes over -window,
  after -warmup, against the probes the target counted), with PostgreSQL's
  processes added, and the database's transactions, rows written and
  statements per second;
  page agreement lag: -flip checks fail and recover -rounds times; for each
  change, the time from the first to the last instance whose GET /status
  shows the component's new status;
  failover: -tries times, the time from kill -9 (then SIGTERM) of the
  leader to another instance exporting uptime_cluster_leader 1;
  CPU per probe of a single up on SQLite with the same checks (-single),
  and the cluster's as a ratio to it.

It takes about 15 minutes with the defaults, of which about 35 s per
failover try. Run it on an otherwise idle machine. Ctrl-C stops everything
it started.

Flags:
`)
		flag.PrintDefaults()
	}
	flag.Parse()
	log.SetFlags(log.Ltime)
	if s.instances < 2 || s.checks < 1 || s.ports < 1 || s.flips < 0 || s.flips > s.checks {
		log.Fatalf("want -instances ≥ 2, -checks ≥ 1, -ports ≥ 1 and 0 ≤ -flip ≤ -checks")
	}
	if _, err := os.Stat(s.bin); err != nil {
		log.Fatalf("%v (build it with: make build)", err)
	}

	j := &janitor{}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		log.Print("interrupted: stopping what the bench started")
		j.run()
		os.Exit(130)
	}()
	if err := run(s, j); err != nil {
		log.Print(err)
		j.run()
		os.Exit(1)
	}
	j.run()
}

// run is the whole bench; j undoes what it starts.
func run(s settings, j *janitor) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "up-bench-cluster-")
	if err != nil {
		return err
	}
	j.dir(dir)
	t, err := startTarget(s.checks, s.ports)
	if err != nil {
		return err
	}
	j.add(t.close)
	log.Print("starting PostgreSQL")
	db, err := startDatabase(ctx)
	if err != nil {
		return err
	}
	j.add(db.stop)
	header(s, db)

	cfg := filepath.Join(dir, "cluster.yaml")
	if err := os.WriteFile(cfg, []byte(configText(t, s.checks, s.interval, s.timeout, clusterStorage(db.url))), 0o644); err != nil {
		return err
	}
	c := &cluster{bin: s.bin, config: cfg, dir: dir, checks: s.checks, j: j}
	if s.profiles != "" {
		c.extra = []string{"--pprof"}
	}
	log.Printf("starting %d instances with %d checks", s.instances, s.checks)
	for range s.instances {
		if _, err := c.add(); err != nil {
			return err
		}
	}
	// Members join, the lease is taken, shares settle within 15 s and an
	// interval; a busy machine gets more.
	steadyLimit := 2*time.Minute + 2*s.interval
	if _, err := c.awaitSteady(steadyLimit); err != nil {
		return err
	}
	var clusterWin window
	if s.window > 0 {
		log.Printf("steady; warming up for %v, then measuring for %v", s.warmup, s.window)
		time.Sleep(s.warmup)
		var pids []int
		for _, in := range c.nodes {
			pids = append(pids, in.pid())
		}
		if s.profiles != "" {
			go cpuProfiles(c, s.profiles)
		}
		if clusterWin, err = measure(ctx, pids, t, db, s.window); err != nil {
			return err
		}
		clusterWin.print(fmt.Sprintf("cluster: %d instances on PostgreSQL", s.instances), s.checks, s.interval)
		fmt.Println()
	}
	if s.rounds > 0 && s.flips > 0 {
		log.Printf("agreement: %d rounds of %d checks down and up", s.rounds, s.flips)
		res, err := agreement(c, t, s.flips, s.rounds, s.poll, 2*s.interval+30*time.Second)
		res.print(len(c.nodes), s.flips, s.rounds, s.poll)
		fmt.Println()
		if err != nil {
			return err
		}
	}
	if s.tries > 0 {
		log.Printf("failover: %d tries of kill -9 and SIGTERM of the leader", s.tries)
		res, err := failovers(c, s.tries, s.leaderPoll, steadyLimit)
		res.print(s.leaderPoll)
		fmt.Println()
		if err != nil {
			return err
		}
	}
	log.Print("stopping the cluster")
	c.stop()
	if !s.single || s.window <= 0 {
		return nil
	}

	single := filepath.Join(dir, "single.yaml")
	if err := os.WriteFile(single, []byte(configText(t, s.checks, s.interval, s.timeout, sqliteStorage(dir))), 0o644); err != nil {
		return err
	}
	log.Printf("starting a single up on SQLite; warming up for %v, then measuring for %v", s.warmup, s.window)
	in, err := startInstance(s.bin, single, dir, "single", time.Minute, j)
	if err != nil {
		return err
	}
	time.Sleep(s.warmup)
	w, err := measure(ctx, []int{in.pid()}, t, nil, s.window)
	if err != nil {
		return err
	}
	if err := in.terminate(30 * time.Second); err != nil {
		log.Print(err)
	}
	w.print("single up on SQLite", s.checks, s.interval)
	cl, one := perProbe(clusterWin.cpu, clusterWin.probes), perProbe(w.cpu, w.probes)
	if one > 0 {
		fmt.Printf("  cluster / single            %.2f (goal ≤ 1.10); with PostgreSQL's CPU %.2f\n",
			cl/one, perProbe(clusterWin.cpu+clusterWin.pgCPU, clusterWin.probes)/one)
	}
	return nil
}

// header says what ran where.
func header(s settings, db *database) {
	version := "?"
	if out, err := exec.Command(s.bin, "--version").Output(); err == nil {
		version = strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
	}
	load, _ := os.ReadFile("/proc/loadavg")
	stmts := "pg_stat_statements loaded"
	if !db.statements {
		stmts = "no pg_stat_statements: " + db.whyNot
	}
	fmt.Printf("up cluster benchmark, %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Printf("  machine    %d CPUs (nproc), %s, load average %s\n", runtime.NumCPU(), cpuModel(), strings.Join(strings.Fields(string(load))[:3], " "))
	fmt.Printf("  software   %s, PostgreSQL %s (fsync off, Unix socket, %s), %s (%s)\n", runtime.Version(), db.version, stmts, s.bin, version)
	fmt.Printf("  checks     %d HTTP checks, one per component, at %v (timeout %v) against a loopback target on %d ports\n",
		s.checks, s.interval, s.timeout, s.ports)
	fmt.Printf("  phases     %d instances: warm-up %v, CPU window %v; agreement %d rounds × %d checks, /status polled every %v;\n",
		s.instances, s.warmup, s.window, s.rounds, s.flips, s.poll)
	fmt.Printf("             failover %d tries each of kill -9 and SIGTERM; single up on SQLite: %v\n\n", s.tries, s.single && s.window > 0)
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// janitor undoes what the bench started, once, whether it ends, fails
// or is interrupted: it kills the up processes still running, stops
// PostgreSQL and removes the temporary directory.
type janitor struct {
	mu    sync.Mutex
	once  sync.Once
	procs []*exec.Cmd
	undo  []func()
}

// process registers an up process to kill.
func (j *janitor) process(cmd *exec.Cmd) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.procs = append(j.procs, cmd)
}

// add registers a step to run after the processes are killed; the last
// added runs first.
func (j *janitor) add(f func()) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.undo = append(j.undo, f)
}

func (j *janitor) dir(d string) { j.add(func() { _ = os.RemoveAll(d) }) }

func (j *janitor) run() {
	j.once.Do(func() {
		j.mu.Lock()
		defer j.mu.Unlock()
		for _, cmd := range j.procs {
			_ = cmd.Process.Kill() // an error: it has exited already
		}
		for i := len(j.undo) - 1; i >= 0; i-- {
			j.undo[i]()
		}
	})
}
