package config

import (
	"encoding"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// The decoders of scalar values: durations, times, booleans, integers
// and the types that parse themselves.

func (p *parser) decodeDuration(n *yaml.Node, path string, v reflect.Value) {
	s, _, ok := p.scalar(n, path, "a duration such as 30s")
	if !ok {
		return
	}
	d, err := parseDuration(strings.TrimSpace(s))
	if err != nil {
		p.errorf(n, path, "%s is not a duration; write a number with a unit, such as 30s, 2m or 1h30m", p.quote(path, s))
		return
	}
	v.SetInt(int64(d))
}

// parseDuration is time.ParseDuration that also takes whole days in
// front ("14d", "1d12h"): certificate lifetimes are counted in days, and
// "336h" hides what it means.
func parseDuration(s string) (time.Duration, error) {
	sign, rest := time.Duration(1), s
	if r, ok := strings.CutPrefix(rest, "-"); ok {
		sign, rest = -1, r
	}
	digits := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
	if digits == 0 || digits > 5 || digits == len(rest) || rest[digits] != 'd' {
		return time.ParseDuration(s)
	}
	days, _ := strconv.Atoi(rest[:digits])
	d := time.Duration(days) * 24 * time.Hour
	if rest = rest[digits+1:]; rest != "" {
		more, err := time.ParseDuration(rest)
		if err != nil || more < 0 {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		d += more
	}
	return sign * d, nil
}

func (p *parser) decodeTime(n *yaml.Node, path string, v reflect.Value) {
	s, _, ok := p.scalar(n, path, "an RFC 3339 time")
	if !ok {
		return
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		p.errorf(n, path, "%s is not an RFC 3339 time such as 2026-12-01T02:00:00Z", p.quote(path, s))
		return
	}
	v.Set(reflect.ValueOf(t))
}

// decodeText handles the scalar types that parse themselves (Regexp,
// StatusRange): their UnmarshalText errors are written for this message.
func (p *parser) decodeText(n *yaml.Node, path string, v reflect.Value) {
	s, _, ok := p.scalar(n, path, "a string")
	if !ok {
		return
	}
	if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
		if p.secret(path) {
			// These errors quote the value, or part of it.
			p.errorf(n, path, "%s is not %s", p.quote(path, s), textKinds[v.Type()])
			return
		}
		p.errorf(n, path, "%v", err)
	}
}

// textKinds names what each text type holds, for errors about a value
// whose own error message cannot be shown.
var textKinds = map[reflect.Type]string{
	reflect.TypeFor[Regexp]():      "a valid regular expression",
	reflect.TypeFor[StatusRange](): "a status code or range such as 200, 200-299 or 2xx",
	reflect.TypeFor[Number]():      "a number",
	reflect.TypeFor[JSONPath]():    "a JSON path such as $.status",
	reflect.TypeFor[QuorumRule]():  "a quorum: majority, all, any or a number of regions",
}

func (p *parser) decodeBool(n *yaml.Node, path string, v reflect.Value) {
	s, typed, ok := p.scalar(n, path, "true or false")
	if !ok {
		return
	}
	if typed && n.ShortTag() != "!!bool" {
		p.typeError(n, path, "true or false")
		return
	}
	switch strings.ToLower(s) {
	case "true":
		v.SetBool(true)
	case "false":
		v.SetBool(false)
	default:
		p.errorf(n, path, "expected true or false, got %s", p.quote(path, s))
	}
}

func (p *parser) decodeInt(n *yaml.Node, path string, v reflect.Value) {
	s, typed, ok := p.scalar(n, path, "an integer")
	if !ok {
		return
	}
	if typed && n.ShortTag() != "!!int" {
		p.typeError(n, path, "an integer")
		return
	}
	i, err := strconv.ParseInt(strings.TrimSpace(s), 0, v.Type().Bits())
	if err != nil {
		p.errorf(n, path, "%s is not an integer in range", p.quote(path, s))
		return
	}
	v.SetInt(i)
}
