//go:build !race

package main

// raceEnabled: these tests run without the race detector (cgo is not
// available, see the Makefile), so the up they build goes without too.
const raceEnabled = false
