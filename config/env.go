package config

import (
	"fmt"
	"slices"
	"strings"
)

// secretShown is what a value taken from the environment looks like in
// anything up prints: targets, labels, logs, errors.
const secretShown = "<secret>"

// expansion is a scalar after ${VAR} expansion.
type expansion struct {
	// value is what the program uses.
	value string
	// shown is what may be printed: the text as written with every
	// ${VAR} whose value came from the environment replaced by <secret>.
	// A default (${VAR:-text}) is shown as written, since the file holds it.
	shown string
	// vars names the variables whose values came from the environment,
	// in order, each once, as "${NAME}".
	vars []string
	// secrets are the values those variables gave.
	secrets []string
}

// secret reports whether any part of the value came from the environment.
func (x expansion) secret() bool { return len(x.vars) > 0 }

// expand replaces ${NAME} with the value of environment variable NAME,
// ${NAME:-text} with that value or, if NAME is unset or empty, with text,
// and $$ with a single $. A $ followed by anything else is kept as written,
// so that passwords and regular expressions such as "^ok$" need no
// escaping. It runs on decoded scalar values, never on the raw file, so a
// value can neither shift the positions of later errors nor smuggle in
// YAML.
func expand(s string, lookup func(string) (string, bool)) (expansion, error) {
	if !strings.Contains(s, "$") {
		return expansion{value: s, shown: s}, nil
	}
	var val, shown strings.Builder
	var vars, secrets []string
	both := func(t string) { val.WriteString(t); shown.WriteString(t) }
	for {
		i := strings.IndexByte(s, '$')
		if i < 0 || i == len(s)-1 {
			both(s)
			return expansion{value: val.String(), shown: shown.String(), vars: vars, secrets: secrets}, nil
		}
		both(s[:i])
		switch s[i+1] {
		case '$':
			both("$")
			s = s[i+2:]
		case '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return expansion{}, fmt.Errorf(`unterminated "${" (write "$$" for a literal dollar sign)`)
			}
			name, def, hasDef := strings.Cut(s[i+2:i+2+end], ":-")
			if !validEnvName(name) {
				return expansion{}, fmt.Errorf(`%q is not a valid environment variable name (write "$$" for a literal dollar sign)`, name)
			}
			var v string
			ok := false
			if lookup != nil {
				v, ok = lookup(name)
			}
			switch {
			case hasDef && (!ok || v == ""):
				both(def)
			case !ok:
				return expansion{}, fmt.Errorf("environment variable %s is not set", name)
			default:
				val.WriteString(v)
				shown.WriteString(secretShown)
				if ref := "${" + name + "}"; !slices.Contains(vars, ref) {
					vars = append(vars, ref)
					secrets = append(secrets, v)
				}
			}
			s = s[i+3+end:]
		default:
			both("$")
			s = s[i+1:]
		}
	}
}

func validEnvName(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
