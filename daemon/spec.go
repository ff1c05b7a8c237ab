package daemon

import (
	"github.com/up-status/up/config"
	"github.com/up-status/up/regional"
	"github.com/up-status/up/status"
)

// specOf takes from the config what the status rules need.
func specOf(cfg *config.Config) status.Spec {
	s := status.Spec{
		OpenAt:       status.ComponentStatus(cfg.Incidents.OpenAt),
		ResolveAfter: cfg.Incidents.ResolveAfter,
		ReopenWithin: cfg.Incidents.ReopenWithin,

		KeepResolved:             cfg.Incidents.KeepResolved,
		KeepResolvedPerComponent: cfg.Incidents.KeepResolvedPerComponent,
	}
	for _, g := range cfg.Groups {
		s.Groups = append(s.Groups, status.GroupSpec{ID: g.ID, Name: g.Name, Description: g.Description})
	}
	for _, c := range cfg.Components {
		cs := status.ComponentSpec{ID: c.ID, Name: c.Name, Description: c.Description, Group: c.Group}
		for _, ch := range c.Checks {
			cs.Checks = append(cs.Checks, status.CheckSpec{
				ID:               c.ID + "." + ch.Name,
				FailureThreshold: ch.FailureThreshold,
				SuccessThreshold: ch.SuccessThreshold,
				Interval:         ch.Interval,
				DegradedLatency:  ch.DegradedLatency,
			})
		}
		s.Components = append(s.Components, cs)
	}
	for _, m := range cfg.Maintenance {
		s.Maintenance = append(s.Maintenance, status.MaintenanceSpec{
			ID: m.ID, Name: m.Name, Description: m.Description,
			Components: m.Components, Start: m.Start, Duration: m.Duration,
		})
	}
	return s
}

// regionsOf lists the checks probed from more than one region, for the
// engine's per-region thresholds; the others need none.
func regionsOf(cfg *config.Config) []regional.Spec {
	var out []regional.Spec
	for _, c := range cfg.Checks() {
		if len(c.Regions) < 2 {
			continue
		}
		out = append(out, regional.Spec{
			Check: status.CheckSpec{
				ID:               c.ID,
				FailureThreshold: c.FailureThreshold,
				SuccessThreshold: c.SuccessThreshold,
				Interval:         c.Interval,
				DegradedLatency:  c.DegradedLatency,
			},
			Regions: c.Regions,
			Quorum:  c.Quorum,
		})
	}
	return out
}
