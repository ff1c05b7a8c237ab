package config

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Region is a place checks are probed from: the instances of a cluster
// whose cluster.region names it.
type Region struct {
	ID string `yaml:"id"`
	// Name is what people read. Default: the id.
	Name string `yaml:"name"`
}

// RegionIDs lists the ids of the file's regions in its order; a file
// without regions has the one region DefaultRegion.
func (c *Config) RegionIDs() []string {
	ids := make([]string, len(c.Regions))
	for i, r := range c.Regions {
		ids[i] = r.ID
	}
	return ids
}

// allRegions is the word that selects every region of the file; no
// region may take it as its id.
const allRegions = "all"

// RegionRule is a `regions` key as written: every region of the file
// (All, written "all", the default) or the regions listed by id.
type RegionRule struct {
	All bool
	IDs []string
}

// String is the rule as the file would write it.
func (r RegionRule) String() string {
	if r.All {
		return allRegions
	}
	return "[" + strings.Join(r.IDs, ", ") + "]"
}

// resolve lists the regions the rule selects among ids, in the order of
// ids: a check's regions read the same whatever order it lists them in.
// Ids the file does not define are left out (validation reports them).
func (r RegionRule) resolve(ids []string) []string {
	if r.All {
		return slices.Clone(ids)
	}
	var out []string
	for _, id := range ids {
		if slices.Contains(r.IDs, id) {
			out = append(out, id)
		}
	}
	return out
}

// The words a quorum may be written as.
const (
	quorumMajority = "majority"
	quorumAll      = "all"
	quorumAny      = "any"
)

var quorumWords = []string{quorumMajority, quorumAll, quorumAny}

// QuorumRule is a `quorum` key as written: how many of a check's regions
// must agree before the check takes a state from them. "majority" (the
// default) is more than half of them, "all" every one, "any" one, and a
// number that many. The zero value is "majority".
type QuorumRule struct {
	word string // one of quorumWords, or "" for a number
	k    int
}

// UnmarshalText reads a word or a whole number of at least 1.
func (q *QuorumRule) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if slices.Contains(quorumWords, s) {
		*q = QuorumRule{word: s}
		return nil
	}
	k, err := strconv.Atoi(s)
	if err != nil {
		msg := fmt.Sprintf("%q is not a quorum; use majority, all, any or a number of regions", s)
		if c := closest(s, quorumWords); c != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", c)
		}
		return fmt.Errorf("%s", msg)
	}
	if k < 1 {
		return fmt.Errorf("must be at least 1 region, got %d", k)
	}
	*q = QuorumRule{k: k}
	return nil
}

// MarshalText writes the rule as the file would.
func (q QuorumRule) MarshalText() ([]byte, error) { return []byte(q.String()), nil }

// String is the rule as the file would write it.
func (q QuorumRule) String() string {
	if q.word == "" && q.k == 0 {
		return quorumMajority
	}
	if q.word != "" {
		return q.word
	}
	return strconv.Itoa(q.k)
}

// Number reports the number of a rule written as one, and whether it was.
func (q QuorumRule) Number() (int, bool) { return q.k, q.word == "" && q.k > 0 }

// Of is how many of n regions the rule asks for. A number is returned
// as is, even above n: validation refuses that where it is written.
func (q QuorumRule) Of(n int) int {
	if k, ok := q.Number(); ok {
		return k
	}
	switch {
	case n < 1:
		return 0
	case q.word == quorumAll:
		return n
	case q.word == quorumAny:
		return 1
	}
	return n/2 + 1
}

var regionRuleType = reflect.TypeFor[RegionRule]()

// decodeRegionRule reads a `regions` key: the word all, or a list of
// region ids, each kept at its own path so that an unknown one is
// reported where it is written.
func (p *parser) decodeRegionRule(n *yaml.Node, path string, v reflect.Value) {
	r := v.Addr().Interface().(*RegionRule)
	const want = "all or a list of region ids"
	switch n.Kind {
	case yaml.SequenceNode:
		p.decodeSlice(n, path, reflect.ValueOf(&r.IDs).Elem())
	case yaml.ScalarNode:
		s, _, ok := p.scalar(n, path, want)
		if !ok {
			return
		}
		if s != allRegions {
			p.errorf(n, path, "expected %s, got the string %s; write [%s] for one region", want, p.quote(path, s), p.shown(path, s))
			return
		}
		r.All = true
	default:
		p.typeError(n, path, want)
	}
}
