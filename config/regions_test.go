package config

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// regionsBase is a cluster with three regions and one check; tests add
// keys to it.
const regionsBase = `storage: {postgres: "postgres://up@db/up"}
cluster: {region: us-east}
regions:
  - {id: eu-west, name: Europe}
  - {id: us-east}
  - {id: ap-south, name: Asia Pacific}
components:
  - id: web
    checks:
      - {name: home, http: {url: "https://acme.example/"}}
`

// regionsFile is a cluster with n regions r1..rn, the given defaults
// keys, and one check with the given keys of its own.
func regionsFile(n int, defaults, check string) string {
	var b strings.Builder
	b.WriteString("storage: {postgres: \"postgres://up@db/up\"}\ncluster: {region: r1}\nregions:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - {id: r%d}\n", i+1)
	}
	if defaults != "" {
		fmt.Fprintf(&b, "defaults: {%s}\n", defaults)
	}
	sep := ""
	if check != "" {
		sep = ", "
	}
	fmt.Fprintf(&b, "components:\n  - id: c\n    checks:\n      - {name: k%s%s, tcp: {address: \"h:1\"}}\n", sep, check)
	return b.String()
}

func TestChecksGetTheirRegionsAndQuorum(t *testing.T) {
	tests := []struct {
		name            string
		n               int
		defaults, check string
		regions         []string
		quorum          int
	}{
		{"one region", 1, "", "", []string{"r1"}, 1},
		{"majority of 2 is both", 2, "", "", []string{"r1", "r2"}, 2},
		{"majority of 3", 3, "", "", []string{"r1", "r2", "r3"}, 2},
		{"majority of 4", 4, "", "", []string{"r1", "r2", "r3", "r4"}, 3},
		{"majority of 5", 5, "", "", []string{"r1", "r2", "r3", "r4", "r5"}, 3},
		{"all", 3, "", "quorum: all", []string{"r1", "r2", "r3"}, 3},
		{"any", 3, "", "quorum: any", []string{"r1", "r2", "r3"}, 1},
		{"a number", 4, "", "quorum: 2", []string{"r1", "r2", "r3", "r4"}, 2},
		{"a number equal to n", 3, "", "quorum: 3", []string{"r1", "r2", "r3"}, 3},
		{"regions all written", 3, "", "regions: all", []string{"r1", "r2", "r3"}, 2},
		{"listed regions take the file's order", 3, "", "regions: [r3, r1]", []string{"r1", "r3"}, 2},
		{"one listed region", 3, "", "regions: [r2]", []string{"r2"}, 1},
		{"regions from defaults", 4, "regions: [r2, r4, r3]", "", []string{"r2", "r3", "r4"}, 2},
		{"own regions win over defaults", 4, "regions: [r2, r4]", "regions: [r1]", []string{"r1"}, 1},
		{"quorum from defaults", 3, "quorum: any", "", []string{"r1", "r2", "r3"}, 1},
		{"own quorum wins over defaults", 3, "quorum: any", "quorum: all", []string{"r1", "r2", "r3"}, 3},
		// The rule is inherited, not its count for the file's regions.
		{"an inherited majority counts the check's regions", 5, "quorum: majority", "regions: [r1, r2]", []string{"r1", "r2"}, 2},
		{"an inherited all counts the check's regions", 5, "quorum: all", "regions: [r4, r5]", []string{"r4", "r5"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := mustParse(t, regionsFile(tt.n, tt.defaults, tt.check)).Checks()[0]
			if !slices.Equal(k.Regions, tt.regions) || k.Quorum != tt.quorum {
				t.Errorf("regions %v quorum %d; want %v and %d", k.Regions, k.Quorum, tt.regions, tt.quorum)
			}
		})
	}
}

// TestAFileWithoutRegionsHasTheDefaultOne: what every file written before
// regions existed loads to, cluster or not.
func TestAFileWithoutRegionsHasTheDefaultOne(t *testing.T) {
	for _, text := range []string{
		"components: [{id: c, checks: [{name: k, tcp: {address: \"h:1\"}}]}]\n",
		"storage: {postgres: \"postgres://up@db/up\"}\ncluster: {region: eu-west}\ncomponents: [{id: c, checks: [{name: k, tcp: {address: \"h:1\"}}]}]\n",
	} {
		cfg := mustParse(t, text)
		k := cfg.Checks()[0]
		if !slices.Equal(cfg.RegionIDs(), []string{DefaultRegion}) || cfg.Regions[0].Name != DefaultRegion ||
			!slices.Equal(k.Regions, []string{DefaultRegion}) || k.Quorum != 1 {
			t.Errorf("%q: regions %+v, check regions %v quorum %d", text, cfg.Regions, k.Regions, k.Quorum)
		}
	}
}

