package config

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FuzzParse feeds Parse arbitrary bytes, seeded with every file in
// testdata, the example and the demo. Parse must not panic; an error must
// be well-formed and sorted, and a config it accepts must hold the
// invariants the rest of up relies on.
//
//	go test -run '^$' -fuzz FuzzParse ./config
func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob("testdata/*.yml")
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range append(seeds, "../config.example.yaml") {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(demoYAML)
	f.Add([]byte(regionsBase))

	errLine := regexp.MustCompile(`^fuzz\.yml:(\d+):(\d+): \S`)
	env := func(name string) (string, bool) {
		if strings.HasPrefix(name, "UNSET") {
			return "", false
		}
		return "v", true
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseWithEnv(data, "fuzz.yml", env)
		if err != nil {
			if cfg != nil {
				t.Fatal("returned a config with an error")
			}
			last := 0
			for _, line := range strings.Split(err.Error(), "\n") {
				m := errLine.FindStringSubmatch(line)
				if m == nil {
					t.Fatalf("malformed error line %q", line)
				}
				n, _ := strconv.Atoi(m[1])
				col, _ := strconv.Atoi(m[2])
				if n < 1 || col < 1 || n < last {
					t.Fatalf("bad or unsorted position in %q (previous line %d)", line, last)
				}
				last = n
			}
			return
		}
		for _, k := range cfg.Checks() {
			if k.Type() == "" || k.ID != k.Component+"."+k.Name {
				t.Fatalf("check %+v has no protocol or a wrong id", k)
			}
			if k.Interval <= 0 || k.Timeout <= 0 || k.Timeout >= k.Interval ||
				k.FailureThreshold < 1 || k.SuccessThreshold < 1 {
				t.Fatalf("check %s has unusable timing %+v", k.ID, k)
			}
			if k.HTTP != nil && (k.HTTP.Method == "" || len(k.HTTP.ExpectStatus) == 0 || k.HTTP.FollowRedirects == nil) {
				t.Fatalf("check %s lacks http defaults: %+v", k.ID, k.HTTP)
			}
			if k.Push == nil && (k.Quorum < 1 || k.Quorum > len(k.Regions) || !inOrder(k.Regions, cfg.RegionIDs())) {
				t.Fatalf("check %s has quorum %d of regions %v, of %v", k.ID, k.Quorum, k.Regions, cfg.RegionIDs())
			}
		}
		if len(cfg.Regions) == 0 || (cfg.Cluster != nil && len(cfg.Regions) > 1 && !slices.Contains(cfg.RegionIDs(), cfg.Cluster.Region)) {
			t.Fatalf("regions %+v, cluster %+v", cfg.Regions, cfg.Cluster)
		}
		if cfg.API.Public == nil || cfg.Page.URL == "" || cfg.Listen.API == "" {
			t.Fatal("defaults missing from an accepted config")
		}
	})
}

// inOrder reports whether sub lists some of all, once each, in the order
// of all.
func inOrder(sub, all []string) bool {
	i := 0
	for _, s := range sub {
		for i < len(all) && all[i] != s {
			i++
		}
		if i == len(all) {
			return false
		}
		i++
	}
	return true
}
