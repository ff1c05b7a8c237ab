package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// NewRegexp compiles expr the way the config file does.
func NewRegexp(expr string) (*Regexp, error) {
	r := &Regexp{}
	if err := r.UnmarshalText([]byte(expr)); err != nil {
		return nil, err
	}
	return r, nil
}

// UnmarshalText compiles the expression. It shadows the method promoted
// from *regexp.Regexp, which would write through a nil pointer.
func (r *Regexp) UnmarshalText(text []byte) error {
	re, err := regexp.Compile(string(text))
	if err != nil {
		return fmt.Errorf("invalid regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	r.Regexp = re
	return nil
}

// MarshalText returns the source text, so that a loaded config written
// back out (as YAML or JSON) reads the same.
func (r Regexp) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// String returns the source text; unlike the promoted method it is safe on
// a zero Regexp.
func (r Regexp) String() string {
	if r.Regexp == nil {
		return ""
	}
	return r.Regexp.String()
}

func (r *Regexp) source() string {
	if r == nil {
		return ""
	}
	return r.String()
}

// ParseStatusRange reads "200", "200-299" or "2xx".
func ParseStatusRange(s string) (StatusRange, error) {
	s = strings.TrimSpace(s)
	var r StatusRange
	lo, hi, isRange := strings.Cut(s, "-")
	switch {
	case len(s) == 3 && (strings.HasSuffix(s, "xx") || strings.HasSuffix(s, "XX")) && s[0] >= '1' && s[0] <= '5':
		r.Low = int(s[0]-'0') * 100
		r.High = r.Low + 99
		return r, nil
	case isRange:
		a, errA := statusCode(lo)
		b, errB := statusCode(hi)
		if errA != nil || errB != nil {
			return r, fmt.Errorf("%q is not a status code or range such as 200, 200-299 or 2xx", s)
		}
		r.Low, r.High = a, b
	default:
		a, err := statusCode(s)
		if err != nil {
			return r, fmt.Errorf("%q is not a status code or range such as 200, 200-299 or 2xx", s)
		}
		r.Low, r.High = a, a
	}
	if r.Low < 100 || r.High > 599 {
		return r, fmt.Errorf("%q is outside the HTTP status codes 100-599", s)
	}
	if r.Low > r.High {
		return r, fmt.Errorf("range %q runs backwards; write %d-%d", s, r.High, r.Low)
	}
	return r, nil
}

func statusCode(s string) (int, error) {
	s = strings.TrimSpace(s)
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, strconv.ErrSyntax
		}
	}
	return strconv.Atoi(s)
}

// Contains reports whether code is in the range.
func (r StatusRange) Contains(code int) bool { return code >= r.Low && code <= r.High }

// String writes the range the way the config file does: "200" or "200-299".
func (r StatusRange) String() string {
	if r.Low == r.High {
		return strconv.Itoa(r.Low)
	}
	return fmt.Sprintf("%d-%d", r.Low, r.High)
}

// UnmarshalText parses the forms ParseStatusRange accepts.
func (r *StatusRange) UnmarshalText(text []byte) error {
	v, err := ParseStatusRange(string(text))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// MarshalText writes the range as String does.
func (r StatusRange) MarshalText() ([]byte, error) { return []byte(r.String()), nil }
