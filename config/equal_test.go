package config

import (
	"reflect"
	"regexp"
	"testing"
	"unsafe"
)

// equalBase has one check of each kind with every field set, so that
// changing any field of any of them changes something.
const equalBase = `components:
  - id: c
    checks:
      - name: web
        interval: 20s
        timeout: 5s
        failure_threshold: 2
        success_threshold: 3
        degraded_latency: 1s
        http:
          url: https://h.example/
          method: POST
          headers: {X-A: a}
          body: '{}'
          expect_status: [200]
          body_contains: ok
          body_regex: ^ok$
          follow_redirects: false
          tls_skip_verify: true
          max_body_bytes: 4096
          expect_json:
            - {path: $.a, equals: ok}
          expect_headers:
            - {name: X-A, equals: a}
          basic_auth: {username: u, password: p}
          ca_file: ../examples/tls/ca.pem
          cert_file: ../examples/tls/client.pem
          key_file: ../examples/tls/client-key.pem
          ip_version: "6"
      - name: port
        tcp: {address: "h.example:443", tls: true, tls_skip_verify: true, server_name: h.example, send: ping, expect: pong}
      - name: ping
        icmp: {host: h.example, count: 2, ip_version: "4"}
      - name: zone
        tls_expiry_warn: 10d
        tls_expiry_critical: 2d
        dns:
          server: "127.0.0.1:853"
          name: h.example
          type: SOA
          transport: tls
          tls_skip_verify: true
          server_name: ns.h.example
          rcode: NOERROR
          answer_contains: ns
          answer_matches: ^ns
          all_match: example
          min_answers: 1
          soa_serial_min: 7
      - name: cert
        tls: {address: "h.example:443", server_name: h.example, tls_skip_verify: true, min_version: "1.3"}
      - name: live
        websocket: {url: "wss://h.example/live", headers: {X-A: a}, tls_skip_verify: true, send: ping, expect_regex: pong}
      - name: live2
        websocket: {url: "ws://h.example/live", expect: pong}
      - name: rpc
        grpc: {address: "h.example:50051", service: s, tls: true, tls_skip_verify: true, server_name: h.example, metadata: {k: v}}
`

func TestCheckEqual(t *testing.T) {
	a, b := mustParse(t, equalBase).Checks(), mustParse(t, equalBase).Checks()
	for i := range a {
		if a[i].HTTP != nil && a[i].HTTP.BodyRegex == b[i].HTTP.BodyRegex {
			t.Fatal("the two parses share a Regexp; the test would not compare by source")
		}
		if !a[i].Equal(b[i]) {
			t.Errorf("%s: two parses of one file differ", a[i].ID)
		}
		if a[i].Equal(b[(i+1)%len(b)]) {
			t.Errorf("%s equals %s", a[i].ID, b[(i+1)%len(b)].ID)
		}
	}
	var nilCheck *Check
	if !nilCheck.Equal(nil) || nilCheck.Equal(a[0]) || a[0].Equal(nil) {
		t.Error("nil checks compare wrong")
	}
}

// TestCheckEqualSeesEveryField changes each field of a parsed check in
// turn, found by reflection, so a field added to Check or its protocol
// structs without a matching line in Equal fails here.
func TestCheckEqualSeesEveryField(t *testing.T) {
	// The regions and quorum keys as written count through what they
	// come to, Regions and Quorum, which are changed like any field:
	// "all" and the list of every region are the same check.
	asWritten := map[string]bool{"RegionRule": true, "QuorumRule": true}
	count := 0
	for i := range mustParse(t, equalBase).Checks() {
		base := mustParse(t, equalBase).Checks()[i]
		for _, path := range fieldPaths(reflect.TypeFor[Check](), nil, reflect.ValueOf(base).Elem()) {
			if asWritten[fieldName(reflect.TypeFor[Check](), path)] {
				continue
			}
			changed := mustParse(t, equalBase).Checks()[i]
			f := reflect.ValueOf(changed).Elem().FieldByIndex(path)
			if !f.CanSet() {
				// An unexported field (the stored target) counts too.
				f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
			}
			if !mutate(f) {
				t.Fatalf("no way to change a %s; teach this test and Check.Equal about it", f.Type())
			}
			name := fieldName(reflect.TypeFor[Check](), path)
			if base.Equal(changed) || changed.Equal(base) {
				t.Errorf("%s: Equal ignores %s", base.ID, name)
			}
			count++
		}
	}
	if count < 30 {
		t.Errorf("only %d fields were changed; the walk misses some", count)
	}
}

