package cluster

import (
	"fmt"
	"slices"
	"testing"
)

func checkIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("component-%d.check-%d", i/10, i%10)
	}
	return ids
}

func TestOwnerIsTheSameWhateverTheOrder(t *testing.T) {
	members := []string{"up-a", "up-b", "up-c"}
	rev := slices.Clone(members)
	slices.Reverse(rev)
	for _, id := range checkIDs(1000) {
		if a, b := Owner(id, members), Owner(id, rev); a != b {
			t.Fatalf("%s: %s with one order, %s with the other", id, a, b)
		}
	}
	if Owner("x", nil) != "" {
		t.Fatal("a check has an owner without members")
	}
}

func TestChecksAreSpreadEvenly(t *testing.T) {
	members := []string{"up-a", "up-b", "up-c"}
	ids := checkIDs(9000)
	n := map[string]int{}
	for _, id := range ids {
		n[Owner(id, members)]++
	}
	for _, m := range members {
		if share := float64(n[m]) / float64(len(ids)); share < 0.30 || share > 0.37 {
			t.Errorf("%s owns %.1f%% of the checks, want about a third", m, share*100)
		}
	}
}

// Only a dead member's checks move, and a new member takes checks only.
func TestMembershipChangesMoveOnlyWhatTheyMust(t *testing.T) {
	ids := checkIDs(5000)
	three := []string{"up-a", "up-b", "up-c"}
	two := []string{"up-a", "up-c"}
	four := []string{"up-a", "up-b", "up-c", "up-d"}
	moved := 0
	for _, id := range ids {
		before, after := Owner(id, three), Owner(id, two)
		if before != "up-b" && before != after {
			t.Fatalf("%s moved from %s to %s though %s is alive", id, before, after, before)
		}
		if before == "up-b" {
			moved++
		}
		if grown := Owner(id, four); grown != before && grown != "up-d" {
			t.Fatalf("%s moved from %s to %s when up-d joined", id, before, grown)
		}
	}
	if moved == 0 {
		t.Fatal("up-b owned nothing")
	}
	if got := len(Owned("up-b", three, ids)); got != moved {
		t.Fatalf("Owned lists %d checks for up-b, Owner %d", got, moved)
	}
}
