package deploy

import (
	"regexp"
	"strings"
	"testing"
)

// dockerBuildFlags are the build settings the Dockerfile must use; the
// integration test builds the binary it runs with the same ones.
var dockerBuildFlags = []string{"CGO_ENABLED=0", "go build", "-trimpath", "./cmd/up"}

// The Dockerfile cannot be built here (no Docker engine), so this test
// holds it to what a deployment needs of it.
func TestDockerfile(t *testing.T) {
	src := string(readDeployFile(t, "docker/Dockerfile"))
	// Join continuation lines and drop comments.
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(src, "\\\n", " "), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	var froms, runs []string
	directive := map[string][]string{}
	for _, l := range lines {
		word, rest, _ := strings.Cut(l, " ")
		word = strings.ToUpper(word)
		directive[word] = append(directive[word], strings.TrimSpace(rest))
		switch word {
		case "FROM":
			froms = append(froms, rest)
		case "RUN":
			runs = append(runs, rest)
		}
	}
	if len(froms) < 2 || !strings.HasPrefix(froms[0], "golang:1.26") {
		t.Errorf("FROM %v: want a golang:1.26 build stage and a final stage", froms)
	}
	final := froms[len(froms)-1]
	if !strings.Contains(final, "distroless/static") && !strings.Contains(final, "alpine") {
		t.Errorf("final stage %q: want distroless/static or alpine", final)
	}
	build := ""
	for _, r := range runs {
		if strings.Contains(r, "go build") {
			build = r
		}
	}
	for _, f := range dockerBuildFlags {
		if !strings.Contains(build, f) {
			t.Errorf("the go build step %q lacks %s", build, f)
		}
	}
	users := directive["USER"]
	if len(users) == 0 || regexp.MustCompile(`^(0|root)(:|$)`).MatchString(users[len(users)-1]) {
		t.Errorf("USER %v: the image must run as a non-root user", users)
	}
	if e := strings.Join(directive["EXPOSE"], " "); !strings.Contains(e, "5010") || !strings.Contains(e, "5011") {
		t.Errorf("EXPOSE %q: want 5010 and 5011", e)
	}
	if v := strings.Join(directive["VOLUME"], " "); !strings.Contains(v, "/var/lib/up") {
		t.Errorf("VOLUME %q: want /var/lib/up", v)
	}
	cmd := strings.Join(directive["CMD"], " ")
	for _, part := range []string{`"--data", "/var/lib/up"`, `"--config"`} {
		if !strings.Contains(cmd, part) {
			t.Errorf("CMD %s lacks %s", cmd, part)
		}
	}
	if !strings.Contains(src, "--cap-add NET_RAW") {
		t.Error("the Dockerfile does not document --cap-add NET_RAW for ICMP")
	}
}
