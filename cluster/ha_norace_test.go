//go:build !race

package cluster_test

// raceEnabled: the suite runs without the race detector, so the up it
// builds goes without too.
const raceEnabled = false
