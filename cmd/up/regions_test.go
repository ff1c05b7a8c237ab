package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// regionsHead is a cluster of three regions; the tests add components.
const regionsHead = `storage: {postgres: "postgres://up@127.0.0.1/up"}
cluster: {region: eu-west}
regions:
  - {id: eu-west, name: Europe}
  - {id: us-east}
  - {id: ap-south}
components:
`

// TestValidatePrintsEachChecksQuorum: with several regions, validate says
// what every check's regions and quorum come to, checks that share one on
// one line, and warns where a quorum cannot tell an outage from one
// region's trouble; with one region it says nothing new.
func TestValidatePrintsEachChecksQuorum(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString(regionsHead + "  - id: web\n    checks:\n")
	for i := range 7 {
		fmt.Fprintf(&b, "      - {name: c%d, tcp: {address: \"127.0.0.1:9\"}}\n", i+1)
	}
	b.WriteString(`  - id: shop
    checks:
      - {name: all, quorum: all, tcp: {address: "127.0.0.1:9"}}
      - {name: pair, regions: [us-east, eu-west], tcp: {address: "127.0.0.1:9"}}
      - {name: any, quorum: any, tcp: {address: "127.0.0.1:9"}}
      - {name: eu, regions: [eu-west], tcp: {address: "127.0.0.1:9"}}
      - {name: backup, push: {token: tok-0123456789abcdef, period: 24h}}
`)
	path := filepath.Join(dir, "regions.yaml")
	writeFile(t, path, b.String())
	code, out := runUp(t, "validate", "--config", path)
	if code != 0 {
		t.Fatalf("up validate exited %d:\n%s", code, out)
	}
	for _, want := range []string{
		"OK (0 groups, 2 components, 12 checks",
		"regions: eu-west (Europe), us-east, ap-south\n",
		"  2 of 3 regions (eu-west, us-east, ap-south): web.c1, web.c2, web.c3, web.c4, web.c5 and 2 more\n",
		"  3 of 3 regions (eu-west, us-east, ap-south): shop.all\n",
		"  2 of 2 regions (eu-west, us-east): shop.pair\n",
		"  1 of 3 regions (eu-west, us-east, ap-south): shop.any\n",
		"  1 of 1 region (eu-west): shop.eu\n",
		"push checks, which report in and have no regions: shop.backup\n",
		"up validate: warning: 2 of 2 regions (eu-west, us-east) for shop.pair: both regions must see DOWN, so an outage that only one of them sees is not declared",
		"up validate: warning: 1 of 3 regions (eu-west, us-east, ap-south) for shop.any (quorum any): one region seeing DOWN is enough, so nothing protects against that region's own network trouble",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("up validate lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "warning:"); n != 2 {
		t.Errorf("%d warnings, want 2 (none for 2 of 3, 3 of 3 or 1 of 1):\n%s", n, out)
	}

	// Every check on the default: one line, whatever their number.
	var same strings.Builder
	same.WriteString(regionsHead + "  - id: web\n    checks:\n")
	for i := range 40 {
		fmt.Fprintf(&same, "      - {name: c%d, tcp: {address: \"127.0.0.1:9\"}}\n", i+1)
	}
	writeFile(t, path, same.String())
	code, out = runUp(t, "validate", "--config", path)
	if code != 0 || !strings.Contains(out, "  2 of 3 regions (eu-west, us-east, ap-south): every check\n") ||
		strings.Count(out, "\n") != 4 || strings.Contains(out, "warning") {
		t.Errorf("up validate exited %d:\n%s", code, out)
	}

	// One region, as every file without regions: the summary alone.
	single := filepath.Join(dir, "single.yaml")
	writeFile(t, single, "storage: {postgres: \"postgres://up@127.0.0.1/up\"}\ncluster: {region: eu-west}\n"+
		"components:\n  - id: web\n    checks:\n      - {name: c, quorum: any, tcp: {address: \"127.0.0.1:9\"}}\n")
	code, out = runUp(t, "validate", "--config", single)
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, "OK (0 groups, 1 components, 1 checks") {
		t.Errorf("up validate of one region exited %d:\n%s", code, out)
	}
}
