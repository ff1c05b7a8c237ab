// Command up is a self-hosted uptime and status daemon: it probes targets,
// decides statuses, runs incidents and maintenance, serves an API, a live
// status page and Prometheus metrics, and sends webhooks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/common/version"

	"github.com/up-status/up/config"
	"github.com/up-status/up/daemon"
	"github.com/up-status/up/probe"
)

const usage = `up: uptime and status daemon

Usage:
  up [run] [--config FILE] [--listen ADDR] [flags]
                                     start the daemon (default command)
  up validate --config FILE          check a config file and exit
  up probe TARGET [--timeout D]      probe one target once and print the result
                                     TARGET: http(s)://..., host:port, tcp://host:port, icmp://host,
                                     tls://host:port, dns://server/name?type=MX, dns:///name,
                                     grpc://host:port/service (?tls=true for TLS), ws(s)://host/path
  up probe --config FILE             probe the /healthz of the up FILE configures (a health check)
  up version, up --version           print version information

Run 'up COMMAND --help' for the flags of a command.
Without --config, 'up run' uses a built-in demo config that probes the
daemon's own listener on 127.0.0.1:5010, so it works offline; it prints
an admin token for trying the API. --listen ADDR moves it elsewhere.
`

func main() {
	fillVersion()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		fmt.Fprint(stdout, usage)
		return 0
	}
	cmd := "run"
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		cmd, args = "version", args[1:]
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") && cmd == "run" {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		return runDaemon(args, stdout, stderr)
	case "validate":
		return runValidate(args, stdout, stderr)
	case "probe":
		return runProbe(args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, version.Print("up"))
		return 0
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "up: unknown command %q\n\n%s", cmd, usage)
	return 2
}

// newFlags makes a FlagSet whose --help prints the command's synopsis.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("up "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: up %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; help is exit 0, bad flags exit 2.
func parse(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

func runDaemon(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("run", "run [--config FILE] [--data DIR] [--listen ADDR] [flags]", stderr)
	cfgPath := fs.String("config", "", "config file (YAML); empty uses the built-in demo config")
	listen := fs.String("listen", "", "host:port for the API and the WebSocket, instead of listen.api and listen.websocket\n(e.g. 127.0.0.1:5020 when 5010 is taken); the demo's checks and page follow it")
	dataDir := fs.String("data", "", "directory for the state database; overrides storage.path's directory")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	watch := fs.Bool("watch", false, "reload the config file when it changes (SIGHUP always reloads)")
	withPprof := fs.Bool("pprof", false, "serve Go profiles at /debug/pprof/ on the API listener (for debugging; exposes internals)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	log, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		fmt.Fprintln(stderr, "up:", err)
		return 2
	}
	if *listen != "" {
		if err := checkListenFlag(*listen); err != nil {
			fmt.Fprintln(stderr, "up:", err)
			return 2
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	demo := *cfgPath == ""
	var demoOpts config.DemoOptions
	if demo {
		if demoOpts, err = demoOptions(ctx, *listen, log); err != nil {
			fmt.Fprintln(stderr, "up:", err)
			return 2
		}
	}
	load := func() (*config.Config, error) {
		var cfg *config.Config
		if demo {
			c, err := config.DemoWith(demoOpts)
			if err != nil {
				return nil, err
			}
			cfg = c
		} else {
			c, err := config.Load(*cfgPath)
			if err != nil {
				return nil, err
			}
			cfg = c
			withListen(cfg, *listen)
		}
		if *dataDir != "" {
			cfg.Storage.Path = filepath.Join(*dataDir, filepath.Base(cfg.Storage.Path))
		}
		return cfg, nil
	}
	cfg, err := load()
	if err != nil {
		printLoadError(stderr, err)
		return 1
	}
	if demo {
		log.Info("no --config given: running the built-in demo config", "api", cfg.Listen.API)
	}
	if err := checkListeners(cfg); err != nil {
		fmt.Fprintln(stderr, "up:", err)
		return 1
	}

	// up's heap is mostly long-lived (one prober, schedule and series per
	// check) while probes make short-lived garbage; Go's default of
	// letting the heap double before collecting costs a lot of memory per
	// check for little CPU saved. GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	d, err := daemon.New(cfg, daemon.Options{Logger: log, Version: version.Version, Pprof: *withPprof})
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			// Taken since checkListeners let go of it.
			fmt.Fprintf(stderr, "up: address in use: %v — run with --listen %s or stop what uses it\n", err, otherPort(cfg.Listen.API))
			return 1
		}
		// A prober's error may quote a URL with a secret in it.
		log.Error("cannot start", "err", cfg.Redact(err.Error()))
		return 1
	}
	if demoOpts.AdminToken != "" {
		printDemoWrite(stdout, cfg, demoOpts.AdminToken)
	}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	reload := func(why string) {
		next, err := load()
		if err != nil {
			log.Error("config reload failed; keeping the running config", "why", why, "err", err)
			return
		}
		if err := d.Reload(next); err != nil {
			log.Error("config reload failed; keeping the running config", "why", why, "err", next.Redact(err.Error()))
			return
		}
		log.Info("config reloaded", "why", why)
	}
	go func() {
		var ticks <-chan time.Time
		var last time.Time
		if *watch && *cfgPath != "" {
			t := time.NewTicker(2 * time.Second)
			defer t.Stop()
			ticks = t.C
			last = modTime(*cfgPath)
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				reload("SIGHUP")
			case <-ticks:
				if m := modTime(*cfgPath); !m.Equal(last) {
					last = m
					reload("file changed")
				}
			}
		}
	}()

	if err := d.Run(ctx); err != nil {
		log.Error("daemon stopped", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

func modTime(path string) time.Time {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}

func runValidate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("validate", "validate --config FILE", stderr)
	cfgPath := fs.String("config", "", "config file to check (required)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *cfgPath == "" && fs.NArg() == 1 {
		*cfgPath = fs.Arg(0)
	}
	if *cfgPath == "" {
		fmt.Fprintln(stderr, "up validate: --config FILE is required")
		fs.Usage()
		return 2
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		printLoadError(stderr, err)
		return 1
	}
	if problems := prepareChecks(cfg); len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stderr, p)
		}
		return 1
	}
	fmt.Fprintf(stdout, "%s: OK (%d groups, %d components, %d checks, %d maintenance windows, %d subscribers, %d users)\n",
		*cfgPath, len(cfg.Groups), len(cfg.Components), len(cfg.Checks()), len(cfg.Maintenance), len(cfg.Subscribers), len(cfg.Users))
	printQuorums(stdout, stderr, cfg)
	return 0
}

