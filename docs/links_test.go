package docs

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	// mdLink is [text](target) or ![alt](target), with an optional title.
	mdLink = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	// codeSpan is inline code, whose text is not a link.
	codeSpan = regexp.MustCompile("`[^`]*`")
	// repoPath is a path into the repository written as inline code.
	repoPath = regexp.MustCompile("`((?:api|auth|bench|cluster|cmd|config|daemon|deploy|docs|internal|metrics|notify|pipeline|probe|schedule|status|store|web|wire)/[A-Za-z0-9_./-]*)`")
	// mdName is a Markdown file named anywhere in the text.
	mdName = regexp.MustCompile(`[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b`)
)

// TestLinksResolve: every relative link of the documentation leads to a
// file of the repository and every #anchor to a heading of its page, so
// a section moved or renamed cannot leave a dead link behind.
func TestLinksResolve(t *testing.T) {
	root := repoRoot(t)
	all := pages(t)
	anchors := map[string]map[string]bool{}
	for _, p := range all {
		anchors[p.rel] = p.anchors()
	}
	links := 0
	for _, p := range all {
		for n, l := range p.prose() {
			for _, m := range mdLink.FindAllStringSubmatch(codeSpan.ReplaceAllString(l, ""), -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				links++
				file, frag, _ := strings.Cut(target, "#")
				rel := p.rel
				if file != "" {
					rel = path.Clean(path.Join(path.Dir(p.rel), file))
					if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
						t.Errorf("%s:%d: link %q: no file %s in the repository", p.rel, n, target, rel)
						continue
					}
				}
				if frag == "" {
					continue
				}
				a, ok := anchors[rel]
				if !ok {
					t.Errorf("%s:%d: link %q: an anchor into %s, which is not a documentation page", p.rel, n, target, rel)
				} else if !a[frag] {
					t.Errorf("%s:%d: link %q: %s has no heading #%s", p.rel, n, target, rel, frag)
				}
			}
		}
	}
	if links < 20 {
		t.Errorf("found %d relative links in the documentation; the parser misses them", links)
	}
}

// TestTheRepositoryStandsAlone: the documentation names only files that
// exist in the repository, and links to no copy of it elsewhere.
func TestTheRepositoryStandsAlone(t *testing.T) {
	root := repoRoot(t)
	exists := func(p page, name string) bool {
		for _, c := range []string{name, path.Join(path.Dir(p.rel), name)} {
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(c))); err == nil {
				return true
			}
		}
		return false
	}
	for _, p := range pages(t) {
		for n, l := range p.prose() {
			for _, m := range repoPath.FindAllStringSubmatch(l, -1) {
				if !exists(p, strings.TrimSuffix(m[1], "/")) {
					t.Errorf("%s:%d: names %s, which is not in the repository", p.rel, n, m[1])
				}
			}
			for _, name := range mdName.FindAllString(l, -1) {
				if !exists(p, name) {
					t.Errorf("%s:%d: names %s, which is not in the repository", p.rel, n, name)
				}
			}
			if strings.Contains(l, "github.com/up-status/up") {
				t.Errorf("%s:%d: links to the repository's address instead of a file in it: %s", p.rel, n, l)
			}
		}
	}
}

// TestTheUnitsDocumentationExists: systemctl help up opens what the
// unit's Documentation= names, so each entry must be there once the
// unit's install steps have run.
func TestTheUnitsDocumentationExists(t *testing.T) {
	root := repoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "deploy", "systemd", "up.service"))
	if err != nil {
		t.Fatal(err)
	}
	unit := string(b)
	var docs []string
	for _, l := range strings.Split(unit, "\n") {
		if v, ok := strings.CutPrefix(l, "Documentation="); ok {
			docs = append(docs, strings.Fields(v)...)
		}
	}
	if len(docs) == 0 {
		t.Fatal("the unit has no Documentation=")
	}
	// install -D -m 0644 <source> <destination> in the unit's comment.
	install := regexp.MustCompile(`(?m)^#\s+install\b.*\s(\S+)\s+(/\S+)\s*$`)
	installed := map[string]string{}
	for _, m := range install.FindAllStringSubmatch(unit, -1) {
		installed[m[2]] = m[1]
	}
	for _, d := range docs {
		file, ok := strings.CutPrefix(d, "file:")
		if !ok {
			t.Errorf("Documentation=%s: want a file: URI of a file the install steps put in place (no other address is known to exist)", d)
			continue
		}
		file = "/" + strings.TrimLeft(file, "/")
		src, ok := installed[file]
		if !ok {
			t.Errorf("Documentation=%s: no install step in the unit's comment writes %s (it writes %v)", d, file, installed)
			continue
		}
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(src))); err != nil {
			t.Errorf("Documentation=%s is installed from %s, which is not in the repository", d, src)
		}
	}
}
