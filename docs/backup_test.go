package docs

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/internal/testenv"
	"github.com/up-status/up/notify"
)

// request sends method url with the admin token and an optional JSON
// body, and returns the status code.
func request(t *testing.T, d daemon, method, path, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, d.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+d.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestBackupsOfARunningUpStart runs the backup commands of the
// operations page against the database of a running up, with the page's
// paths moved into a scratch directory, and starts up on every copy: the
// incident recorded before the backup must be there.
func TestBackupsOfARunningUpStart(t *testing.T) {
	testenv.LookPath(t, "sqlite3", "apt-get install sqlite3")
	var cmds []string
	for _, p := range pages(t) {
		if p.rel != "docs/operations.md" {
			continue
		}
		for _, b := range p.blocks() {
			for _, l := range b.lines {
				if strings.HasPrefix(l, "sqlite3 ") {
					cmds = append(cmds, l)
				}
			}
		}
	}
	if len(cmds) != 2 {
		t.Fatalf("want the two backup commands (.backup, VACUUM INTO) in docs/operations.md, found %q", cmds)
	}
	d := startExampleDaemon(t)
	if code := request(t, d, "PUT", "/incidents", `{"id":"power","name":"Power cut","body":"On generators."}`); code != http.StatusCreated {
		t.Fatalf("PUT /incidents answered %d", code)
	}
	backups := t.TempDir()
	for _, c := range cmds {
		c = strings.ReplaceAll(c, "/var/lib/up/up.db", d.db)
		c = strings.ReplaceAll(c, "/var/backups/", backups+"/")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		out, err := exec.CommandContext(ctx, "sh", "-c", c).CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("%s: %v\n%s", c, err, out)
		}
	}
	copies, _ := filepath.Glob(filepath.Join(backups, "*.db"))
	if len(copies) != 2 {
		t.Fatalf("the two commands made %q, want two copies", copies)
	}
	for _, c := range copies {
		dir := t.TempDir()
		cfg := filepath.Join(dir, "config.yaml")
		text := fmt.Sprintf("page: {url: \"http://127.0.0.1\"}\nlisten: {api: \"127.0.0.1:0\", websocket: \"127.0.0.1:0\"}\nstorage: {path: %q}\nusers: [{id: admin, role: admin, token: %q}]\n", c, exampleToken)
		if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		u := testenv.StartUp(t, upBinary(t), "run", "--config", cfg)
		if code := request(t, daemon{url: u.URL(""), token: exampleToken}, "GET", "/incidents/power", ""); code != http.StatusOK {
			t.Errorf("up on the copy %s: GET /incidents/power answered %d, want 200", filepath.Base(c), code)
		}
	}
}

// TestWebhookDocumentationLinkIsServed: meta.documentation, by default,
// is a page that up itself serves under page.url.
func TestWebhookDocumentationLinkIsServed(t *testing.T) {
	d := startExampleDaemon(t)
	if err := testenv.Answers(notify.DefaultDocumentation(d.url + "/")); err != nil {
		t.Errorf("meta.documentation's default link: %v", err)
	}
}