// printLoadError prints why a config could not be loaded: its problems,
// one "file:line:col: key: message" line each, as they are, so editors
// can jump to them; anything else (a missing file) as one "up: ..." line.
func printLoadError(w io.Writer, err error) {
	var ce *config.Error
	if errors.As(err, &ce) {
		fmt.Fprintln(w, err)
		if names := unsetVariables(err); len(names) > 0 {
			fmt.Fprintf(w, "up: set %s in up's environment: under systemd in /etc/up/up.env (NAME=value, one a line), "+
				"with docker run as -e NAME, in a shell with export NAME=value\n", strings.Join(names, ", "))
		}
		return
	}
	fmt.Fprintln(w, "up:", err)
}

// prepareChecks builds the prober of every check as the daemon does when
// it starts, so that a config validate accepts is one run accepts. Config
// validation already refuses what is known to fail here; this catches
// whatever it does not know of. The messages are redacted: a prober's
// error may quote a URL or address with a secret in it.
func prepareChecks(cfg *config.Config) []string {
	var problems []string
	for _, k := range cfg.Checks() {
		if k.Push != nil {
			continue // nothing to build: the daemon's push prober only reads reports
		}
		if _, err := probe.New(k, probe.Options{}); err != nil {
			problems = append(problems, fmt.Sprintf("%s: check %s (%s) cannot start: %s",
				cfg.Source, k.ID, k.Target(), cfg.Redact(err.Error())))
		}
	}
	return problems
}

// probeProxyProblem says what keeps --proxy from applying to check, ""
// when nothing does. It never quotes the URL, which may hold a password.
func probeProxyProblem(check *config.Check, proxy string) string {
	if check.HTTP == nil {
		return "applies to http:// and https:// targets only"
	}
	u, err := url.Parse(proxy)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "wants http://[user:password@]host:port or https://..."
	}
	return ""
}

