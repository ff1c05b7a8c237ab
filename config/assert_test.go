package config

import (
	"reflect"
	"strings"
	"testing"
)

const assertBase = `components:
  - id: c
    checks:
      - name: api
        http:
          url: https://h.example/
          expect_json:
            - {path: '$.a[0]["b.c"]', equals: ok}
            - {path: $.n, equals: 200}
            - {path: $.s, equals: "200"}
            - {path: $.t, not_equals: true}
            - {path: $.x, "<": 1.5}
            - {path: $.x, "<=": 2}
            - {path: $.x, ">": -1}
            - {path: $.x, ">=": 0}
            - {path: $.y, exists: false}
          expect_headers:
            - {name: Content-Type, equals: text/plain}
            - {name: Content-Type, contains: text}
            - {name: Content-Type, matches: ^text/}
            - {name: X-A, present: true}
`

func TestAssertionsParse(t *testing.T) {
	h := mustParse(t, assertBase).Checks()[0].HTTP
	if len(h.ExpectJSON) != 9 || len(h.ExpectHeaders) != 4 {
		t.Fatalf("%d json, %d header assertions", len(h.ExpectJSON), len(h.ExpectHeaders))
	}
	steps := h.ExpectJSON[0].Path.Steps()
	want := []JSONStep{{Name: "a"}, {Index: 0, IsIndex: true}, {Name: "b.c"}}
	if !reflect.DeepEqual(steps, want) {
		t.Errorf("steps %+v, want %+v", steps, want)
	}
	if v := h.ExpectJSON[1].Equals; v.Kind != JSONNumber || v.Number != 200 {
		t.Errorf("equals: 200 read as %+v", v)
	}
	if v := h.ExpectJSON[2].Equals; v.Kind != JSONString || v.String != "200" {
		t.Errorf(`equals: "200" read as %+v`, v)
	}
	if v := h.ExpectJSON[3].NotEquals; v.Kind != JSONBool || !v.Bool {
		t.Errorf("not_equals: true read as %+v", v)
	}
	if *h.ExpectJSON[4].Less != 1.5 || *h.ExpectJSON[6].Greater != -1 {
		t.Errorf("numbers read as %v, %v", *h.ExpectJSON[4].Less, *h.ExpectJSON[6].Greater)
	}
}

// Every field of an assertion takes part in Equal, or a reload would
// keep running a check with its old assertions.
func TestAssertionEqualSeesEveryField(t *testing.T) {
	count := 0
	for _, list := range []string{"ExpectJSON", "ExpectHeaders"} {
		n := reflect.ValueOf(mustParse(t, assertBase).Checks()[0].HTTP).Elem().FieldByName(list).Len()
		for i := range n {
			elem := reflect.ValueOf(mustParse(t, assertBase).Checks()[0].HTTP).Elem().FieldByName(list).Index(i)
			for f := range elem.NumField() {
				base := mustParse(t, assertBase).Checks()[0]
				changed := mustParse(t, assertBase).Checks()[0]
				v := reflect.ValueOf(changed.HTTP).Elem().FieldByName(list).Index(i).Field(f)
				if !mutate(v) {
					t.Fatalf("no way to change a %s", v.Type())
				}
				if base.Equal(changed) {
					t.Errorf("%s[%d]: Equal ignores %s", list, i, elem.Type().Field(f).Name)
				}
				count++
			}
		}
	}
	if count < 50 {
		t.Errorf("only %d fields changed", count)
	}
}

func TestAssertionsInvalid(t *testing.T) {
	for _, tc := range []struct{ item, want string }{
		{`expect_json: [{path: status, equals: ok}]`, `f.yml:7:32: components[0].checks[0].http.expect_json[0].path: JSON path "status" must start with $`},
		{`expect_json: [{path: $.a, equals: ok, exists: true}]`, `expect_json[0].exists: an assertion has exactly one of equals, not_equals, <, <=, >, >=, exists; this one already has equals`},
		{`expect_json: [{path: $.a}]`, `expect_json[0]: an assertion needs one of equals`},
		{`expect_json: [{equals: 1}]`, `expect_json[0].path: is required`},
		{`expect_json: [{path: $.a, "<": many}]`, `"many" is not a number`},
		{`expect_json: [{path: "$.a[x]", exists: true}]`, `[x] is not an array index`},
		{`expect_json: [{path: $.a, equals: [1]}]`, `expect_json[0].equals:`},
		{`expect_headers: [{name: "X A", present: true}]`, `expect_headers[0].name: "X A" is not a valid header name`},
		{`expect_headers: [{name: X-A}]`, `expect_headers[0]: an assertion needs one of equals, contains, matches, present`},
		{`expect_headers: [{name: X-A, matches: "("}]`, `expect_headers[0].matches: invalid regular expression`},
	} {
		src := "components:\n  - id: c\n    checks:\n      - name: a\n        http:\n          url: https://h.example/\n          " + tc.item + "\n"
		_, err := ParseWithEnv([]byte(src), "f.yml", testEnv)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.item, err, tc.want)
		}
	}
}
