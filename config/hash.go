package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"slices"
)

// Hash identifies what instances of a cluster must agree on: everything
// but listen, storage, metrics and cluster, which may differ from one
// instance to the next. Two files that load to the same values have the
// same hash, however they are written. Secrets (tokens, signing keys)
// count, so that a changed key is a different config; only their SHA-256
// leaves the process.
func (c *Config) Hash() string {
	shared := struct {
		Page        Page
		API         API
		Defaults    Defaults
		Groups      []Group
		Components  []Component
		Incidents   Incidents
		Maintenance []Maintenance
		Subscribers []Subscriber
		Users       []User
		Regions     []Region
	}{c.Page, c.API, c.Defaults, c.Groups, c.Components, c.Incidents, c.Maintenance, c.Subscribers, c.Users, c.Regions}
	h := sha256.New()
	// JSON sorts map keys, so the encoding does not depend on map order;
	// it cannot fail on these types.
	b, _ := json.Marshal(shared)
	h.Write(b)
	// Secret marshals as <secret>: add the values themselves.
	for _, s := range secretsIn(reflect.ValueOf(shared)) {
		h.Write([]byte{0})
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

var secretType = reflect.TypeFor[Secret]()

// secretsIn lists the Secret values under v in a fixed order: fields in
// declaration order, list items in order, map entries by key.
func secretsIn(v reflect.Value) []string {
	if v.Type() == secretType {
		return []string{v.String()}
	}
	var out []string
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			out = secretsIn(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out = append(out, secretsIn(v.Field(i))...)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			out = append(out, secretsIn(v.Index(i))...)
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int {
			if a.String() < b.String() {
				return -1
			}
			if a.String() > b.String() {
				return 1
			}
			return 0
		})
		for _, k := range keys {
			out = append(out, k.String())
			out = append(out, secretsIn(v.MapIndex(k))...)
		}
	}
	return out
}
