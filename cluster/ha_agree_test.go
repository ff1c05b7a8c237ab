package cluster_test

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/up-status/up/internal/testenv"
)

// What every instance must agree on, and how the tests say what they
// expect of it.

// pageView is what every instance's GET /status must agree on: the
// page's status, each component's and each incident's, leaving out what
// an instance may know a moment before another (the checks' last
// results, latencies, times).
type pageView struct {
	Page       string
	Components map[string]string // id → status
	Incidents  map[string]string // id → status
}

func (v pageView) String() string {
	var comps, incs []string
	for id, s := range v.Components {
		comps = append(comps, id+"="+s)
	}
	for id, s := range v.Incidents {
		incs = append(incs, id+"="+s)
	}
	slices.Sort(comps)
	slices.Sort(incs)
	return fmt.Sprintf("page %s, components %v, incidents %v", v.Page, comps, incs)
}

// statusDoc is the part of GET /status that pageView reads.
type statusDoc struct {
	Page struct {
		StatusIndicator string `json:"status_indicator"`
	} `json:"page"`
	Components []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"components"`
	Incidents []incident `json:"incidents"`
}

// incident is the part of an incident the suite looks at.
type incident struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Status     string   `json:"status"`
	Components []string `json:"components"`
	Auto       bool     `json:"auto"`
}

func (nd *node) view() (pageView, error) {
	var doc statusDoc
	if err := nd.get("/status", &doc); err != nil {
		return pageView{}, err
	}
	v := pageView{Page: doc.Page.StatusIndicator, Components: map[string]string{}, Incidents: map[string]string{}}
	for _, c := range doc.Components {
		v.Components[c.ID] = c.Status
	}
	for _, i := range doc.Incidents {
		v.Incidents[i.ID] = i.Status
	}
	return v, nil
}

// awaitPages waits, bounded by limit, until every live node's /status
// shows the same view and want accepts it, and returns that view. A
// failure names what each node showed last.
func (r *rig) awaitPages(limit time.Duration, what string, want func(pageView) error) pageView {
	r.t.Helper()
	var agreed pageView
	testenv.EventuallyOK(r.t, limit, "every instance's page to agree: "+what, func() error {
		var views []string
		var first pageView
		same := true
		for i, nd := range r.live() {
			v, err := nd.view()
			if err != nil {
				return err
			}
			views = append(views, nd.name+": "+v.String())
			if i == 0 {
				first = v
			} else if v.String() != first.String() {
				same = false
			}
		}
		if !same {
			return fmt.Errorf("the pages differ:\n  %s", strings.Join(views, "\n  "))
		}
		if err := want(first); err != nil {
			return fmt.Errorf("%w:\n  %s", err, strings.Join(views, "\n  "))
		}
		agreed = first
		return nil
	})
	return agreed
}

// awaitIncidents waits, bounded by limit, until every live node's GET
// /incidents lists the same incidents and want accepts them, and
// returns them.
func (r *rig) awaitIncidents(limit time.Duration, what string, want func([]incident) error) []incident {
	r.t.Helper()
	var agreed []incident
	testenv.EventuallyOK(r.t, limit, "every instance's GET /incidents: "+what, func() error {
		var lists []string
		var first []incident
		same := true
		for i, nd := range r.live() {
			var incs []incident
			if err := nd.get("/incidents", &incs); err != nil {
				return err
			}
			lists = append(lists, fmt.Sprintf("%s: %v", nd.name, incs))
			if i == 0 {
				first = incs
			} else if !slices.EqualFunc(incs, first, sameIncident) {
				same = false
			}
		}
		if !same {
			return fmt.Errorf("the instances list different incidents:\n  %s", strings.Join(lists, "\n  "))
		}
		if err := want(first); err != nil {
			return fmt.Errorf("%w:\n  %s", err, strings.Join(lists, "\n  "))
		}
		agreed = first
		return nil
	})
	return agreed
}

func sameIncident(a, b incident) bool {
	return a.ID == b.ID && a.Status == b.Status && a.Name == b.Name && slices.Equal(a.Components, b.Components)
}

// outages accepts a list of incidents that holds, for each status of
// statuses, exactly one automatic incident of component web in that
// status, newest first, and nothing else: each outage the test made
// opened one incident, no instance opened one of its own.
func outages(statuses ...string) func([]incident) error {
	return func(incs []incident) error {
		if len(incs) != len(statuses) {
			return fmt.Errorf("%d incidents, want %d (one per outage)", len(incs), len(statuses))
		}
		for i, inc := range incs {
			if !inc.Auto || !slices.Equal(inc.Components, []string{"web"}) || inc.Status != statuses[i] {
				return fmt.Errorf("incident %d is %+v, want an automatic one of web, %s", i, inc, statuses[i])
			}
		}
		return nil
	}
}

// pageWith accepts a view with web in webStatus, api operational and
// exactly the incidents given, by id and status.
func pageWith(webStatus string, incidents map[string]string) func(pageView) error {
	return func(v pageView) error {
		if v.Components["web"] != webStatus || v.Components["api"] != "OPERATIONAL" {
			return fmt.Errorf("web %s and api %s, want %s and OPERATIONAL", v.Components["web"], v.Components["api"], webStatus)
		}
		if len(v.Incidents) != len(incidents) {
			return fmt.Errorf("%d incidents on the page, want %d", len(v.Incidents), len(incidents))
		}
		for id, s := range incidents {
			if v.Incidents[id] != s {
				return fmt.Errorf("incident %s is %q on the page, want %s", id, v.Incidents[id], s)
			}
		}
		return nil
	}
}

// sameOutages is outages for one incident that must keep its id.
func sameOutages(id string, status string) func([]incident) error {
	one := outages(status)
	return func(incs []incident) error {
		if err := one(incs); err != nil {
			return err
		}
		if incs[0].ID != id {
			return fmt.Errorf("the incident is %s, want %s, opened earlier", incs[0].ID, id)
		}
		return nil
	}
}
