package status

import (
	"reflect"
	"testing"
	"time"
)

// TestSnapshotAfterSharesOnlyWhatDidNotChange: a probe result that moves
// no component leaves the component and group lists of the previous
// snapshot shared; any change of a component gives a fresh list; and
// whatever is shared, the result equals a full copy, and the previous
// snapshot stays as it was.
func TestSnapshotAfterSharesOnlyWhatDidNotChange(t *testing.T) {
	h := newHarness(t, webSpec())
	h.observe("website.home", OK, OK)
	h.observe("website.ping", OK, OK)
	prev := h.e.Snapshot()

	h.observe("website.home", OK)
	next := h.e.SnapshotAfter(&prev)
	if !reflect.DeepEqual(next, h.e.Snapshot()) {
		t.Fatal("SnapshotAfter differs from Snapshot after a result")
	}
	if &next.Components[0] != &prev.Components[0] || &next.Groups[0] != &prev.Groups[0] {
		t.Error("a result that moved no component copied the component and group lists again")
	}
	if next.Checks[0].LastResult.Equal(prev.Checks[0].LastResult) {
		t.Error("the check list was not taken afresh")
	}

	kept := h.e.Snapshot() // what prev-to-be holds, to see it unchanged later
	h.observe("website.home", Fail, Fail, Fail)
	after := h.e.SnapshotAfter(&next)
	if !reflect.DeepEqual(after, h.e.Snapshot()) {
		t.Fatal("SnapshotAfter differs from Snapshot after a status change")
	}
	if &after.Components[0] == &next.Components[0] {
		t.Error("a changed component is in a shared list")
	}
	if after.Components[0].Status == kept.Components[0].Status {
		t.Fatalf("the component did not change (%s); the test proves nothing", after.Components[0].Status)
	}
	if !reflect.DeepEqual(next.Components, kept.Components) {
		t.Error("taking a new snapshot changed the previous one")
	}

	// An override changes fields other than the status.
	h.now = h.now.Add(time.Second)
	if _, _, err := h.e.SetComponentStatus(h.now, "website", MajorOutage, h.now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	last := h.e.SnapshotAfter(&after)
	if !reflect.DeepEqual(last, h.e.Snapshot()) || &last.Components[0] == &after.Components[0] {
		t.Error("an override did not give a fresh, equal component list")
	}
}

// TestSnapshotAfterComparesEveryField fails when Component or Group gains
// a field: componentsAsIn and groupsAsIn must then compare it too, or a
// snapshot would keep showing the old value.
func TestSnapshotAfterComparesEveryField(t *testing.T) {
	if n := reflect.TypeFor[Component]().NumField(); n != 11 {
		t.Errorf("Component has %d fields; make componentsAsIn compare the new one, then update this count", n)
	}
	if n := reflect.TypeFor[Group]().NumField(); n != 6 {
		t.Errorf("Group has %d fields; make groupsAsIn compare the new one, then update this count", n)
	}
}
