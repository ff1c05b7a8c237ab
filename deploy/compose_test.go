package deploy

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/up-status/up/config"
	"github.com/up-status/up/internal/testenv"
)

// composeFile is the part of compose.yaml the test reads.
type composeFile struct {
	Services map[string]struct {
		Build *struct {
			Context    string `yaml:"context"`
			Dockerfile string `yaml:"dockerfile"`
		} `yaml:"build"`
		Image       string   `yaml:"image"`
		Command     []string `yaml:"command"`
		NetworkMode string   `yaml:"network_mode"`
		Volumes     []string `yaml:"volumes"`
		Ports       []string `yaml:"ports"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

// mount is one short-form volume: a host path (bind) or a named volume.
type mount struct{ source, target string }

func (m mount) bind() bool {
	return strings.HasPrefix(m.source, ".") || strings.HasPrefix(m.source, "/")
}

func readCompose(t *testing.T) (composeFile, string) {
	t.Helper()
	var c composeFile
	if err := yaml.Unmarshal(readDeployFile(t, "compose/compose.yaml"), &c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	return c, deployFile(t, "compose")
}

func mounts(t *testing.T, vols []string) []mount {
	t.Helper()
	var ms []mount
	for _, v := range vols {
		f := strings.Split(v, ":")
		if len(f) < 2 || len(f) > 3 {
			t.Fatalf("volume %q is not source:target[:mode]", v)
		}
		ms = append(ms, mount{f[0], f[1]})
	}
	return ms
}

// TestComposeMountsWhatShips: every file compose.yaml mounts or builds
// from exists, named volumes are declared, and the pieces point at each
// other: up's config where the image reads it, Grafana's dashboards where
// its provisioning looks, the ports each config listens on published.
func TestComposeMountsWhatShips(t *testing.T) {
	c, dir := readCompose(t)
	for _, name := range []string{"up", "prometheus", "grafana"} {
		if _, ok := c.Services[name]; !ok {
			t.Fatalf("no service %s in compose.yaml", name)
		}
	}
	targets := map[string]map[string]string{} // service -> target -> host path
	for name, s := range c.Services {
		targets[name] = map[string]string{}
		if s.Build != nil {
			ctx := filepath.Join(dir, s.Build.Context)
			if _, err := os.Stat(filepath.Join(ctx, s.Build.Dockerfile)); err != nil {
				t.Errorf("%s: build: %v", name, err)
			}
		}
		for _, m := range mounts(t, s.Volumes) {
			if !m.bind() {
				if _, ok := c.Volumes[m.source]; !ok {
					t.Errorf("%s: volume %s is not declared under volumes", name, m.source)
				}
				continue
			}
			src := filepath.Join(dir, m.source)
			if _, err := os.Stat(src); err != nil {
				t.Errorf("%s: mounts %s: %v", name, m.source, err)
			}
			targets[name][m.target] = src
		}
		if name != "up" && s.NetworkMode != "service:up" {
			t.Errorf("%s: network_mode %q; the shipped configs reach the others on 127.0.0.1", name, s.NetworkMode)
		}
	}

	// up reads its config where the image's CMD says.
	cmd := execForm(t, strings.Join(dockerDirectives(string(readDeployFile(t, "docker/Dockerfile")))["CMD"], " "))
	upCfgPath, ok := targets["up"][flagValue(cmd, "--config")]
	if !ok {
		t.Fatalf("up: nothing mounted at %s, the image's --config", flagValue(cmd, "--config"))
	}
	upCfg, err := config.Load(upCfgPath)
	if err != nil {
		t.Fatal(err)
	}

	// Grafana finds the dashboards where its provisioning looks.
	var provider struct {
		Providers []struct {
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	dashboards, ok := targets["grafana"]["/etc/grafana/provisioning/dashboards"]
	if !ok {
		t.Fatal("grafana: no dashboard provisioning mounted")
	}
	b, err := os.ReadFile(filepath.Join(dashboards, "up.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &provider); err != nil || len(provider.Providers) != 1 {
		t.Fatalf("dashboard provider: %v", err)
	}
	if src, ok := targets["grafana"][provider.Providers[0].Options.Path]; !ok {
		t.Errorf("grafana: nothing mounted at %s, where the provider reads dashboards", provider.Providers[0].Options.Path)
	} else if _, err := os.Stat(filepath.Join(src, "up.json")); err != nil {
		t.Errorf("grafana: %v", err)
	}
	if _, ok := targets["grafana"]["/etc/grafana/provisioning/datasources"]; !ok {
		t.Error("grafana: no data source provisioning mounted")
	}

	// Sharing up's network, every listener is published on up.
	published := map[string]bool{}
	for _, p := range c.Services["up"].Ports {
		f := strings.Split(p, ":")
		published[f[len(f)-1]] = true
	}
	for _, addr := range []string{upCfg.Listen.API, upCfg.Listen.WebSocket, "0.0.0.0:9090", "0.0.0.0:3000"} {
		if _, port, _ := net.SplitHostPort(addr); !published[port] {
			t.Errorf("port %s is not published on up (published: %v)", port, c.Services["up"].Ports)
		}
	}
}

// TestComposePrometheusConfigChecks lays Prometheus's mounts out as the
// container sees them and runs promtool check config on the result, so
// that the scrape config and its rule files are found where they are
// mounted; its scrape target is up's configured port.
func TestComposePrometheusConfigChecks(t *testing.T) {
	promtool := testenv.LookPath(t, "promtool", "apt-get install prometheus")
	c, dir := readCompose(t)
	s := c.Services["prometheus"]
	cfgPath := "/etc/prometheus/prometheus.yml" // the image's default
	for _, a := range s.Command {
		if v, ok := strings.CutPrefix(a, "--config.file="); ok {
			cfgPath = v
		}
	}
	root := t.TempDir()
	for _, m := range mounts(t, s.Volumes) {
		if !m.bind() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, m.source))
		if err != nil {
			t.Fatal(err) // the directory mounts are Grafana's
		}
		dst := filepath.Join(root, filepath.FromSlash(m.target))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	promCfg := filepath.Join(root, filepath.FromSlash(cfgPath))
	out, err := runTool(t, time.Minute, root, promtool, "check", "config", promCfg)
	if err != nil || !strings.Contains(out, "SUCCESS") {
		t.Fatalf("promtool check config: %v\n%s", err, out)
	}
	if !strings.Contains(out, "alerts.yml") {
		t.Errorf("promtool checked no rule file:\n%s", out)
	}

	var prom struct {
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	b, _ := os.ReadFile(promCfg)
	if err := yaml.Unmarshal(b, &prom); err != nil {
		t.Fatal(err)
	}
	upCfg, err := config.Load(deployFile(t, "docker/config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(upCfg.Listen.API)
	var targets []string
	for _, sc := range prom.ScrapeConfigs {
		if sc.JobName == "up" {
			for _, st := range sc.StaticConfigs {
				targets = append(targets, st.Targets...)
			}
		}
	}
	if !slices.Contains(targets, "127.0.0.1:"+port) {
		t.Errorf("job up scrapes %v; up listens on port %s of the shared network", targets, port)
	}
}
