package regional

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/quorum"
	"github.com/up-status/up/status"
)

var pool = []string{"r1", "r2", "r3", "r4", "r5"}

// shape is one check's spec as the operations change it.
type shape struct {
	regions  []string
	k        int
	fail     int
	recover  int
	interval time.Duration
}

func (s shape) spec(id string) Spec {
	return Spec{
		Check:   status.CheckSpec{ID: id, FailureThreshold: s.fail, SuccessThreshold: s.recover, Interval: s.interval},
		Regions: slices.Clone(s.regions),
		Quorum:  s.k,
	}
}

// model keeps, apart from Checks, a machine per (check, region) and the
// time of its latest result, and what Checks last said of each check.
type model struct {
	t      *testing.T
	c      *Checks
	now    time.Time
	shapes map[string]shape // the checks present
	region map[string]map[string]*shadow
	cur    map[string]status.Report
	strays uint64
	trail  []string
}

type shadow struct {
	m  *status.Machine
	at time.Time
}

type reader struct {
	b []byte
	i int
}

func (r *reader) pick(n int) int {
	if r.i >= len(r.b) {
		return 0
	}
	r.i++
	return int(r.b[r.i-1]) % n
}

func (m *model) specs() []Spec {
	var out []Spec
	for _, id := range []string{"a", "b"} {
		if s, ok := m.shapes[id]; ok {
			out = append(out, s.spec(id))
		}
	}
	return out
}

// reconfigure applies the shapes to Checks and to the model: the
// machines of pairs that stay go on, the others start anew.
func (m *model) reconfigure() {
	m.c.Reconfigure(m.specs())
	for id := range m.region {
		if _, ok := m.shapes[id]; !ok {
			delete(m.region, id)
			delete(m.cur, id)
		}
	}
	for id, s := range m.shapes {
		old := m.region[id]
		if old == nil {
			m.cur[id] = status.Report{CheckID: id, State: status.CheckUnknown}
		}
		next := map[string]*shadow{}
		for _, r := range s.regions {
			if sh := old[r]; sh != nil {
				sh.m.Reconfigure(s.spec(id).Check)
				next[r] = sh
			} else {
				next[r] = &shadow{m: status.NewMachine(s.spec(id).Check)}
			}
		}
		m.region[id] = next
	}
}

// fresh counts, for check id at now, the regions whose latest result
// counts and that see DOWN, and those that know any state.
func (m *model) fresh(id string) (down, knowing int) {
	s := m.shapes[id]
	window := quorum.Rule{Interval: s.interval}.Window()
	for _, sh := range m.region[id] {
		if sh.at.IsZero() || m.now.Sub(sh.at) > window {
			continue
		}
		switch sh.m.State() {
		case status.CheckDown:
			down++
			knowing++
		case status.CheckUnknown:
		default:
			knowing++
		}
	}
	return down, knowing
}

// holds checks a Report of check id against the model at now: DOWN only
// with k regions DOWN and fresh, DOWN whenever they are, UNKNOWN exactly
// when fewer than k know a state.
func (m *model) holds(rep status.Report) {
	m.t.Helper()
	id := rep.CheckID
	down, knowing := m.fresh(id)
	k := max(m.shapes[id].k, 1)
	if rep.State == status.CheckDown && (down < k || !strings.HasPrefix(rep.Err, "down in ")) {
		m.t.Fatalf("%s DOWN (%q) with %d of its regions DOWN, %d needed, after\n%s", id, rep.Err, down, k, strings.Join(m.trail, "\n"))
	}
	if (rep.State == status.CheckDown) != (down >= k) || (rep.State == status.CheckUnknown) != (knowing < k) {
		m.t.Fatalf("%s %s (%q) with %d DOWN and %d knowing, %d needed, after\n%s", id, rep.State, rep.Err, down, knowing, k, strings.Join(m.trail, "\n"))
	}
}

func runOps(t *testing.T, data []byte) {
	m := &model{
		t: t, now: t0,
		shapes: map[string]shape{},
		region: map[string]map[string]*shadow{},
		cur:    map[string]status.Report{},
	}
	r := &reader{b: data}
	draw := func() shape {
		n := 1 + r.pick(len(pool))
		regions := slices.Clone(pool[:n])
		if r.pick(2) == 0 {
			regions = slices.Clone(pool[len(pool)-n:])
		}
		return shape{
			regions:  regions,
			k:        r.pick(n + 2), // 0 and n+1 included: quorum's edges
			fail:     1 + r.pick(3),
			recover:  1 + r.pick(3),
			interval: []time.Duration{5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute}[r.pick(4)],
		}
	}
	m.shapes["a"], m.shapes["b"] = draw(), draw()
	m.c = New(nil)
	m.reconfigure()
	outcomes := []status.Outcome{status.OK, status.OK, status.Slow, status.Fail, status.Fail}
	for steps := 0; r.i < len(r.b) && steps < 2000; steps++ {
		switch op := r.pick(10); {
		case op < 7:
			m.now = m.now.Add(time.Duration(r.pick(16)) * time.Second)
			id := []string{"a", "b", "zz"}[r.pick(3)]
			region := append(slices.Clone(pool), "mars")[r.pick(len(pool)+1)]
			o := status.Observation{CheckID: id, Outcome: outcomes[r.pick(len(outcomes))], Err: fmt.Sprintf("error %d", steps)}
			m.trail = append(m.trail, fmt.Sprintf("%s %s %s %s", m.now.Sub(t0), id, region, o.Outcome))
			rep, _ := m.c.Observe(m.now, region, o)
			sh := m.region[id][region]
			if sh == nil {
				if _, ok := m.shapes[id]; ok {
					m.strays++
				}
				if rep.CheckID != "" {
					t.Fatalf("%s from %s taken: %+v", id, region, rep)
				}
				continue
			}
			sh.m.Observe(o)
			sh.at = m.now
			m.cur[id] = rep
			m.holds(rep)
		case op < 9:
			m.now = m.now.Add(time.Duration(1+r.pick(120)) * time.Second)
			m.trail = append(m.trail, fmt.Sprintf("%s tick", m.now.Sub(t0)))
			for _, rep := range m.c.Tick(m.now) {
				m.cur[rep.CheckID] = rep
			}
			for _, rep := range m.cur {
				m.holds(rep)
			}
		default:
			id := []string{"a", "b"}[r.pick(2)]
			if _, ok := m.shapes[id]; ok && r.pick(4) == 0 {
				delete(m.shapes, id)
			} else {
				m.shapes[id] = draw()
			}
			m.trail = append(m.trail, fmt.Sprintf("reload %v", m.shapes))
			m.reconfigure() // it yields nothing: the next Tick tells
		}
		if m.c.Strays() != m.strays {
			t.Fatalf("strays %d, want %d", m.c.Strays(), m.strays)
		}
	}
}

// TestProperties draws operations from a fixed seed; FuzzChecks explores
// beyond them.
func TestProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	runs := 400
	if testing.Short() {
		runs = 40
	}
	for range runs {
		data := make([]byte, 600)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		runOps(t, data)
	}
}

// go test -run '^$' -fuzz FuzzChecks ./regional
func FuzzChecks(f *testing.F) {
	f.Add([]byte{2, 1, 2, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1, 3, 0, 0, 0, 1, 3})
	f.Add([]byte{4, 0, 1, 0, 0, 2, 3, 0, 2, 1, 0, 0, 0, 3, 7, 100, 9, 0, 0})
	f.Fuzz(runOps)
}
