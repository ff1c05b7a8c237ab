package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestUnsetVariablesSayWhereToSetThem: a first start without the secrets
// names each variable once and where up reads them from.
func TestUnsetVariablesSayWhereToSetThem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	writeFile(t, path, `subscribers: [{id: s, url: "http://127.0.0.1:9/", secret: "${UP_TEST_UNSET_A}"}]
users:
  - {id: a, role: admin, token: "${UP_TEST_UNSET_B}"}
  - {id: b, role: admin, token: "x${UP_TEST_UNSET_A}"}
`)
	for _, cmd := range []string{"run", "validate"} {
		code, out := runUp(t, cmd, "--config", path)
		want := "up: set UP_TEST_UNSET_A, UP_TEST_UNSET_B in up's environment: under systemd in /etc/up/up.env"
		if code != 1 || !strings.Contains(out, path+":3:33: users[0].token: environment variable UP_TEST_UNSET_B is not set") || !strings.Contains(out, want) {
			t.Errorf("up %s exited %d:\n%s\nwant the positions and %q", cmd, code, out, want)
		}
	}
	// Other mistakes get no such line.
	writeFile(t, path, "users: [{id: a, role: admin, token: short}]\n")
	if _, out := runUp(t, "validate", "--config", path); strings.Contains(out, "environment") {
		t.Errorf("a short token got a hint about the environment:\n%s", out)
	}
}
