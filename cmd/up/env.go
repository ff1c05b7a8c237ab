package main

import (
	"errors"
	"regexp"
	"slices"

	"github.com/up-status/up/config"
)

// unsetVariable is config's message for ${NAME} without a value.
var unsetVariable = regexp.MustCompile(`^environment variable ([A-Za-z_][A-Za-z0-9_]*) is not set`)

// unsetVariables names, in file order and once each, the environment
// variables the config refers to without a value: the first thing a new
// install lacks, and one message can say where to set them all.
func unsetVariables(err error) []string {
	var names []string
	var walk func(error)
	walk = func(err error) {
		var ce *config.Error
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		} else if errors.As(err, &ce) {
			if m := unsetVariable.FindStringSubmatch(ce.Msg); m != nil && !slices.Contains(names, m[1]) {
				names = append(names, m[1])
			}
		}
	}
	walk(err)
	return names
}
