package api

import (
	"net/http"
	"time"
)

type uptimeView struct {
	From       string                `json:"from"`
	To         string                `json:"to"`
	Components []componentUptimeView `json:"components"`
}

type componentUptimeView struct {
	ID   string    `json:"id"`
	Days []dayView `json:"days"`
}

type dayView struct {
	Date string `json:"date"`
	// Uptime is up/(up+down); nil (null) when the day has neither.
	Uptime             *float64 `json:"uptime"`
	UpSeconds          float64  `json:"up_seconds"`
	DownSeconds        float64  `json:"down_seconds"`
	MaintenanceSeconds float64  `json:"maintenance_seconds"`
	NoDataSeconds      float64  `json:"no_data_seconds"`
}

const day = 24 * time.Hour

// getUptime answers GET /uptime?days=N: per component and UTC day, oldest
// first, the seconds its checks spent up, down and under maintenance, and
// the rest of the day as no data (time up itself was not running, or
// before a check existed). Today counts up to now.
func (s *Server) getUptime(w http.ResponseWriter, r *http.Request) error {
	days, err := queryInt(r, "days", 90, 1, 366)
	if err != nil {
		return err
	}
	only := r.URL.Query().Get("component")
	if only != "" {
		if err := checkID("component", only); err != nil {
			return err
		}
	}
	now := s.now().UTC()
	today := now.Truncate(day)
	from := today.Add(-time.Duration(days-1) * day)
	to := today.Add(day)
	snap := s.backend.Snapshot()
	out := uptimeView{
		From:       from.Format(time.DateOnly),
		To:         today.Format(time.DateOnly),
		Components: make([]componentUptimeView, 0, len(snap.Components)),
	}
	found := false
	for ci := range snap.Components {
		c := &snap.Components[ci]
		if only != "" && c.ID != only {
			continue
		}
		found = true
		type sums struct{ up, down, maint time.Duration }
		per := make([]sums, days)
		for _, check := range c.Checks {
			hours, err := s.store.Uptime(r.Context(), check, from, to)
			if err != nil {
				return err
			}
			for _, h := range hours {
				i := int(h.Hour.Sub(from) / day)
				if i < 0 || i >= days {
					continue
				}
				per[i].up += h.Up
				per[i].down += h.Down
				per[i].maint += h.Maintenance
			}
		}
		cv := componentUptimeView{ID: c.ID, Days: make([]dayView, days)}
		for i := range per {
			start := from.Add(time.Duration(i) * day)
			length := day
			if start.Equal(today) {
				length = now.Sub(today)
			}
			p := per[i]
			noData := time.Duration(len(c.Checks))*length - p.up - p.down - p.maint
			d := dayView{
				Date:               start.Format(time.DateOnly),
				UpSeconds:          p.up.Seconds(),
				DownSeconds:        p.down.Seconds(),
				MaintenanceSeconds: p.maint.Seconds(),
				NoDataSeconds:      max(noData, 0).Seconds(),
			}
			if p.up+p.down > 0 {
				u := float64(p.up) / float64(p.up+p.down)
				d.Uptime = &u
			}
			cv.Days[i] = d
		}
		out.Components = append(out.Components, cv)
	}
	if only != "" && !found {
		return notFoundf("no component %q", only)
	}
	return writeJSON(w, http.StatusOK, out)
}
