package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The up processes: the config they run, how they start and stop, and
// what their /metrics say about the cluster.

// configText is the config every process runs, the cluster's instances
// and the single one alike but for storage: N checks of one HTTP probe,
// one component each. A check is down after one failure and up after
// one success, so that a flip shows within an interval.
func configText(t *target, n int, interval, timeout time.Duration, storage string) string {
	var b strings.Builder
	b.WriteString("page: {id: bench, name: Bench, url: \"http://127.0.0.1\"}\n")
	b.WriteString(storage)
	fmt.Fprintf(&b, "defaults: {interval: %v, timeout: %v, failure_threshold: 1, success_threshold: 1}\n", interval, timeout)
	b.WriteString("components:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - id: c%d\n    name: Component %d\n    checks:\n      - {name: t%d, http: {url: %q}}\n", i, i, i, t.url(i))
	}
	return b.String()
}

// clusterStorage is the storage and cluster part of an instance's config.
func clusterStorage(url string) string {
	return fmt.Sprintf("storage: {postgres: %q}\ncluster: {region: bench}\n", url)
}

// sqliteStorage is the storage part of the single instance's config.
func sqliteStorage(dir string) string {
	return fmt.Sprintf("storage: {path: %q}\n", filepath.Join(dir, "up.db"))
}

// instance is one up process. A restart makes a new instance.
type instance struct {
	name string
	addr string // the API's, given with --listen
	log  string // the file its output goes to
	cmd  *exec.Cmd
	done chan struct{} // closed when it exited
}

// startInstance runs `bin run --config config` on a free loopback port,
// its output appended to dir/name.log, and waits, bounded by limit, until
// it answers /healthz. j kills it if the bench ends first.
func startInstance(bin, config, dir, name string, limit time.Duration, j *janitor, extra ...string) (*instance, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	in := &instance{name: name, addr: addr, log: filepath.Join(dir, name+".log"), done: make(chan struct{})}
	out, err := os.OpenFile(in.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer out.Close()
	in.cmd = exec.Command(bin, append([]string{"run", "--config", config, "--listen", addr, "--log-level", "warn"}, extra...)...)
	in.cmd.Stdout, in.cmd.Stderr = out, out
	// Should the bench die without cleaning up, its daemons go with it.
	in.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := in.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w (build it with: make build)", bin, err)
	}
	j.process(in.cmd)
	go func() { _ = in.cmd.Wait(); close(in.done) }()
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-in.done:
			return nil, fmt.Errorf("%s exited while starting:\n%s", name, in.tail())
		default:
		}
		resp, err := quick.Get(in.url("/healthz"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return in, nil
			}
		}
		if time.Now().After(deadline) {
			in.kill()
			return nil, fmt.Errorf("%s does not answer /healthz after %v:\n%s", name, limit, in.tail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (in *instance) url(path string) string { return "http://" + in.addr + path }

func (in *instance) pid() int { return in.cmd.Process.Pid }

// kill ends the process with SIGKILL, as a crash would, and waits.
func (in *instance) kill() {
	_ = in.cmd.Process.Kill()
	<-in.done
}

// terminate sends SIGTERM and waits, bounded, killing it if it lingers.
func (in *instance) terminate(limit time.Duration) error {
	_ = in.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-in.done:
		return nil
	case <-time.After(limit):
		in.kill()
		return fmt.Errorf("%s did not exit within %v of SIGTERM; killed", in.name, limit)
	}
}

func (in *instance) exited() bool {
	select {
	case <-in.done:
		return true
	default:
		return false
	}
}

// tail is the end of the process's output, for an error.
func (in *instance) tail() string {
	b, _ := os.ReadFile(in.log)
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return strings.TrimSpace(string(b))
}

// quick is the client for /healthz and /status; scrape is the one for
// /metrics, whose exposition of thousands of checks takes longer. Both
// ask for no gzip: on loopback compressing costs the daemons more CPU
// than it saves.
var (
	quick  = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4}}
	scrape = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4}}
)

// series reads the named families from the instance's /metrics, each the
// sum of its series (over labels).
func (in *instance) series(names ...string) (map[string]float64, error) {
	resp, err := scrape.Get(in.url("/metrics"))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s GET /metrics: %s", in.name, resp.Status)
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "uptime_cluster_") {
			continue
		}
		name := line[:strings.IndexAny(line+" ", "{ ")]
		if !want[name] {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("%s /metrics: %q: %w", in.name, line, err)
		}
		out[name] += v
	}
	return out, sc.Err()
}

// leads reports whether the instance exports uptime_cluster_leader 1.
func (in *instance) leads() (bool, error) {
	s, err := in.series("uptime_cluster_leader")
	return s["uptime_cluster_leader"] == 1, err
}

// cluster is the instances sharing the database.
type cluster struct {
	bin, config, dir string
	checks           int
	j                *janitor
	extra            []string    // more flags for every instance
	nodes            []*instance // the live ones; a restart replaces one
	started          int         // instances started so far, for names
}

// add starts one more instance.
func (c *cluster) add() (*instance, error) {
	c.started++
	in, err := startInstance(c.bin, c.config, c.dir, fmt.Sprintf("up-%d", c.started), time.Minute, c.j, c.extra...)
	if err == nil {
		c.nodes = append(c.nodes, in)
	}
	return in, err
}

// remove forgets a stopped or killed instance.
func (c *cluster) remove(gone *instance) {
	var keep []*instance
	for _, in := range c.nodes {
		if in != gone {
			keep = append(keep, in)
		}
	}
	c.nodes = keep
}

// awaitSteady waits, bounded by limit, until one instance leads, every
// instance counts them all as members, and their shares add up to every
// check once; it returns the leader.
func (c *cluster) awaitSteady(limit time.Duration) (*instance, error) {
	deadline := time.Now().Add(limit)
	for {
		leader, err := c.steady()
		if err == nil {
			return leader, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the cluster is not steady after %v: %w", limit, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func (c *cluster) steady() (*instance, error) {
	type reading struct {
		s   map[string]float64
		err error
	}
	got := make([]reading, len(c.nodes))
	var wg sync.WaitGroup
	for i, in := range c.nodes {
		wg.Go(func() {
			if in.exited() {
				got[i].err = fmt.Errorf("%s exited:\n%s", in.name, in.tail())
				return
			}
			got[i].s, got[i].err = in.series("uptime_cluster_leader", "uptime_cluster_members", "uptime_cluster_owned_checks")
		})
	}
	wg.Wait()
	var leaders []*instance
	owned := 0.0
	for i, in := range c.nodes {
		r := got[i]
		if r.err != nil {
			return nil, r.err
		}
		if m := r.s["uptime_cluster_members"]; int(m) != len(c.nodes) {
			return nil, fmt.Errorf("%s counts %v members, want %d", in.name, m, len(c.nodes))
		}
		if r.s["uptime_cluster_leader"] == 1 {
			leaders = append(leaders, in)
		}
		owned += r.s["uptime_cluster_owned_checks"]
	}
	if len(leaders) != 1 {
		return nil, fmt.Errorf("%d leaders", len(leaders))
	}
	if int(owned) != c.checks {
		return nil, fmt.Errorf("the instances own %v checks between them, want %d", owned, c.checks)
	}
	return leaders[0], nil
}

// stop sends SIGTERM to every instance and waits for them.
func (c *cluster) stop() {
	var wg sync.WaitGroup
	for _, in := range c.nodes {
		wg.Go(func() {
			if err := in.terminate(30 * time.Second); err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
		})
	}
	wg.Wait()
	c.nodes = nil
}

// freeAddr is a loopback address no one listens on right now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
