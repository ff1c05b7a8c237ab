package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// unitInstallSteps are the shell commands at the top of the unit's
// comment, up to the first comment line that is not one.
func unitInstallSteps(t *testing.T) []string {
	t.Helper()
	var steps []string
	for _, l := range strings.Split(string(readDeployFile(t, "systemd/up.service")), "\n") {
		if cmd, ok := strings.CutPrefix(l, "#   "); ok {
			steps = append(steps, strings.TrimSpace(cmd))
		} else if len(steps) > 0 {
			break
		}
	}
	return steps
}

// TestTheUnitsInstallStepsMakeAStartableSetup runs the unit's install
// steps that write /etc/up (in a scratch directory): the config and an
// up.env with every secret it needs, private, never overwritten, which
// `up validate` accepts. A missing variable is named with where it goes.
func TestTheUnitsInstallStepsMakeAStartableSetup(t *testing.T) {
	root := repoRoot(t)
	etc := filepath.Join(t.TempDir(), "etc", "up")
	up := buildUp(t)
	local := func(step string) string {
		step = strings.ReplaceAll(step, "/etc/up/", etc+"/")
		return strings.ReplaceAll(step, "&& up validate", "&& "+up+" validate")
	}
	var ran []string
	run := func(step string) (string, error) {
		out, err := runTool(t, time.Minute, root, "sh", "-c", local(step))
		return out, err
	}
	var envStep string
	for _, step := range unitInstallSteps(t) {
		if !strings.Contains(step, "/etc/up/") {
			continue // the binary, the unit, systemctl: not here
		}
		if strings.Contains(step, "up.env") && strings.Contains(step, "printf") {
			envStep = step
		}
		if out, err := run(step); err != nil {
			t.Fatalf("%s: %v\n%s", local(step), err, out)
		}
		ran = append(ran, step)
	}
	if len(ran) != 3 || envStep == "" || !strings.Contains(ran[2], "validate") {
		t.Fatalf("want three steps under /etc/up (the config, up.env, a check), ran %q", ran)
	}
	env := filepath.Join(etc, "up.env")
	fi, err := os.Stat(env)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("up.env has mode %v, want 0600: it holds the secrets", fi.Mode().Perm())
	}
	before, _ := os.ReadFile(env)
	if out, err := run(envStep); err == nil {
		t.Errorf("writing up.env a second time succeeded:\n%s", out)
	}
	if after, _ := os.ReadFile(env); string(after) != string(before) {
		t.Error("a second run replaced the secrets in up.env")
	}
	for _, l := range strings.Split(strings.TrimSpace(string(before)), "\n") {
		if name, v, _ := strings.Cut(l, "="); len(v) < 32 {
			t.Errorf("%s has %d characters, want a long random value", name, len(v))
		}
	}

	// The unit without a variable: up names it and where it goes.
	if err := os.WriteFile(env, []byte(strings.SplitN(string(before), "\n", 2)[0]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", local(ran[2]))
	cmd.Dir = root
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "set UP_WEBHOOK_SECRET in up's environment: under systemd in /etc/up/up.env") {
		t.Errorf("validate with UP_WEBHOOK_SECRET missing: %v\n%s", err, out)
	}
}
