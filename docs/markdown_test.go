package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// repoRoot is the repository's top directory: this package's parent.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod in %s: %v", root, err)
	}
	return root
}

// page is one Markdown file of the documentation.
type page struct {
	rel   string // path from the repository's root, with slashes
	lines []string
}

// pages are the documentation's Markdown files: README.md,
// CONTRIBUTING.md and docs/*.md.
func pages(t testing.TB) []page {
	t.Helper()
	root := repoRoot(t)
	names := []string{"README.md", "CONTRIBUTING.md"}
	more, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(more)
	for _, m := range more {
		rel, _ := filepath.Rel(root, m)
		names = append(names, filepath.ToSlash(rel))
	}
	var out []page
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(n)))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page{rel: n, lines: strings.Split(string(b), "\n")})
	}
	return out
}

// block is a fenced code block.
type block struct {
	lang  string
	line  int // 1-based line of its first content line
	lines []string
}

// blocks are the page's fenced code blocks.
func (p page) blocks() []block {
	var out []block
	var cur *block
	for i, l := range p.lines {
		trimmed := strings.TrimSpace(l)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			cur = &block{lang: strings.TrimSpace(strings.TrimPrefix(trimmed, "```")), line: i + 2}
		case cur != nil && trimmed == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.lines = append(cur.lines, l)
		}
	}
	return out
}

// prose is the page's text outside fenced code blocks, each line with its
// 1-based number; inline code spans are kept.
func (p page) prose() map[int]string {
	out := map[int]string{}
	in := false
	for i, l := range p.lines {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			in = !in
			continue
		}
		if !in {
			out[i+1] = l
		}
	}
	return out
}

var heading = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*$`)

// anchors are the ids GitHub gives the page's headings: lower case,
// punctuation dropped, spaces as hyphens, and -1, -2... on repeats.
func (p page) anchors() map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	prose := p.prose()
	for i := range p.lines {
		l, ok := prose[i+1]
		if !ok {
			continue
		}
		m := heading.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		slug := slugify(m[2])
		if n := seen[slug]; n > 0 {
			out[slug+"-"+strconv.Itoa(n)] = true
		} else {
			out[slug] = true
		}
		seen[slug]++
	}
	return out
}

func slugify(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestSlugifyIsGitHubs(t *testing.T) {
	for title, want := range map[string]string{
		"Backup and restore":                    "backup-and-restore",
		"Load: `bench/load`":                    "load-benchload",
		"Who owns what: the configuration file": "who-owns-what-the-configuration-file",
		"up, Prometheus and Grafana":            "up-prometheus-and-grafana",
	} {
		if got := slugify(title); got != want {
			t.Errorf("slugify(%q) = %q, want %q", title, got, want)
		}
	}
	p := page{rel: "x.md", lines: []string{"# A", "```", "# not a heading", "```", "## A"}}
	got := p.anchors()
	if !got["a"] || !got["a-1"] || got["not-a-heading"] || len(got) != 2 {
		t.Errorf("anchors = %v, want a and a-1 only", got)
	}
}
