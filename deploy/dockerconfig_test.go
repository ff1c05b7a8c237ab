package deploy

import (
	"encoding/json"
	"net"
	"net/netip"
	"path"
	"strings"
	"testing"

	"github.com/up-status/up/config"
)

// dockerDirectives reads a Dockerfile into instruction -> arguments, with
// continuation lines joined and comments dropped.
func dockerDirectives(src string) map[string][]string {
	d := map[string][]string{}
	for _, l := range strings.Split(strings.ReplaceAll(src, "\\\n", " "), "\n") {
		if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		word, rest, _ := strings.Cut(l, " ")
		d[strings.ToUpper(word)] = append(d[strings.ToUpper(word)], strings.TrimSpace(rest))
	}
	return d
}

// execForm reads a JSON-array instruction argument, after an optional
// prefix such as HEALTHCHECK's options and "CMD".
func execForm(t *testing.T, s string) []string {
	t.Helper()
	var args []string
	if err := json.Unmarshal([]byte(s[strings.Index(s, "["):]), &args); err != nil {
		t.Fatalf("%q is not in exec form: %v", s, err)
	}
	return args
}

func flagValue(args []string, name string) string {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// TestTheImageStartsWithAConfigItCanServe: the image carries a config that
// listens beyond the container's loopback on the ports it exposes, and its
// health check follows that config rather than a fixed port.
func TestTheImageStartsWithAConfigItCanServe(t *testing.T) {
	d := dockerDirectives(string(readDeployFile(t, "docker/Dockerfile")))
	cmd := execForm(t, strings.Join(d["CMD"], " "))
	cfgPath := flagValue(cmd, "--config")
	if cfgPath == "" {
		t.Fatalf("CMD %q has no --config", cmd)
	}
	var shipped string
	for _, c := range d["COPY"] {
		if f := strings.Fields(c); len(f) == 2 && f[1] == cfgPath {
			shipped = f[0]
		}
	}
	if shipped != "deploy/docker/config.yaml" {
		t.Fatalf("no COPY of deploy/docker/config.yaml to %s (the CMD's --config) in %q", cfgPath, d["COPY"])
	}
	cfg, err := config.Load(deployFile(t, strings.TrimPrefix(shipped, "deploy/")))
	if err != nil {
		t.Fatal(err)
	}
	exposed := strings.Fields(strings.Join(d["EXPOSE"], " "))
	for _, l := range []string{cfg.Listen.API, cfg.Listen.WebSocket} {
		host, port, err := net.SplitHostPort(l)
		if err != nil {
			t.Fatal(err)
		}
		if ip, err := netip.ParseAddr(host); err != nil || !ip.IsUnspecified() {
			t.Errorf("the shipped config listens on %s: unreachable through a published port", l)
		}
		if !strings.Contains(" "+strings.Join(exposed, " ")+" ", " "+port+" ") {
			t.Errorf("port %s of the shipped config is not in EXPOSE %v", port, exposed)
		}
	}
	if dir := path.Dir(cfg.Storage.Path); !strings.Contains(strings.Join(d["VOLUME"], " "), dir) {
		t.Errorf("storage.path %s is outside the VOLUME %v", cfg.Storage.Path, d["VOLUME"])
	}

	if len(d["HEALTHCHECK"]) != 1 {
		t.Fatalf("HEALTHCHECK %q", d["HEALTHCHECK"])
	}
	hc := execForm(t, d["HEALTHCHECK"][0])
	if len(hc) < 2 || hc[1] != "probe" || flagValue(hc, "--config") != cfgPath {
		t.Errorf("HEALTHCHECK %q: want up probe --config %s, so that it follows the configured port", hc, cfgPath)
	}
	if strings.Contains(strings.Join(hc, " "), ":50") {
		t.Errorf("HEALTHCHECK %q names a port of its own", hc)
	}
}
