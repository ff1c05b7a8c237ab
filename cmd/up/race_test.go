//go:build race

package main

// raceEnabled: these tests run with the race detector, so the up they
// build has it too.
const raceEnabled = true
