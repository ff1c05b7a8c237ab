package config

import (
	"fmt"
	"strings"
)

// expand replaces ${NAME} with the value of environment variable NAME and
// $$ with a single $. A $ followed by anything else is kept as written, so
// that passwords and regular expressions such as "^ok$" need no escaping.
// It runs on decoded scalar values, never on the raw file, so a value can
// neither shift the positions of later errors nor smuggle in YAML.
func expand(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '$')
		if i < 0 || i == len(s)-1 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			s = s[i+2:]
		case '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return "", fmt.Errorf(`unterminated "${" (write "$$" for a literal dollar sign)`)
			}
			name := s[i+2 : i+2+end]
			if !validEnvName(name) {
				return "", fmt.Errorf(`%q is not a valid environment variable name (write "$$" for a literal dollar sign)`, name)
			}
			var val string
			ok := false
			if lookup != nil {
				val, ok = lookup(name)
			}
			if !ok {
				return "", fmt.Errorf("environment variable %s is not set", name)
			}
			b.WriteString(val)
			s = s[i+3+end:]
		default:
			b.WriteByte('$')
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
