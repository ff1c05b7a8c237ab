package config

import (
	_ "embed"
	"fmt"
)

//go:embed demo.yaml
var demoYAML []byte

// Demo returns the embedded configuration `up run` uses without a file:
// checks of the daemon's own listener on loopback, so that it works offline
// and shows live results at once. Each call returns a new Config.
func Demo() *Config {
	// The environment is not consulted: the demo must not depend on it.
	cfg, err := ParseWithEnv(demoYAML, "demo.yaml", nil)
	if err != nil {
		// demo.yaml is fixed at build time and tested; this is unreachable
		// unless it is edited into something invalid.
		panic(fmt.Sprintf("config: embedded demo.yaml is invalid: %v", err))
	}
	return cfg
}
