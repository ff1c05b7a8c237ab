package metrics

import (
	"slices"
	"strings"
	"sync/atomic"

	"github.com/up-status/up/status"
)

// componentSeries is one component's state set: five series, kept as a
// prebuilt label prefix and the index of the current status. Through
// client_golang the five series cost some 2.5 KB of heap per component
// and a protobuf message each per scrape; a migration from tools with one
// check per component has as many components as checks.
type componentSeries struct {
	id, group string
	// labels is `component="<id>",group="<group>"`, escaped.
	labels string
	// current is the index in stateLabels of the status that is 1, or -1
	// before the first status.
	current atomic.Int32
}

// componentFamily is uptime_component_status, written by hand after the
// per-check families.
var componentFamily = family{"uptime_component_status", "Component status as a state set: 1 for the current status, 0 for the others.", "gauge", nil}

// stateLabels are the status label pieces of a state set in the order
// client_golang wrote them (sorted by value), with the index of each in
// status.ComponentStatuses.
var stateLabels = func() []stateLabel {
	out := make([]stateLabel, len(status.ComponentStatuses))
	for i, s := range status.ComponentStatuses {
		out[i] = stateLabel{`,status="` + escape(string(s)) + `"`, s}
	}
	slices.SortFunc(out, func(a, b stateLabel) int { return strings.Compare(string(a.status), string(b.status)) })
	return out
}()

type stateLabel struct {
	label  string
	status status.ComponentStatus
}

func stateIndex(st status.ComponentStatus) int32 {
	for i, l := range stateLabels {
		if l.status == st {
			return int32(i)
		}
	}
	return -1
}

// SetComponentStatus sets the component's state set. A component moved
// to another group loses its series under the old one.
func (m *Metrics) SetComponentStatus(component, group string, st status.ComponentStatus) {
	m.mu.RLock()
	s := m.comps[component]
	m.mu.RUnlock()
	if s != nil && s.group == group {
		s.current.Store(stateIndex(st))
		return
	}
	s = &componentSeries{id: component, group: group,
		labels: `component="` + escape(component) + `",group="` + escape(group) + `"`}
	// Set before a scrape can see it: a zero would name the first status.
	s.current.Store(stateIndex(st))
	m.mu.Lock()
	m.comps[component] = s
	m.sortedComps = nil
	m.mu.Unlock()
}

// RemoveComponent deletes a component's state set.
func (m *Metrics) RemoveComponent(component string) {
	m.mu.Lock()
	delete(m.comps, component)
	m.sortedComps = nil
	m.mu.Unlock()
}

// componentsInOrder returns the state sets in component id order, sorted
// once per change of the set rather than once per scrape.
func (m *Metrics) componentsInOrder() []*componentSeries {
	m.mu.RLock()
	out, n := m.sortedComps, len(m.comps)
	m.mu.RUnlock()
	if out != nil || n == 0 {
		return out
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sortedComps == nil {
		out := make([]*componentSeries, 0, len(m.comps))
		for _, s := range m.comps {
			out = append(out, s)
		}
		slices.SortFunc(out, func(a, b *componentSeries) int { return strings.Compare(a.id, b.id) })
		m.sortedComps = out
	}
	return m.sortedComps
}

// writeComponents writes the state sets, handing out the text a chunk at
// a time into b's storage.
func writeComponents(out func([]byte) error, b []byte, comps []*componentSeries) error {
	if len(comps) == 0 {
		return nil
	}
	const chunk = scrapeChunk
	f := componentFamily
	b = append(b[:0], "# HELP "...)
	b = append(b, f.name...)
	b = append(b, ' ')
	b = append(b, f.help...)
	b = append(b, "\n# TYPE "...)
	b = append(b, f.name...)
	b = append(b, ' ')
	b = append(b, f.typ...)
	b = append(b, '\n')
	for _, s := range comps {
		cur := int(s.current.Load())
		for i, l := range stateLabels {
			v := 0.0
			if i == cur {
				v = 1
			}
			b = line(b, f.name, s.labels, l.label, "", v)
		}
		if len(b) >= chunk {
			if err := out(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	if len(b) > 0 {
		return out(b)
	}
	return nil
}
