package status

import "slices"

// Clone returns a deep, independent copy of the engine: the same state,
// sharing no memory with it, so a call on one never shows in the other.
// It lets a caller try a change on the copy and keep the copy only once
// the change's events are safely stored, so a write the store refused is
// never applied. The id generator is the one function both keep using
// (ids must stay unique whichever copy lives on).
//
// Call it between calls, never within one.
func (e *Engine) Clone() *Engine {
	n := *e // the plain values: clock, counts, page, spec header...
	n.spec = e.spec.clone()
	n.events = slices.Clone(e.events)

	// The copies are carved from one block per type: at 10 000 checks,
	// one allocation per object was most of the cost.
	cl := cloner{
		compBlock:   make([]component, 0, len(e.comps)),
		checkBlock:  make([]check, 0, len(e.checks)),
		uptimeBlock: make([]uptimeCheck, 0, len(e.uptime.checks)),
	}
	cl.groups = make(map[*group]*group, len(e.groups))
	cl.comps = make(map[*component]*component, len(e.comps))
	cl.checks = make(map[*check]*check, len(e.checks))
	cl.incidents = make(map[*Incident]*Incident, len(e.incidents))
	cl.windows = make(map[*window]*window, len(e.windows))

	n.uptime = &Uptime{checks: make(map[string]*uptimeCheck, len(e.uptime.checks)), closed: slices.Clone(e.uptime.closed)}
	cl.uptime = make(map[*uptimeCheck]*uptimeCheck, len(e.uptime.checks))
	for id, u := range e.uptime.checks {
		n.uptime.checks[id] = cl.uptimeCheck(u)
	}

	n.groups = make(map[string]*group, len(e.groups))
	for id, g := range e.groups {
		n.groups[id] = cl.group(g)
	}
	n.groupOrder = mapSlice(e.groupOrder, cl.group)
	n.incidents = make(map[string]*Incident, len(e.incidents))
	for id, inc := range e.incidents {
		n.incidents[id] = cl.incident(inc)
	}
	n.comps = make(map[string]*component, len(e.comps))
	for id, c := range e.comps {
		n.comps[id] = cl.component(c)
	}
	n.order = mapSlice(e.order, cl.component)
	n.checks = make(map[string]*check, len(e.checks))
	for id, ch := range e.checks {
		n.checks[id] = cl.check(ch)
	}
	n.windows = make(map[string]*window, len(e.windows))
	for id, w := range e.windows {
		n.windows[id] = cl.window(w)
	}
	n.windowList = mapSlice(e.windowList, cl.window)
	n.active = mapSlice(e.active, cl.window)
	n.overridden = make(map[*component]struct{}, len(e.overridden))
	for c := range e.overridden {
		n.overridden[cl.component(c)] = struct{}{}
	}
	n.stable = make(map[*component]struct{}, len(e.stable))
	for c := range e.stable {
		n.stable[cl.component(c)] = struct{}{}
	}
	return &n
}

// cloner copies the engine's linked objects once each, so that every
// pointer of the copy leads to the copy of what the original's led to.
type cloner struct {
	groups    map[*group]*group
	comps     map[*component]*component
	checks    map[*check]*check
	incidents map[*Incident]*Incident
	windows   map[*window]*window
	uptime    map[*uptimeCheck]*uptimeCheck

	compBlock   []component
	checkBlock  []check
	uptimeBlock []uptimeCheck
}

// carve returns the next element of block, or a new one once it is used
// up (a link to an object outside the engine's indexes).
func carve[T any](block *[]T) *T {
	if len(*block) == cap(*block) {
		return new(T)
	}
	*block = (*block)[:len(*block)+1]
	return &(*block)[len(*block)-1]
}

func (cl *cloner) group(g *group) *group {
	if g == nil {
		return nil
	}
	if n, ok := cl.groups[g]; ok {
		return n
	}
	n := &group{g: g.g.clone(), counts: g.counts}
	cl.groups[g] = n
	return n
}

func (cl *cloner) component(c *component) *component {
	if c == nil {
		return nil
	}
	if n, ok := cl.comps[c]; ok {
		return n
	}
	n := carve(&cl.compBlock)
	*n = *c
	cl.comps[c] = n // before following links that lead back here
	n.c = c.c.clone()
	n.group = cl.group(c.group)
	n.auto = cl.incident(c.auto)
	n.last = cl.incident(c.last)
	n.checks = mapSlice(c.checks, cl.check)
	return n
}

func (cl *cloner) check(ch *check) *check {
	if ch == nil {
		return nil
	}
	if n, ok := cl.checks[ch]; ok {
		return n
	}
	n := carve(&cl.checkBlock)
	*n = *ch
	cl.checks[ch] = n
	n.comp = cl.component(ch.comp)
	n.uptime = cl.uptimeCheck(ch.uptime)
	return n
}

func (cl *cloner) incident(inc *Incident) *Incident {
	if inc == nil {
		return nil
	}
	if n, ok := cl.incidents[inc]; ok {
		return n
	}
	n := inc.clone()
	cl.incidents[inc] = &n
	return &n
}

func (cl *cloner) window(w *window) *window {
	if w == nil {
		return nil
	}
	if n, ok := cl.windows[w]; ok {
		return n
	}
	n := &window{m: w.m.clone()}
	cl.windows[w] = n
	return n
}

func (cl *cloner) uptimeCheck(u *uptimeCheck) *uptimeCheck {
	if u == nil {
		return nil
	}
	if n, ok := cl.uptime[u]; ok {
		return n
	}
	n := carve(&cl.uptimeBlock)
	*n = *u // no pointers inside
	cl.uptime[u] = n
	return n
}

func mapSlice[T any](s []T, f func(T) T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}
