package docs

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/up-status/up/internal/testenv"
)

// example is one shell command of the documentation that calls the API at
// $UP, with the status its "# → NNN" comment says it answers.
type example struct {
	page    string
	line    int
	command string // continuation lines joined
	status  int
}

var (
	expectStatus = regexp.MustCompile(`#\s*→\s*(\d{3})\b`)
	// setup lines say what $UP and $TOKEN are; the test sets both itself.
	setup = regexp.MustCompile(`^(UP|TOKEN)=`)
	// usesUP is a reference to $UP (not to $UP_SOMETHING).
	usesUP = regexp.MustCompile(`\$UP\b`)
)

// examples are the page's shell commands against $UP, in page order.
// Every command of a block that uses $UP must be a curl command with an
// expected status, or a setup line: an example the test cannot run is an
// error, so none goes unchecked.
func examples(t testing.TB, p page) []example {
	t.Helper()
	var out []example
	for _, b := range p.blocks() {
		if b.lang != "sh" || !usesUP.MatchString(strings.Join(b.lines, "\n")) {
			continue
		}
		var cmd []string
		start := 0
		for i, l := range b.lines {
			trimmed := strings.TrimSpace(l)
			if len(cmd) == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#") || setup.MatchString(trimmed)) {
				continue
			}
			if len(cmd) == 0 {
				start = b.line + i
			}
			if rest, ok := strings.CutSuffix(trimmed, `\`); ok {
				cmd = append(cmd, rest)
				continue
			}
			cmd = append(cmd, trimmed)
			joined := strings.Join(cmd, " ")
			cmd = nil
			if !strings.HasPrefix(joined, "curl ") {
				t.Errorf("%s:%d: %q: a block that uses $UP may hold only curl commands (and UP=, TOKEN=)", p.rel, start, joined)
				continue
			}
			m := expectStatus.FindStringSubmatch(joined)
			if m == nil {
				t.Errorf("%s:%d: %q has no \"# → NNN\" saying what it answers", p.rel, start, joined)
				continue
			}
			code, _ := strconv.Atoi(m[1])
			out = append(out, example{page: p.rel, line: start, command: joined, status: code})
		}
	}
	return out
}

var build struct {
	once sync.Once
	bin  string
	err  error
}

// upBinary builds up once for the tests that run it.
func upBinary(t *testing.T) string {
	t.Helper()
	build.once.Do(func() {
		dir, err := os.MkdirTemp("", "up-docs-")
		if err != nil {
			build.err = err
			return
		}
		build.bin, build.err = testenv.BuildUp(dir, nil)
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.bin
}

// daemon is an up for one page's examples: its base URL, a token of an
// admin, and its database.
type daemon struct{ url, token, db string }

// demoToken is the admin token the demo prints at start.
var demoToken = regexp.MustCompile(`admin token[^\n]*:\s*\n\s*\n\s*(\S+)`)

// startDemo runs the quick start's `up` (the embedded demo), as the
// README's examples expect.
func startDemo(t *testing.T) daemon {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	data := t.TempDir()
	u := testenv.StartUp(t, upBinary(t), "run", "--listen", addr, "--data", data)
	m := u.AwaitLog(testenv.Running, demoToken)
	return daemon{url: u.URL(""), token: m[1], db: filepath.Join(data, "up.db")}
}

// exampleToken is the admin token of the examples' daemon.
const exampleToken = "docs-example-admin-token-0123456789"

// startExampleDaemon runs up with the objects the API examples name: the
// component website with its check home (probing a loopback server) and
// its push check backup, support without checks in group web, and the
// window db-upgrade.
func startExampleDaemon(t *testing.T) daemon {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(target.Close)
	dir := t.TempDir()
	cfg := fmt.Sprintf(`page: {id: acme, name: ACME Status, url: "http://127.0.0.1"}
listen: {api: "127.0.0.1:0", websocket: "127.0.0.1:0"}
storage: {path: %q}
groups: [{id: web, name: Website}]
components:
  - {id: website, name: Website, group: web, checks: [{name: home, interval: 1s, http: {url: %q}}, {name: backup, push: {token: docs-example-push-token-0123456789, period: 24h}}]}
  - {id: support, name: Support desk, group: web}
maintenance: [{id: db-upgrade, name: Database upgrade, components: [website], start: "2030-12-01T02:00:00Z", duration: 2h}]
users: [{id: admin, name: Admin, role: admin, token: %q}]
`, filepath.Join(dir, "up.db"), target.URL+"/", exampleToken)
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	u := testenv.StartUp(t, upBinary(t), "run", "--config", path)
	return daemon{url: u.URL(""), token: exampleToken, db: filepath.Join(dir, "up.db")}
}

// daemons says which up each page's examples run against.
var daemons = map[string]func(*testing.T) daemon{
	"README.md":   startDemo,
	"docs/api.md": startExampleDaemon,
}

// curlShim makes curl print the status code alone and keep the body for
// the error message; the rest of the command line is the page's, run by
// sh as a reader would run it.
const curlShim = `curl() { command curl -sS --noproxy '*' --max-time 10 -o "$UP_EXAMPLE_BODY" -w '%{http_code}' "$@"; }` + "\n"

// TestExamplesAnswerAsDocumented runs every shell example against $UP
// with curl, in page order, against a real up, and holds it to the
// status code its comment shows.
func TestExamplesAnswerAsDocumented(t *testing.T) {
	testenv.LookPath(t, "curl", "apt-get install curl")
	sh := testenv.LookPath(t, "sh", "a POSIX shell")
	total := 0
	for _, p := range pages(t) {
		exs := examples(t, p)
		if len(exs) == 0 {
			continue
		}
		total += len(exs)
		start, ok := daemons[p.rel]
		if !ok {
			t.Errorf("%s has examples against $UP but no daemon to run them against: add it to daemons", p.rel)
			continue
		}
		t.Run(p.rel, func(t *testing.T) {
			d := start(t)
			body := filepath.Join(t.TempDir(), "body")
			for _, ex := range exs {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				cmd := exec.CommandContext(ctx, sh, "-c", curlShim+ex.command)
				cmd.Env = append(os.Environ(), "UP="+d.url, "TOKEN="+d.token, "UP_EXAMPLE_BODY="+body)
				out, err := cmd.Output()
				cancel()
				got, _ := os.ReadFile(body)
				_ = os.Remove(body)
				if err != nil {
					t.Errorf("%s:%d: %s\nfailed: %v %s", ex.page, ex.line, ex.command, err, out)
					continue
				}
				if code, _ := strconv.Atoi(strings.TrimSpace(string(out))); code != ex.status {
					t.Errorf("%s:%d: %s\nanswered %s, the page says %d:\n%s", ex.page, ex.line, ex.command, out, ex.status, got)
				}
			}
		})
	}
	if total < 40 {
		t.Errorf("found %d examples; the API's page alone has more", total)
	}
}

func TestExamplesAreParsedWithTheirStatus(t *testing.T) {
	p := page{rel: "x.md", lines: strings.Split("```sh\nUP=http://127.0.0.1:5010\n# a comment\ncurl -s $UP/status   # → 200 the page\ncurl -s -X PUT $UP/x \\\n  -d '{}'   # → 400\n```\n```sh\nsystemctl reload up\n```", "\n")}
	got := examples(t, p)
	want := []example{
		{page: "x.md", line: 4, command: "curl -s $UP/status   # → 200 the page", status: 200},
		{page: "x.md", line: 5, command: "curl -s -X PUT $UP/x  -d '{}'   # → 400", status: 400},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("examples =\n%v\nwant\n%v", got, want)
	}
}
