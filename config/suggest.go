package config

import (
	"fmt"
	"strings"
)

// unknownKey words the error for a key the schema does not have: the
// likely intended key if there is one, else the keys allowed here.
func unknownKey(name string, allowed []string) string {
	if s := closest(name, allowed); s != "" {
		return fmt.Sprintf("unknown key; did you mean %q?", s)
	}
	return "unknown key; allowed keys are " + strings.Join(allowed, ", ")
}

// unknownRef words the error for a reference at path to an id that is
// not defined, e.g. p.unknownRef(path, "group", "groups", "wbe", ids).
func (p *parser) unknownRef(path, what, plural, id string, defined []string) string {
	msg := fmt.Sprintf("unknown %s %s", what, p.quote(path, id))
	switch s := p.closest(path, id, defined); {
	case s != "":
		return msg + fmt.Sprintf("; did you mean %q?", s)
	case len(defined) == 0:
		return msg + "; no " + plural + " are defined"
	case len(defined) <= 10:
		return msg + "; defined " + plural + ": " + strings.Join(defined, ", ")
	}
	return msg
}

// oneOf words the error for a value at path outside a fixed set of words.
func (p *parser) oneOf(path, value, what string, allowed ...string) string {
	msg := fmt.Sprintf("%s is not %s; use %s", p.quote(path, value), what, orList(allowed))
	if s := p.closest(path, value, allowed); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

// closest is closest for the value at path, which gets no suggestion when
// it came from the environment: "did you mean" would tell of the secret.
func (p *parser) closest(path, word string, candidates []string) string {
	if p.secret(path) {
		return ""
	}
	return closest(word, candidates)
}

func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// closest returns the candidate word most likely meant, or "" if none is
// near: the same word spelled with other case or separators
// ("expectStatus", "expect-status"), or one a typo or two away.
func closest(word string, candidates []string) string {
	norm := func(s string) string {
		return strings.ToLower(strings.NewReplacer("_", "", "-", "", " ", "").Replace(s))
	}
	for _, c := range candidates {
		if norm(c) == norm(word) {
			return c
		}
	}
	// Ids and keys are short; a long word is no typo of any of them, and
	// skipping it keeps a hostile file from costing quadratic time.
	if len(word) > 64 {
		return ""
	}
	best, bestDist := "", min(2, len(word)/3)+1
	for _, c := range candidates {
		if diff := len(c) - len(word); diff >= bestDist || -diff >= bestDist {
			continue
		}
		if d := editDistance(word, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of neighbours ("wbe" for
// "web") cost one each.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// d[i][j] is the distance between ra[:i] and rb[:j].
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
