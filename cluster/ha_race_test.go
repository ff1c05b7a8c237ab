//go:build race

package cluster_test

// raceEnabled: the suite runs with the race detector, so the up it
// builds has it too.
const raceEnabled = true