// fieldPaths lists the index paths of the fields of t, descending into
// pointers to structs that are set in v.
func fieldPaths(t reflect.Type, prefix []int, v reflect.Value) [][]int {
	var out [][]int
	for i := range t.NumField() {
		f := t.Field(i)
		path := append(append([]int(nil), prefix...), i)
		out = append(out, path)
		fv := v.Field(i)
		if f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct && !fv.IsNil() &&
			f.Type.Elem() != reflect.TypeFor[Regexp]() {
			for _, sub := range fieldPaths(f.Type.Elem(), nil, fv.Elem()) {
				out = append(out, append(append([]int(nil), path...), sub...))
			}
		}
	}
	return out
}

func fieldName(t reflect.Type, path []int) string {
	name := ""
	for _, i := range path {
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		f := t.Field(i)
		name += "." + f.Name
		t = f.Type
	}
	return name[1:]
}

// mutate changes v to a different value and reports whether it knew how.
// FieldByIndex walks through the pointers, so a nested path changes the
// pointed-to struct in place.
func mutate(v reflect.Value) bool {
	switch {
	case v.Type() == reflect.TypeFor[tlsFiles]():
		f := v.Interface().(tlsFiles)
		f.sum[0]++ // what the files held
		v.Set(reflect.ValueOf(f))
	case v.Type() == reflect.TypeFor[*Regexp]():
		v.Set(reflect.ValueOf(&Regexp{regexpMust("changed")}))
	case v.Type() == reflect.TypeFor[[]StatusRange]():
		v.Set(reflect.Append(v, reflect.ValueOf(StatusRange{500, 599})))
	case v.Kind() == reflect.Slice:
		v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
	case v.Type() == reflect.TypeFor[JSONPath]():
		var p JSONPath
		if err := p.UnmarshalText([]byte(v.Interface().(JSONPath).String() + ".changed")); err != nil {
			panic(err)
		}
		v.Set(reflect.ValueOf(p))
	case v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Float64:
		n := Number(1)
		if !v.IsNil() {
			n = Number(v.Elem().Float() + 1)
		}
		v.Set(reflect.ValueOf(&n))
	case v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.String:
		v.Set(reflect.ValueOf(ptr("changed")))
	case v.Kind() == reflect.String:
		v.SetString(v.String() + "x")
	case v.Kind() == reflect.Bool:
		v.SetBool(!v.Bool())
	case v.Kind() == reflect.Int || v.Kind() == reflect.Int64:
		v.SetInt(v.Int() + 1)
	case v.Kind() == reflect.Map:
		m := reflect.MakeMap(v.Type())
		for _, k := range v.MapKeys() {
			m.SetMapIndex(k, v.MapIndex(k))
		}
		m.SetMapIndex(reflect.ValueOf("X-Changed").Convert(v.Type().Key()), reflect.Zero(v.Type().Elem()))
		v.Set(m)
	case v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Bool:
		v.Set(reflect.ValueOf(ptr(v.IsNil() || !v.Elem().Bool())))
	case v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Struct:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		} else {
			v.Set(reflect.Zero(v.Type()))
		}
	default:
		return false
	}
	return true
}

func regexpMust(expr string) *regexp.Regexp {
	r, err := NewRegexp(expr)
	if err != nil {
		panic(err)
	}
	return r.Regexp
}
