package quorum

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/up-status/up/status"
)

// String words the result for people, with the regions by id in the
// order of the views (the order of the file's regions):
//
//	down in 2 of 3 regions: eu-west, us-east; up in ap-south
//	slow in 2 of 3 regions: eu-west (down), us-east; up in ap-south
//	unknown: a state from 1 of 3 regions, 2 needed; down in eu-west; no report within 1m30s from us-east, ap-south
//
// The first part names the regions that make the state, marking those
// that see worse; the others follow, worst first, then the regions that
// know nothing. String is Lead followed by Rest.
func (r Result) String() string {
	return r.Lead() + r.Rest()
}

// Lead is the first part of String: the state and the regions that make
// it ("down in 2 of 3 regions: eu-west, us-east"), or, for UNKNOWN, how
// far the regions were from a quorum. A caller that adds a region's own
// words (its error) puts them after Lead, before Rest.
func (r Result) Lead() string {
	if r.N == 0 {
		return "unknown: the check has no regions"
	}
	if r.State == status.CheckUnknown || severity(r.State) == 0 {
		return fmt.Sprintf("unknown: a state from %d of %s, %d needed", r.knowing(), regions(r.N), r.K)
	}
	var b strings.Builder
	agree := r.Agree()
	fmt.Fprintf(&b, "%s in %d of %s: ", word(r.State), len(agree), regions(r.N))
	for i, id := range agree {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(id)
		if s, _ := r.stateOf(id); s != r.State {
			fmt.Fprintf(&b, " (%s)", word(s))
		}
	}
	return b.String()
}

// Rest is the rest of String after Lead: the other regions, each part
// starting with "; " ("; up in ap-south"), or "" when there are none.
func (r Result) Rest() string {
	if r.N == 0 {
		return ""
	}
	var b strings.Builder
	agree := r.Agree()
	for _, s := range worstFirst {
		var rest []string
		for _, id := range r.Seen[s] {
			if !slices.Contains(agree, id) {
				rest = append(rest, id)
			}
		}
		if len(rest) > 0 {
			fmt.Fprintf(&b, "; %s in %s", word(s), strings.Join(rest, ", "))
		}
	}
	if none := r.unknowing(); len(none) > 0 {
		fmt.Fprintf(&b, "; unknown in %s", strings.Join(none, ", "))
	}
	if len(r.Stale) > 0 {
		fmt.Fprintf(&b, "; no report within %s from %s", duration(r.Window), strings.Join(r.Stale, ", "))
	}
	return b.String()
}

// knowing counts the fresh regions that know a state.
func (r Result) knowing() int {
	n := 0
	for s, ids := range r.Seen {
		if severity(s) > 0 {
			n += len(ids)
		}
	}
	return n
}

// unknowing lists the fresh regions that know no state, in view order.
func (r Result) unknowing() []string {
	var out []string
	for _, id := range r.Regions {
		if s, ok := r.stateOf(id); ok && severity(s) == 0 {
			out = append(out, id)
		}
	}
	return out
}

// word is a state as a sentence says it.
func word(s status.CheckState) string {
	if severity(s) == 0 {
		return "unknown"
	}
	return strings.ToLower(string(s))
}

// regions words a number of regions: "1 region", "3 regions".
func regions(n int) string {
	if n == 1 {
		return "1 region"
	}
	return fmt.Sprintf("%d regions", n)
}

// duration prints d without the zero units time.Duration shows: 3m, not
// 3m0s; 1h30m, not 1h30m0s.
func duration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
