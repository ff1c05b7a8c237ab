package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/up-status/up/config"
)

// shownChecks is how many check ids a line of printQuorums names before
// it counts the rest: a file of a thousand checks stays a few lines.
const shownChecks = 5

// quorumGroup is the checks that share one quorum over the same regions.
type quorumGroup struct {
	k       int
	regions []string
	checks  []string
}

// printQuorums tells, for a file with more than one region, what each
// check's regions and quorum come to, as "k of n regions", checks that
// share one on one line; and warns on w about quorums that cannot tell
// an outage from one region's own trouble. A file with one region gets
// nothing: its checks have nothing to agree on.
func printQuorums(out, warn io.Writer, cfg *config.Config) {
	if len(cfg.Regions) < 2 {
		return
	}
	var names []string
	for _, r := range cfg.Regions {
		if r.Name != r.ID {
			names = append(names, fmt.Sprintf("%s (%s)", r.ID, r.Name))
		} else {
			names = append(names, r.ID)
		}
	}
	fmt.Fprintf(out, "regions: %s\n", strings.Join(names, ", "))

	var groups []*quorumGroup
	var push []string
	probed := 0
	for _, k := range cfg.Checks() {
		if k.Push != nil {
			push = append(push, k.ID)
			continue
		}
		probed++
		var g *quorumGroup
		for _, x := range groups {
			if x.k == k.Quorum && slices.Equal(x.regions, k.Regions) {
				g = x
			}
		}
		if g == nil {
			g = &quorumGroup{k: k.Quorum, regions: k.Regions}
			groups = append(groups, g)
		}
		g.checks = append(g.checks, k.ID)
	}
	if len(groups) > 0 {
		fmt.Fprintln(out, "quorum (how many of a check's regions must agree):")
	}
	for _, g := range groups {
		checks := listChecks(g.checks)
		if len(g.checks) == probed && probed > 1 {
			checks = "every check"
		}
		fmt.Fprintf(out, "  %s: %s\n", g.kOfN(), checks)
	}
	if len(push) > 0 {
		fmt.Fprintf(out, "push checks, which report in and have no regions: %s\n", listChecks(push))
	}
	for _, g := range groups {
		n := len(g.regions)
		switch {
		case n == 2 && g.k == 2:
			fmt.Fprintf(warn, "up validate: warning: %s for %s: both regions must see DOWN, so an outage that only one of them sees is not declared; with a third region a majority (2 of 3) outvotes one region's own trouble and still declares what two see\n",
				g.kOfN(), listChecks(g.checks))
		case n >= 2 && g.k == 1:
			better := fmt.Sprintf("a majority (%d of %d) outvotes it", n/2+1, n)
			if n == 2 {
				better = "with a third region a majority (2 of 3) outvotes it"
			}
			fmt.Fprintf(warn, "up validate: warning: %s for %s (quorum any): one region seeing DOWN is enough, so nothing protects against that region's own network trouble; %s\n",
				g.kOfN(), listChecks(g.checks), better)
		}
	}
}

// kOfN words the group's quorum: "2 of 3 regions (eu-west, us-east, ap-south)".
func (g *quorumGroup) kOfN() string {
	noun := "regions"
	if len(g.regions) == 1 {
		noun = "region"
	}
	return fmt.Sprintf("%d of %d %s (%s)", g.k, len(g.regions), noun, strings.Join(g.regions, ", "))
}

// listChecks names the first shownChecks ids and counts the others.
func listChecks(ids []string) string {
	if len(ids) <= shownChecks {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:shownChecks], ", "), len(ids)-shownChecks)
}
