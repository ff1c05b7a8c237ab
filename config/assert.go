package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// JSONAssertion is one test of an HTTP check's JSON body: the value at
// Path, compared by exactly one of the operators.
type JSONAssertion struct {
	Path JSONPath `yaml:"path"`
	// Equals and NotEquals compare with a string, number or boolean; a
	// value of another JSON type never equals one.
	Equals    *JSONValue `yaml:"equals"`
	NotEquals *JSONValue `yaml:"not_equals"`
	// The order operators take numbers and want a JSON number.
	Less         *Number `yaml:"<"`
	LessEqual    *Number `yaml:"<="`
	Greater      *Number `yaml:">"`
	GreaterEqual *Number `yaml:">="`
	// Exists true wants the path to lead to a value (null included),
	// false wants it to lead nowhere.
	Exists *bool `yaml:"exists"`
}

// jsonOperators are the keys of JSONAssertion that compare, in the
// order of its fields.
var jsonOperators = []string{"equals", "not_equals", "<", "<=", ">", ">=", "exists"}

func (a *JSONAssertion) equal(o *JSONAssertion) bool {
	return a.Path.source == o.Path.source &&
		equalPtr(a.Equals, o.Equals) && equalPtr(a.NotEquals, o.NotEquals) &&
		equalPtr(a.Less, o.Less) && equalPtr(a.LessEqual, o.LessEqual) &&
		equalPtr(a.Greater, o.Greater) && equalPtr(a.GreaterEqual, o.GreaterEqual) &&
		equalPtr(a.Exists, o.Exists)
}

// HeaderAssertion is one test of a response header of an HTTP check,
// by exactly one of Equals, Contains, Matches and Present. Equals,
// Contains and Matches look at every value the header has and want one
// of them to pass; a missing header fails them.
type HeaderAssertion struct {
	Name     string  `yaml:"name"`
	Equals   *string `yaml:"equals"`
	Contains *string `yaml:"contains"`
	Matches  *Regexp `yaml:"matches"`
	// Present true wants the header sent, false wants it absent.
	Present *bool `yaml:"present"`
}

var headerOperators = []string{"equals", "contains", "matches", "present"}

func (h *HeaderAssertion) equal(o *HeaderAssertion) bool {
	return h.Name == o.Name && equalPtr(h.Equals, o.Equals) && equalPtr(h.Contains, o.Contains) &&
		sameRegexp(h.Matches, o.Matches) && equalPtr(h.Present, o.Present)
}

// Number is a number written in the file, integer or not.
type Number float64

// UnmarshalText reads a decimal number.
func (n *Number) UnmarshalText(text []byte) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(string(text)), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("%q is not a number", text)
	}
	*n = Number(f)
	return nil
}

// JSONValue is a scalar an assertion compares a JSON value with. Its
// kind comes from how the file wrote it: "ok" and "200" are strings,
// 200 a number, true a boolean.
type JSONValue struct {
	Kind   JSONKind
	String string  // the text as written, for JSONString and messages
	Number float64 // for JSONNumber
	Bool   bool    // for JSONBool
}

// JSONKind is the JSON type of a JSONValue.
type JSONKind int

// The kinds a JSONValue can have.
const (
	JSONString JSONKind = iota
	JSONNumber
	JSONBool
)

// Display is the value as JSON would spell it, for messages.
func (v JSONValue) Display() string {
	if v.Kind == JSONString {
		return strconv.Quote(v.String)
	}
	return v.String
}

// decodeJSONValue keeps the YAML type of the scalar: a quoted "200" is
// a string and does not equal the number 200. A value from ${VAR} has no
// type of its own and is a string.
func (p *parser) decodeJSONValue(n *yaml.Node, path string, v *JSONValue) {
	s, typed, ok := p.scalar(n, path, "a string, number or boolean")
	if !ok {
		return
	}
	*v = JSONValue{Kind: JSONString, String: s}
	if !typed {
		return
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
		f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			p.errorf(n, path, "%s is not a number JSON can hold", p.quote(path, s))
			return
		}
		*v = JSONValue{Kind: JSONNumber, String: strconv.FormatFloat(f, 'g', -1, 64), Number: f}
	case "!!bool":
		b := strings.EqualFold(s, "true")
		*v = JSONValue{Kind: JSONBool, String: strconv.FormatBool(b), Bool: b}
	}
}

