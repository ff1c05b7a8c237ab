package main

import (
	"runtime/debug"

	"github.com/prometheus/common/version"
)

// fillVersion gives the build variables of package version, which `make
// build` and the Dockerfile set with -ldflags, the values the Go toolchain
// recorded in the binary when they were not set: `go build`, `go install`
// and `go run` stamp the module version and, from a checkout, the commit
// and its time. It runs once, first thing in main, so that `up version`,
// the log and uptime_build_info say the same.
func fillVersion() {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	v := buildVersion(info)
	if version.Version == "" {
		version.Version = v.version
	}
	if version.Revision == "" {
		version.Revision = v.revision
	}
	if version.BuildDate == "" {
		version.BuildDate = v.date
	}
}

// stamped is what the toolchain recorded of a build.
type stamped struct {
	version, revision, date string
}

// buildVersion reads the module version, the commit (with "-modified"
// when the checkout had changes) and the commit time from info.
func buildVersion(info *debug.BuildInfo) stamped {
	var s stamped
	switch v := info.Main.Version; v {
	case "":
	case "(devel)":
		// What the toolchain says when it knows no version (go run, a
		// build outside a checkout), in a form a User-Agent can carry.
		s.version = "devel"
	default:
		s.version = v
	}
	modified := false
	for _, kv := range info.Settings {
		switch kv.Key {
		case "vcs.revision":
			s.revision = kv.Value
		case "vcs.time":
			s.date = kv.Value
		case "vcs.modified":
			modified = kv.Value == "true"
		}
	}
	if modified && s.revision != "" {
		s.revision += "-modified"
	}
	return s
}