func TestRegionsKeepTheirOrderAndNames(t *testing.T) {
	cfg := mustParse(t, regionsBase)
	want := []Region{{"eu-west", "Europe"}, {"us-east", "us-east"}, {"ap-south", "Asia Pacific"}}
	if !slices.Equal(cfg.Regions, want) || !slices.Equal(cfg.RegionIDs(), []string{"eu-west", "us-east", "ap-south"}) {
		t.Errorf("regions %+v", cfg.Regions)
	}
}

func TestPushChecksHaveNoRegions(t *testing.T) {
	cfg := mustParse(t, regionsBase+"      - {name: cron, push: {token: tok-0123456789abcdef, period: 1h}}\n")
	k := cfg.Checks()[1]
	if k.Regions != nil || k.Quorum != 0 {
		t.Errorf("push check: regions %v quorum %d, want none", k.Regions, k.Quorum)
	}
}

// TestQuorumAndRegionsAsWritten: the rules keep what the file says, for
// whoever shows it back.
func TestQuorumAndRegionsAsWritten(t *testing.T) {
	cfg := mustParse(t, regionsFile(3, "", "regions: [r3, r1], quorum: 2"))
	k := cfg.Checks()[0]
	if got := k.RegionRule.String() + " " + k.QuorumRule.String() + " " + cfg.Defaults.Regions.String(); got != "[r3, r1] 2 all" {
		t.Errorf("rules read back as %q", got)
	}
	if n, ok := k.QuorumRule.Number(); !ok || n != 2 {
		t.Errorf("Number() = %d, %v", n, ok)
	}
	if n, ok := cfg.Defaults.Quorum.Number(); ok || cfg.Defaults.Quorum.String() != "majority" {
		t.Errorf("the default quorum reads %q, %d, %v", cfg.Defaults.Quorum, n, ok)
	}
}

// TestRegionsCountInTheHash: instances that disagree on regions or quorum
// would combine the regions' states differently, so they must not agree
// on the hash; a rule written out that comes to the same is the same.
func TestRegionsCountInTheHash(t *testing.T) {
	hash := func(text string) string {
		t.Helper()
		return mustParse(t, text).Hash()
	}
	h := hash(regionsBase)
	same := map[string]string{
		"another instance's region": replace(regionsBase, "region: us-east", "region: eu-west"),
		"defaults written out":      regionsBase + "defaults: {regions: all, quorum: majority}\n",
		"check keys written out":    replace(regionsBase, "name: home,", "name: home, regions: all, quorum: majority,"),
	}
	for what, text := range same {
		if hash(text) != h {
			t.Errorf("%s: hash changed", what)
		}
	}
	differ := map[string]string{
		"a region renamed":         replace(regionsBase, "name: Europe", "name: Ireland"),
		"a region more":            regionsBase + "  - {id: sa-east}\n",
		"a default quorum":         regionsBase + "defaults: {quorum: all}\n",
		"a default list":           regionsBase + "defaults: {regions: [eu-west, us-east]}\n",
		"a check's quorum":         replace(regionsBase, "name: home,", "name: home, quorum: 1,"),
		"a check's regions":        replace(regionsBase, "name: home,", "name: home, regions: [us-east],"),
		"regions in another order": replace(regionsBase, "  - {id: us-east}\n  - {id: ap-south, name: Asia Pacific}", "  - {id: ap-south, name: Asia Pacific}\n  - {id: us-east}"),
	}
	for what, text := range differ {
		if hash(text) == h {
			t.Errorf("%s: same hash", what)
		}
	}
}

// TestRegionsCountInEqual: a reload that changes where a check is probed
// from, or its quorum, is a changed check; one that writes the same
// regions and quorum another way is not.
func TestRegionsCountInEqual(t *testing.T) {
	check := func(text string) *Check { return mustParse(t, text).Checks()[0] }
	base := check(regionsFile(3, "", ""))
	for _, same := range []string{
		regionsFile(3, "", "regions: [r3, r2, r1], quorum: 2"),
		regionsFile(3, "regions: all, quorum: majority", ""),
		// A region the check is not probed from does not change it.
		regionsFile(4, "", "regions: [r1, r2, r3]"),
	} {
		if !base.Equal(check(same)) {
			t.Errorf("%s\nis not Equal to the check of 3 regions without the keys", same)
		}
	}
	for _, other := range []string{
		regionsFile(3, "", "regions: [r1, r2]"),
		regionsFile(3, "", "quorum: any"),
		regionsFile(3, "", "quorum: all"),
	} {
		if base.Equal(check(other)) {
			t.Errorf("%s\nis Equal to the check of 3 regions without the keys", other)
		}
	}
}
