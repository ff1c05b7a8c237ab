package probe

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/up-status/up/config"
)

// maxShown bounds how much of a value an assertion's error quotes: a
// whole JSON object or a long header would drown the reason.
const maxShown = 100

// assertions are the expect_json and expect_headers tests of an HTTP
// check. The paths are evaluated by walking the body decoded with
// encoding/json rather than with a query library: the few steps a path
// may have (.name, ["name"], [N]) are parsed and checked when the
// configuration loads, and the body is capped at max_body_bytes, so a
// dependency would buy neither speed nor syntax a check needs.
type assertions struct {
	json    []config.JSONAssertion
	headers []config.HeaderAssertion
	// descs says what each assertion tests, headers first, in the
	// order judge tries them: a result's Passed is a prefix of it,
	// built once here rather than on every probe.
	descs []string
}

// newAssertions returns the assertions of c, nil when it has none.
func newAssertions(c *config.HTTPCheck) *assertions {
	if len(c.ExpectJSON) == 0 && len(c.ExpectHeaders) == 0 {
		return nil
	}
	a := &assertions{json: c.ExpectJSON, headers: c.ExpectHeaders}
	for i := range a.headers {
		a.descs = append(a.descs, headerDesc(&a.headers[i]))
	}
	for i := range a.json {
		a.descs = append(a.descs, jsonDesc(&a.json[i]))
	}
	return a
}

// judge returns why the response fails the first assertion it fails, ""
// when it passes all, and the assertions that held before it (shared:
// never to be modified). body is nil when there are no JSON assertions.
func (a *assertions) judge(h http.Header, body []byte, truncated bool, maxBody int64) (string, []string) {
	for i := range a.headers {
		if why := headerFailure(&a.headers[i], h); why != "" {
			return why, a.descs[:i]
		}
	}
	passed := a.descs[:len(a.headers)]
	if len(a.json) == 0 {
		return "", passed
	}
	doc, err := decodeJSON(body)
	if err != nil {
		why := "json: body is not JSON: " + shorten(err.Error())
		if truncated {
			why += " in its first " + strconv.FormatInt(maxBody, 10) + " bytes (max_body_bytes)"
		}
		return why, passed
	}
	for i := range a.json {
		if why := jsonFailure(&a.json[i], doc); why != "" {
			return why, a.descs[:len(a.headers)+i]
		}
	}
	return "", a.descs
}

// headerDesc names a header assertion as the file writes it:
// header Content-Type contains "json".
func headerDesc(a *config.HeaderAssertion) string {
	d := "header " + http.CanonicalHeaderKey(a.Name)
	switch {
	case a.Present != nil && *a.Present:
		return d + " present"
	case a.Present != nil:
		return d + " absent"
	case a.Equals != nil:
		return d + " equals " + quoteShort(*a.Equals)
	case a.Contains != nil:
		return d + " contains " + quoteShort(*a.Contains)
	case a.Matches != nil && a.Matches.Regexp != nil:
		return d + " matches /" + a.Matches.String() + "/"
	}
	return d
}

// jsonDesc names a JSON assertion as the file writes it:
// json $.queue.depth < 100.
func jsonDesc(a *config.JSONAssertion) string {
	d := "json " + a.Path.String()
	switch {
	case a.Exists != nil && *a.Exists:
		return d + " exists"
	case a.Exists != nil:
		return d + " absent"
	case a.Equals != nil:
		return d + " equals " + a.Equals.Display()
	case a.NotEquals != nil:
		return d + " not_equals " + a.NotEquals.Display()
	}
	op, limit := orderOp(a)
	return d + " " + op + " " + strconv.FormatFloat(limit, 'g', -1, 64)
}

// decodeJSON reads exactly one JSON value, numbers kept as text so that
// large integers compare exactly when written the same way.
func decodeJSON(body []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty body")
		}
		return nil, err
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("more data after the first value")
	}
	return v, nil
}

// lookup follows path through doc; ok is false when a step leads
// nowhere (no such member, index out of range, or the wrong type).
func lookup(doc any, path config.JSONPath) (v any, ok bool) {
	v = doc
	for _, s := range path.Steps() {
		switch x := v.(type) {
		case map[string]any:
			if s.IsIndex {
				return nil, false
			}
			if v, ok = x[s.Name]; !ok {
				return nil, false
			}
		case []any:
			if !s.IsIndex || s.Index >= len(x) {
				return nil, false
			}
			v = x[s.Index]
		default:
			return nil, false
		}
	}
	return v, true
}

