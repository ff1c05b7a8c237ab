package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Error is one problem in a configuration file. Load and Parse return every
// problem they find as *Error values joined with errors.Join, one per line,
// sorted by position, so an editor can jump to each of them.
type Error struct {
	Source string
	Line   int
	Column int
	// Path names the key, e.g. "components[0].checks[1].http.url"; empty
	// when the problem concerns the file as a whole.
	Path string
	Msg  string
}

// Error formats the problem as file:line:column: path: message.
func (e *Error) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%s:%d:%d: %s", e.Source, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", e.Source, e.Line, e.Column, e.Path, e.Msg)
}

// Load reads, expands, defaults and validates the configuration file at
// path, taking ${VAR} values from the process environment. Errors are
// reported against path as given.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		// "config.yaml: no such file or directory", one plain line: the
		// path is named once, without the system call's name.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return Parse(data, path)
}

// Parse is Load for text already in memory; source names it in errors.
func Parse(data []byte, source string) (*Config, error) {
	return ParseWithEnv(data, source, os.LookupEnv)
}

// ParseWithEnv is Parse with the environment given as a lookup function
// (nil means no variable is set), so that callers and tests control what
// ${VAR} expands to without touching the process environment.
func ParseWithEnv(data []byte, source string, lookup func(string) (string, bool)) (*Config, error) {
	root, err := parseYAML(data, source)
	if err != nil {
		return nil, err
	}
	p := newParser(source, lookup, len(data))
	cfg := &Config{Source: source}
	if root != nil {
		p.root = root
		p.decode(root, "", reflect.ValueOf(cfg).Elem())
	}
	applyDefaults(cfg, p.isSet)
	p.validate(cfg)
	p.setShown(cfg)
	if len(p.errs) > 0 {
		return nil, joinSorted(p.errs)
	}
	return cfg, nil
}

// parseYAML returns the single document's root node, or nil for a file
// with no content. Syntax errors come back as one *Error.
func parseYAML(data []byte, source string) (*yaml.Node, error) {
	// yaml.v3 reports these without a position; finding them ourselves
	// gives the exact line and column.
	if line, col, msg, bad := badCharacter(data); bad {
		return nil, &Error{Source: source, Line: line, Column: col, Msg: msg}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, syntaxError(data, source, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxError(data, source, err)
	default:
		return nil, &Error{Source: source, Line: next.Line, Column: next.Column,
			Msg: "only one YAML document is allowed; remove this \"---\" and what follows"}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// yamlLine matches the position yaml.v3 puts in its syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxError turns a yaml.v3 error into an *Error. yaml.v3 gives no
// column, and its line is often that of the enclosing block rather than of
// the mistake, or missing; the line is found again by parsing prefixes of
// the file (see errorLine), and column 1 points at its start.
func syntaxError(data []byte, source string, err error) error {
	msg := yamlLine.ReplaceAllString(err.Error(), "")
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := errorLine(data, msg)
	if line == 0 {
		line = 1
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
	}
	// yaml.v3 words a tab in the indentation in ways that do not name
	// it ("found character that cannot start any token").
	if col := tabIndent(data, line); col > 0 {
		return &Error{Source: source, Line: line, Column: col,
			Msg: "YAML syntax error: tabs are not allowed for indentation; indent with spaces"}
	}
	return &Error{Source: source, Line: line, Column: 1, Msg: "YAML syntax error: " + msg}
}

// tabIndent returns the column of the first tab in the indentation of
// line (counted from 1), or 0 if its indentation has none.
func tabIndent(data []byte, line int) int {
	lines := bytes.Split(data, []byte("\n"))
	if line < 1 || line > len(lines) {
		return 0
	}
	for i, c := range lines[line-1] {
		switch c {
		case '\t':
			return i + 1
		case ' ':
		default:
			return 0
		}
	}
	return 0
}

// errorLine finds the line at which data stops being valid YAML: a line L
// such that the first L-1 lines parse and the first L lines fail with the
// same message as the whole file. Binary search finds such a line in a few
// parses. A prefix that ends inside a multi-line flow list or quoted string
// fails for its own reason, with another message; the search then resumes
// after the next prefix that parses. It returns 0 if it finds no line
// within its budget of parses.
func errorLine(data []byte, msg string) int {
	var ends []int // ends[i] is the length of the first i+1 lines
	for i, b := range data {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(data) {
		ends = append(ends, len(data))
	}
	budget := 40
	prefixErr := func(lines int) string {
		budget--
		dec := yaml.NewDecoder(bytes.NewReader(data[:ends[lines-1]]))
		for {
			var n yaml.Node
			if err := dec.Decode(&n); err != nil {
				if errors.Is(err, io.EOF) {
					return ""
				}
				return strings.TrimPrefix(yamlLine.ReplaceAllString(err.Error(), ""), "yaml: ")
			}
		}
	}
	// Invariant: the first lo lines parse; the first hi lines fail with hiErr.
	lo, hi, hiErr := 0, len(ends), msg
	for budget > 0 {
		for hi-lo > 1 && budget > 0 {
			mid := lo + (hi-lo)/2
			if e := prefixErr(mid); e == "" {
				lo = mid
			} else {
				hi, hiErr = mid, e
			}
		}
		if hi-lo == 1 && hiErr == msg {
			return hi
		}
		next := 0
		for m := hi + 1; m < len(ends) && budget > 0; m++ {
			if prefixErr(m) == "" {
				next = m
				break
			}
		}
		if next == 0 {
			return 0
		}
		lo, hi, hiErr = next, len(ends), msg
	}
	return 0
}

// badCharacter finds bytes YAML does not allow in a document: invalid
// UTF-8 and control characters other than tab, newline and carriage return.
func badCharacter(data []byte) (line, col int, msg string, bad bool) {
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return line, col, "the file is not valid UTF-8", true
		case r == '\n':
			line, col = line+1, 0
		case r == '\t' || r == '\r' || r == 0x85 || r == '\uFEFF':
		case r < 0x20 || (r >= 0x7F && r <= 0x9F) || r == 0xFFFE || r == 0xFFFF:
			return line, col, fmt.Sprintf("control character %U is not allowed", r), true
		}
		i += size
		col++
	}
	return 0, 0, "", false
}

func joinSorted(errs []*Error) error {
	slices.SortStableFunc(errs, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	joined := make([]error, len(errs))
	for i, e := range errs {
		joined[i] = e
	}
	return errors.Join(joined...)
}