func runProbe(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("probe", "probe TARGET [--timeout D] [--proxy URL]\n       up probe --config FILE [--check ID] [--timeout D]\n\nTARGET is http(s)://host/path, host:port or tcp://host:port (TCP), icmp://host,\ntls://host:port (a handshake and its certificate), dns://server/name?type=MX\n(dns:///name asks the system's first nameserver; the DNS check's assertions\nmay follow: &answer_contains=mx1&min_answers=2), grpc://host:port/service\n(the gRPC health service; ?tls=true for TLS), or ws(s)://host/path (a WebSocket).\nWith --config instead, the target is /healthz on the file's listen.api; with\n--check too, the file's check of that id (component.name), with every option\nand assertion the file gives it, and its own timeout unless --timeout is given.", stderr)
	timeout := fs.Duration("timeout", 10*time.Second, "give up after this long")
	cfgPath := fs.String("config", "", "probe the /healthz of the daemon this config file describes")
	checkID := fs.String("check", "", "with --config, probe the file's check of this `ID` (component.name) instead")
	proxyURL := fs.String("proxy", "", "send an http(s) TARGET's requests through the http:// or https:// proxy\nat `URL` (user:password@ in it goes to the proxy), as proxy_url does;\nHTTP_PROXY and HTTPS_PROXY are never used")
	// Accept flags after the target too: `up probe example.com:443 --timeout 2s`.
	var target string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		target, args = args[0], args[1:]
	}
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if target == "" && fs.NArg() > 0 {
		target = fs.Arg(0)
	}
	timeoutSet := false
	fs.Visit(func(f *flag.Flag) { timeoutSet = timeoutSet || f.Name == "timeout" })
	if *checkID != "" {
		if *cfgPath == "" || target != "" {
			fmt.Fprintln(stderr, "up probe: --check ID goes with --config FILE and no TARGET")
			return 2
		}
		return probeConfigured(*cfgPath, *checkID, *timeout, timeoutSet, stdout, stderr)
	}
	if target == "" && *cfgPath != "" {
		t, err := healthzOf(*cfgPath)
		if err != nil {
			printLoadError(stderr, err)
			return 2
		}
		target = t
	}
	if target == "" {
		fmt.Fprintln(stderr, "up probe: a TARGET is required")
		fs.Usage()
		return 2
	}
	check, err := probe.CheckFor(target, *timeout)
	if err != nil {
		fmt.Fprintln(stderr, "up probe:", err)
		return 2
	}
	if *proxyURL != "" {
		if msg := probeProxyProblem(check, *proxyURL); msg != "" {
			fmt.Fprintln(stderr, "up probe: --proxy", msg)
			return 2
		}
		check.HTTP.ProxyURL = config.Secret(*proxyURL)
	}
	p, err := probe.New(check, probe.Options{Version: version.Version})
	if err != nil {
		fmt.Fprintln(stderr, "up probe:", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	res := p.Probe(ctx)
	fmt.Fprintln(stdout, res.Summary())
	if !res.Success {
		return 1
	}
	return 0
}

// probeConfigured runs the check id of the configuration file at path
// once, as the daemon would, and prints the result with the file's
// secrets hidden.
func probeConfigured(path, id string, timeout time.Duration, timeoutSet bool, stdout, stderr io.Writer) int {
	cfg, err := config.Load(path)
	if err != nil {
		printLoadError(stderr, err)
		return 2
	}
	var check *config.Check
	var ids []string
	for _, c := range cfg.Checks() {
		if c.ID == id {
			check = c
		}
		ids = append(ids, c.ID)
	}
	switch {
	case check == nil:
		fmt.Fprintf(stderr, "up probe: %s has no check %q; its checks: %s\n", path, id, strings.Join(ids, ", "))
		return 2
	case check.Push != nil:
		fmt.Fprintf(stderr, "up probe: %s is a push check: nothing probes it, its job reports to /push/<token>\n", id)
		return 2
	}
	if timeoutSet {
		check.Timeout = timeout
	}
	p, err := probe.New(check, probe.Options{Version: version.Version})
	if err != nil {
		fmt.Fprintln(stderr, "up probe:", cfg.Redact(err.Error()))
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), check.Timeout)
	defer cancel()
	res := p.Probe(ctx)
	fmt.Fprintln(stdout, cfg.Redact(res.Summary()))
	if !res.Success {
		return 1
	}
	return 0
}