func jsonFailure(a *config.JSONAssertion, doc any) string {
	v, found := lookup(doc, a.Path)
	prefix := "json " + a.Path.String() + ": "
	if a.Exists != nil {
		switch {
		case *a.Exists && !found:
			return prefix + "missing, want it to exist"
		case !*a.Exists && found:
			return prefix + "got " + jsonShown(v) + ", want it absent"
		}
		return ""
	}
	var want string
	var pass func() bool
	switch {
	case a.Equals != nil:
		want = a.Equals.Display()
		pass = func() bool { return jsonEqual(v, a.Equals) }
	case a.NotEquals != nil:
		want = "not " + a.NotEquals.Display()
		pass = func() bool { return !jsonEqual(v, a.NotEquals) }
	default:
		op, limit := orderOp(a)
		want = op + " " + strconv.FormatFloat(limit, 'g', -1, 64)
		n, isNum := jsonNumber(v)
		if found && !isNum {
			return prefix + "got " + jsonShown(v) + ", want a number " + want
		}
		pass = func() bool { return compare(op, n, limit) }
	}
	// A path that leads nowhere fails every comparison, not_equals
	// too: a mistyped path must not pass in silence.
	if !found {
		return prefix + "missing, want " + want
	}
	if !pass() {
		return prefix + "got " + jsonShown(v) + ", want " + want
	}
	return ""
}

func orderOp(a *config.JSONAssertion) (string, float64) {
	switch {
	case a.Less != nil:
		return "<", float64(*a.Less)
	case a.LessEqual != nil:
		return "<=", float64(*a.LessEqual)
	case a.Greater != nil:
		return ">", float64(*a.Greater)
	case a.GreaterEqual != nil:
		return ">=", float64(*a.GreaterEqual)
	}
	// Only a check built in code, unvalidated, has no operator; it
	// passes nothing rather than everything.
	return "(no operator)", 0
}

func compare(op string, n, limit float64) bool {
	switch op {
	case "<":
		return n < limit
	case "<=":
		return n <= limit
	case ">":
		return n > limit
	case ">=":
		return n >= limit
	}
	return false
}

func jsonNumber(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

// jsonEqual compares within one JSON type: the string "200" does not
// equal the number 200.
func jsonEqual(v any, want *config.JSONValue) bool {
	switch want.Kind {
	case config.JSONString:
		s, ok := v.(string)
		return ok && s == want.String
	case config.JSONNumber:
		n, ok := jsonNumber(v)
		return ok && n == want.Number
	case config.JSONBool:
		b, ok := v.(bool)
		return ok && b == want.Bool
	}
	return false
}

// jsonShown spells a value as JSON, cut to maxShown characters.
func jsonShown(v any) string {
	if s, ok := v.(string); ok {
		return quoteShort(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return shorten(string(b))
}

func headerFailure(a *config.HeaderAssertion, h http.Header) string {
	name := http.CanonicalHeaderKey(a.Name)
	values := h.Values(name)
	prefix := "header " + name + ": "
	got := quoteShort(strings.Join(values, ", "))
	if a.Present != nil {
		switch {
		case *a.Present && len(values) == 0:
			return prefix + "missing"
		case !*a.Present && len(values) > 0:
			return prefix + "got " + got + ", want it absent"
		}
		return ""
	}
	var want string
	var pass func(string) bool
	switch {
	case a.Equals != nil:
		want = strconv.Quote(*a.Equals)
		pass = func(v string) bool { return v == *a.Equals }
	case a.Contains != nil:
		want = "it to contain " + strconv.Quote(*a.Contains)
		pass = func(v string) bool { return strings.Contains(v, *a.Contains) }
	case a.Matches != nil && a.Matches.Regexp != nil:
		want = "a match for /" + a.Matches.String() + "/"
		pass = a.Matches.MatchString
	default:
		return ""
	}
	if len(values) == 0 {
		return prefix + "missing, want " + want
	}
	for _, v := range values {
		if pass(v) {
			return ""
		}
	}
	return prefix + "got " + got + ", want " + want
}

// quoteShort quotes s, cut to maxShown characters.
func quoteShort(s string) string {
	if utf8.RuneCountInString(s) <= maxShown {
		return strconv.Quote(s)
	}
	return strconv.Quote(string([]rune(s)[:maxShown])) + "…"
}

func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxShown {
		return s
	}
	return string([]rune(s)[:maxShown]) + "…"
}
