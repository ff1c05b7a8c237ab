package quorum

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/status"
)

// TestTheDocumentedExampleHolds reads the table of docs/regions.md,
// three regions with a quorum of 2, and combines each row.
func TestTheDocumentedExampleHolds(t *testing.T) {
	b, err := os.ReadFile("../docs/regions.md")
	if err != nil {
		t.Fatal(err)
	}
	cell := func(s string) seen {
		switch s = strings.TrimSpace(s); s {
		case "no report for 2 min":
			return seen{state: up, age: 2 * time.Minute}
		case "never reported":
			return seen{state: up, age: never}
		}
		return seen{state: status.CheckState(s)}
	}
	rows := 0
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "| eu-west | us-east | ap-south |") {
			in = true
			continue
		}
		if !in || strings.HasPrefix(line, "|---") {
			continue
		}
		if !strings.HasPrefix(line, "|") {
			break
		}
		c := strings.Split(strings.Trim(line, "|"), "|")
		if len(c) != 5 {
			t.Fatalf("row %q has %d cells", line, len(c))
		}
		var vs []seen
		for i, id := range []string{"eu-west", "us-east", "ap-south"} {
			s := cell(c[i])
			s.id = id
			vs = append(vs, s)
		}
		r := Combine(Rule{Quorum: 2, Interval: 30 * time.Second}, views(vs), now)
		if string(r.State) != strings.TrimSpace(c[3]) || r.String() != strings.TrimSpace(c[4]) {
			t.Errorf("row %q:\n got %s: %s", line, r.State, r)
		}
		rows++
	}
	if rows < 5 {
		t.Fatalf("found %d rows in the table", rows)
	}
}