// JSONPath is a path into a JSON document in the common JSONPath
// subset: $ for the whole document, then .name or ["name"] for a member
// and [N] for an array element, as in $.items[0].status.
type JSONPath struct {
	source string
	steps  []JSONStep
}

// JSONStep is one step of a JSONPath: a member name, or an array index
// when IsIndex.
type JSONStep struct {
	Name    string
	Index   int
	IsIndex bool
}

// String returns the path as written.
func (j JSONPath) String() string { return j.source }

// Steps returns the steps after $.
func (j JSONPath) Steps() []JSONStep { return j.steps }

// MarshalText writes the path as written.
func (j JSONPath) MarshalText() ([]byte, error) { return []byte(j.source), nil }

// UnmarshalText parses a path.
func (j *JSONPath) UnmarshalText(text []byte) error {
	s := string(text)
	rest, ok := strings.CutPrefix(s, "$")
	if !ok {
		return fmt.Errorf("JSON path %q must start with $, as in $.status", s)
	}
	var steps []JSONStep
	for rest != "" {
		switch rest[0] {
		case '.':
			end := strings.IndexAny(rest[1:], ".[")
			if end < 0 {
				end = len(rest) - 1
			}
			name := rest[1 : 1+end]
			if name == "" {
				return fmt.Errorf("JSON path %q has an empty member name; quote names with dots as [\"a.b\"]", s)
			}
			steps = append(steps, JSONStep{Name: name})
			rest = rest[1+end:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if q := rest[1:min(2, len(rest))]; q == `"` || q == "'" {
				// A quoted name may hold ] and dots; it ends at its quote.
				shut := strings.Index(rest[2:], q+"]")
				if shut < 0 {
					return fmt.Errorf("JSON path %q has an unclosed quoted name", s)
				}
				steps = append(steps, JSONStep{Name: rest[2 : 2+shut]})
				rest = rest[2+shut+2:]
				continue
			}
			if end < 0 {
				return fmt.Errorf("JSON path %q has an unclosed [", s)
			}
			i, err := strconv.Atoi(rest[1:end])
			if err != nil || i < 0 {
				return fmt.Errorf("JSON path %q: [%s] is not an array index (0 or more) or a quoted name", s, rest[1:end])
			}
			steps = append(steps, JSONStep{Index: i, IsIndex: true})
			rest = rest[end+1:]
		default:
			return fmt.Errorf("JSON path %q: expected . or [ at %q", s, rest)
		}
	}
	j.source, j.steps = s, steps
	return nil
}

func (p *parser) validateJSONAssertions(path string, as []JSONAssertion) {
	for i := range as {
		ap := fmt.Sprintf("%s[%d]", path, i)
		if !p.isSet(ap + ".path") {
			p.fail(ap+".path", "is required (such as $.status)")
		}
		p.exactlyOne(ap, jsonOperators)
	}
}

func (p *parser) validateHeaderAssertions(path string, hs []HeaderAssertion) {
	for i := range hs {
		hp := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case hs[i].Name == "":
			p.fail(hp+".name", "is required")
		case !isToken(hs[i].Name):
			p.fail(hp+".name", "%s is not a valid header name", p.quote(hp+".name", hs[i].Name))
		}
		p.exactlyOne(hp, headerOperators)
	}
}

// exactlyOne wants exactly one of keys set under path.
func (p *parser) exactlyOne(path string, keys []string) {
	var set []string
	for _, k := range keys {
		if p.isSet(path + "." + k) {
			set = append(set, k)
		}
	}
	switch {
	case len(set) == 0:
		p.fail(path, "an assertion needs one of %s", strings.Join(keys, ", "))
	case len(set) > 1:
		for _, extra := range set[1:] {
			p.failKey(path+"."+extra, "an assertion has exactly one of %s; this one already has %s", strings.Join(keys, ", "), set[0])
		}
	}
}
