package deploy

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/internal/testenv"
)

const unitBinary = "/usr/local/bin/up"

// unitDirectives reads a unit file into section.key -> values.
func unitDirectives(t testing.TB, b []byte) map[string][]string {
	t.Helper()
	d := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("unit line %q is not key=value", line)
			}
			d[section+"."+k] = append(d[section+"."+k], v)
		}
	}
	return d
}

func TestSystemdUnitIsHardened(t *testing.T) {
	d := unitDirectives(t, readDeployFile(t, "systemd/up.service"))
	want := map[string]string{
		"Service.AmbientCapabilities":    "CAP_NET_RAW",
		"Service.CapabilityBoundingSet":  "CAP_NET_RAW",
		"Service.NoNewPrivileges":        "yes",
		"Service.ProtectSystem":          "strict",
		"Service.ProtectHome":            "yes",
		"Service.PrivateTmp":             "yes",
		"Service.StateDirectory":         "up",
		"Service.ConfigurationDirectory": "up",
		"Service.Restart":                "on-failure",
		"Service.ExecReload":             "/bin/kill -HUP $MAINPID",
		"Install.WantedBy":               "multi-user.target",
	}
	for k, v := range want {
		if got := d[k]; len(got) != 1 || got[0] != v {
			t.Errorf("%s = %v, want %s", k, got, v)
		}
	}
	if d["Service.DynamicUser"] == nil && d["Service.User"] == nil {
		t.Error("neither DynamicUser nor User: up would run as root")
	}
	exec := strings.Join(d["Service.ExecStart"], " ")
	for _, part := range []string{unitBinary + " run", "--config /etc/up/", "--data /var/lib/up"} {
		if !strings.Contains(exec, part) {
			t.Errorf("ExecStart %q lacks %q (the state and configuration directories)", exec, part)
		}
	}
}

// TestSystemdUnitVerifies runs systemd-analyze verify on the unit, with
// ExecStart pointed at an executable that exists here, and wants no
// complaint at all. With --offline support it also wants the exposure
// score of systemd-analyze security to stay low.
func TestSystemdUnitVerifies(t *testing.T) {
	bin := testenv.LookPath(t, "systemd-analyze", "apt-get install -y systemd")
	unit := string(readDeployFile(t, "systemd/up.service"))
	if !strings.Contains(unit, "ExecStart="+unitBinary+" ") {
		t.Fatalf("ExecStart does not start %s", unitBinary)
	}
	dir := t.TempDir()
	fake := filepath.Join(dir, "up")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "up.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(unit, unitBinary, fake)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runTool(t, time.Minute, dir, bin, "verify", path)
	if err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}

	out, err = runTool(t, time.Minute, dir, bin, "security", "--offline=true", "--no-pager", path)
	if err != nil && strings.Contains(out, "offline") {
		testenv.SkipOrFail(t, "systemd-analyze security --offline unsupported here: %s", out)
	}
	m := regexp.MustCompile(`Overall exposure level for up\.service: ([0-9.]+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	// 0 is a sealed box, 10 no sandbox at all. up needs the network and
	// CAP_NET_RAW, which costs about 1.
	if score, _ := strconv.ParseFloat(m[1], 64); score > 2 {
		t.Errorf("exposure %.1f, want at most 2.0:\n%s", score, out)
	}
}
