package config

import (
	"fmt"
	"slices"
	"strings"
)

// validateRegions checks the file's regions, the region this instance
// names, and the regions and quorum of defaults; it keeps what the
// checks' own keys are checked against.
func (p *parser) validateRegions(c *Config) {
	p.regionIDs = map[string]string{}
	if !p.isSet("regions") {
		// cluster.region is free then: with one region, where an
		// instance runs decides nothing, and it only labels the instance.
		p.regionIDs[DefaultRegion] = "regions"
		p.regionOrder = []string{DefaultRegion}
	} else {
		p.validateRegionList(c)
	}
	d := &c.Defaults
	p.defaultRegionsOK = p.validateRegionRule("defaults.regions", d.Regions)
	if k, ok := d.Quorum.Number(); ok && p.defaultRegionsOK {
		if n := len(d.Regions.resolve(c.RegionIDs())); k > n {
			from := "defaults.regions"
			if !p.isSet(from) {
				from = "regions"
			}
			p.fail("defaults.quorum", "%d is more than the %s of %s", k, countRegions(n), from)
		}
	}
}

// validateRegionList checks a top-level regions list that the file sets.
func (p *parser) validateRegionList(c *Config) {
	if c.Cluster == nil {
		p.failKey("regions", "requires a cluster section: regions are where the instances of a cluster probe from, each naming its own in cluster.region")
	}
	if len(c.Regions) == 0 {
		p.fail("regions", "lists no region; list at least one, or leave regions out for the one region %q", DefaultRegion)
		return
	}
	p.regionIDs = p.uniqueIDs("regions", "region", len(c.Regions), func(i int) string { return c.Regions[i].ID })
	if path, reserved := p.regionIDs[allRegions]; reserved {
		p.fail(path, "%q cannot be a region id: a check's regions: all means every region", allRegions)
		delete(p.regionIDs, allRegions)
	}
	for _, id := range c.RegionIDs() {
		if p.regionIDs[id] != "" && !slices.Contains(p.regionOrder, id) {
			p.regionOrder = append(p.regionOrder, id)
		}
	}
	if c.Cluster == nil {
		return
	}
	ids := strings.Join(p.regionOrder, ", ")
	switch region := c.Cluster.Region; {
	case !p.isSet("cluster.region"):
		p.fail("cluster.region", "is required when regions are listed: name the region this instance probes from, one of %s", ids)
	case p.regionIDs[region] == "":
		p.fail("cluster.region", "%s", p.unknownRef("cluster.region", "region", "regions", region, p.regionOrder))
	}
}

// validateRegionRule checks a regions key at path, as written (an
// inherited one was checked where it was written), and reports whether
// it selects only regions the file has, so that a quorum can be
// compared with their number.
func (p *parser) validateRegionRule(path string, r RegionRule) bool {
	if !p.isSet(path) {
		return true
	}
	if p.bad[path] {
		return false
	}
	if r.All {
		return true
	}
	if len(r.IDs) == 0 {
		p.fail(path, "lists no region; write all, or the ids of the regions to probe from")
		return false
	}
	ok := true
	seen := map[string]bool{}
	for i, id := range r.IDs {
		ip := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case p.bad[ip]:
		case id == allRegions:
			p.fail(ip, "write %s: all for every region, not inside a list", path[strings.LastIndexByte(path, '.')+1:])
		case seen[id]:
			p.fail(ip, "%s is listed twice", p.quote(ip, id))
		case !p.isSet("regions") && p.regionIDs[id] == "":
			p.fail(ip, "unknown region %s: the file lists no regions, so its one region is %q; list them under the top-level key regions", p.quote(ip, id), DefaultRegion)
		case p.regionIDs[id] == "":
			p.fail(ip, "%s", p.unknownRef(ip, "region", "regions", id, p.regionOrder))
		default:
			seen[id] = true
			continue
		}
		ok = false
	}
	return ok
}

// validateCheckRegions checks the regions and quorum of the check at kp,
// which Load has already worked out. A quorum above the number of
// regions is reported where it was written, or, when it comes from
// defaults, at the check's own regions that make it too big.
func (p *parser) validateCheckRegions(kp string, k *Check) {
	rp, qp := kp+".regions", kp+".quorum"
	if k.Push != nil {
		for _, key := range []string{rp, qp} {
			if p.isSet(key) {
				p.failKey(key, "does not apply to a push check: nothing probes it from a region, its job reports in")
			}
		}
		return
	}
	ok := p.defaultRegionsOK
	if p.isSet(rp) {
		ok = p.validateRegionRule(rp, k.RegionRule)
	}
	want, number := k.QuorumRule.Number()
	if !ok || !number || want <= len(k.Regions) {
		return
	}
	switch {
	case p.isSet(qp):
		p.fail(qp, "%d is more than the check's %s (%s)", want, countRegions(len(k.Regions)), strings.Join(k.Regions, ", "))
	case p.isSet(rp) && !p.bad["defaults.quorum"]:
		p.fail(rp, "selects %s, fewer than the quorum of %d from defaults.quorum; list more, or set this check's quorum", countRegions(len(k.Regions)), want)
	}
	// Otherwise both come from defaults, where the error already is.
}

// countRegions words a number of regions: "1 region", "3 regions".
func countRegions(n int) string {
	if n == 1 {
		return "1 region"
	}
	return fmt.Sprintf("%d regions", n)
}
