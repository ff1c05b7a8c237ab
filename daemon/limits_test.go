package daemon

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/up-status/up/config"
)

// The child half of TestClientsCannotExhaustTheProbes: a daemon under a
// file limit of 64, as a small container or a careless unit gives it.
// It prints its API address and runs until it gets SIGTERM.
func runLimitedDaemon() {
	lim := syscall.Rlimit{Cur: 64, Max: 64}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		fmt.Println("setrlimit:", err)
		os.Exit(3)
	}
	cfg, err := parseConfig(os.Getenv("UP_LIMITED_CONFIG"))
	if err != nil {
		fmt.Println("config:", err)
		os.Exit(3)
	}
	d, err := New(cfg, Options{})
	if err != nil {
		fmt.Println("new:", err)
		os.Exit(3)
	}
	fmt.Println("api", d.APIAddr())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := d.Run(ctx); err != nil {
		fmt.Println("run:", err)
		os.Exit(3)
	}
}

func TestMain(m *testing.M) {
	if os.Getenv("UP_LIMITED_CONFIG") != "" {
		runLimitedDaemon()
		os.Exit(0)
	}
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

// One client holding connections must not take the descriptors the
// probes need: before the listeners had a cap and timeouts, 55 idle
// connections under a limit of 64 made probes fail with "too many open
// files", components go MAJOROUTAGE and incidents open.
func TestClientsCannotExhaustTheProbes(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "Welcome")
	}))
	defer web.Close()
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	go func() {
		for {
			c, err := tcp.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	dir := t.TempDir()
	cfgText := fmt.Sprintf(`
page: {url: "http://127.0.0.1"}
listen: {api: "127.0.0.1:0", websocket: "127.0.0.1:0"}
storage: {path: %q}
defaults: {interval: 500ms, timeout: 450ms, failure_threshold: 1, success_threshold: 1}
incidents: {open_at: DEGRADEDPERFORMANCE}
components:
  - id: site
    name: Site
    checks:
      - {name: home, http: {url: %q, body_contains: Welcome}}
      - {name: port, tcp: {address: %q}}
`, filepath.Join(dir, "up.db"), web.URL, tcp.Addr().String())

	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), "UP_LIMITED_CONFIG="+cfgText)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	defer func() {
		_ = child.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = child.Process.Kill()
			<-exited
		}
	}()
	lines := bufio.NewScanner(out)
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "api ") {
		t.Fatalf("the limited daemon did not start: %q", lines.Text())
	}
	go func() { // keep the pipe drained
		for lines.Scan() {
		}
	}()
	addr := strings.TrimPrefix(lines.Text(), "api ")
	base := "http://" + addr

	client := &http.Client{Timeout: 10 * time.Second}
	get := func(path string) string { return body(t, base+path) }
	// Both checks up before the crowd arrives.
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(get("/components/id/site"), `"OPERATIONAL"`) || !probed(get("/metrics")) {
		if time.Now().After(deadline) {
			t.Fatal("the checks never became OPERATIONAL")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// 80 idle connections and 10 that send a body a byte at a time: more
	// than the 64 descriptors the daemon has.
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for range 80 {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	for range 10 {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		go func() {
			fmt.Fprintf(c, "PUT /incidents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
			for range 40 {
				if _, err := c.Write([]byte(" ")); err != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		}()
	}
	time.Sleep(4 * time.Second) // about 8 rounds of both probes
	for _, c := range held {
		c.Close()
	}
	held = nil

	var metrics string
	deadline = time.Now().Add(15 * time.Second)
	for {
		res, err := client.Get(base + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			metrics = string(b)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the API never answered again: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, line := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(line, "uptime_probes_total{") && strings.Contains(line, `result="failure"`) && !strings.HasSuffix(line, " 0") {
			t.Errorf("a probe failed while clients held connections: %s", line)
		}
		if strings.HasPrefix(line, "uptime_probe_local_errors_total ") && line != "uptime_probe_local_errors_total 0" {
			t.Errorf("probes could not be made: %s", line)
		}
	}
	if inc := get("/incidents"); strings.TrimSpace(inc) != "[]" {
		t.Errorf("incidents opened while clients held connections: %s", inc)
	}
}

// probed reports whether both checks have a successful probe on record.
func probed(metrics string) bool {
	n := 0
	for _, line := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(line, "uptime_probes_total{") && strings.Contains(line, `result="success"`) && !strings.HasSuffix(line, " 0") {
			n++
		}
	}
	return n >= 2
}

func parseConfig(text string) (*config.Config, error) {
	return config.ParseWithEnv([]byte(text), "limited.yaml", os.LookupEnv)
}
