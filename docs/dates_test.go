package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rfc3339 is a date and time as examples write them.
var rfc3339 = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})`)

// dated is a line that holds dates, and where it is.
type dated struct {
	where string
	text  string
}

// exampleLines are the lines a reader copies: the shell and YAML blocks
// of the documentation, and config.example.yaml, commands joined with
// their continuation lines.
func exampleLines(t *testing.T) []dated {
	t.Helper()
	var out []dated
	for _, p := range pages(t) {
		for _, b := range p.blocks() {
			if b.lang != "sh" && b.lang != "yaml" {
				continue
			}
			joined := strings.ReplaceAll(strings.Join(b.lines, "\n"), "\\\n", " ")
			for i, l := range strings.Split(joined, "\n") {
				out = append(out, dated{where: p.rel + " block at line " + strconv.Itoa(b.line) + ", command " + strconv.Itoa(i+1), text: l})
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "config.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		out = append(out, dated{where: "config.example.yaml:" + strconv.Itoa(i+1), text: l})
	}
	return out
}

// TestExampleDatesHaveNotPassed: a window, an override or a point dated
// in the past is refused or born finished, so an example that worked
// when written fails once its date passes. Only a record of the past
// ("backfilled": true) is dated before now, and must be.
func TestExampleDatesHaveNotPassed(t *testing.T) {
	now := time.Now()
	n := 0
	for _, l := range exampleLines(t) {
		backfill := strings.Contains(strings.ReplaceAll(l.text, " ", ""), `"backfilled":true`)
		for _, s := range rfc3339.FindAllString(l.text, -1) {
			n++
			d, err := time.Parse(time.RFC3339, s)
			if err != nil {
				t.Errorf("%s: %s: %v", l.where, s, err)
				continue
			}
			switch {
			case backfill && !d.Before(now):
				t.Errorf("%s: %s records the past (backfilled) but is not before now:\n%s", l.where, s, l.text)
			case !backfill && !d.After(now):
				t.Errorf("%s: %s has passed; date examples in the future:\n%s", l.where, s, l.text)
			}
		}
	}
	if n == 0 {
		t.Error("no dates found in the examples; the scan misses them")
	}
}
