package api

import (
	"cmp"
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// feedLimit is how many entries a feed carries: enough for a reader
// that polls daily to miss nothing in a bad week.
const feedLimit = 100

// feedEntry is one update of an incident or a maintenance window, as
// both feed formats tell it.
type feedEntry struct {
	id, title, link, body string
	updated               time.Time
}

// feedEntries are the updates of incidents and maintenance, newest
// first: the engine's (open and recent) merged with the store's history
// as GET /incidents and GET /maintenance merge them.
func (s *Server) feedEntries(r *http.Request) ([]feedEntry, error) {
	snap := s.backend.Snapshot()
	incs, err := s.store.Incidents(r.Context(), store.IncidentFilter{Limit: feedLimit})
	if err != nil {
		return nil, err
	}
	ms, err := s.store.Maintenances(r.Context(), store.MaintenanceFilter{Limit: feedLimit})
	if err != nil {
		return nil, err
	}
	var out []feedEntry
	for _, inc := range mergeByID(snap.Incidents, incs, func(i *status.Incident) string { return i.ID }) {
		link := s.page.URL + "/incidents/" + inc.ID
		if len(inc.Updates) == 0 {
			out = append(out, feedEntry{id: link, title: inc.Name + ": " + incidentWord(inc.Status), link: link, updated: inc.CreatedAt})
		}
		for _, u := range inc.Updates {
			out = append(out, feedEntry{
				id: link + "#" + u.ID, title: inc.Name + ": " + incidentWord(u.Status),
				link: link, body: u.Body, updated: u.CreatedAt,
			})
		}
	}
	for _, m := range mergeByID(snap.Maintenance, ms, func(m *status.Maintenance) string { return m.ID }) {
		link := s.page.URL + "/maintenance/" + m.ID
		if len(m.Updates) == 0 {
			body := "Planned from " + m.Start.UTC().Format(time.RFC1123) + " to " + m.End().UTC().Format(time.RFC1123) + ". " + m.Description
			out = append(out, feedEntry{id: link, title: m.Name + ": " + maintenanceWord(m.Status), link: link, body: body, updated: m.CreatedAt})
		}
		for _, u := range m.Updates {
			out = append(out, feedEntry{
				id: link + "#" + u.ID, title: m.Name + ": " + maintenanceWord(u.Status),
				link: link, body: u.Body, updated: u.CreatedAt,
			})
		}
	}
	slices.SortFunc(out, func(a, b feedEntry) int {
		return cmp.Or(b.updated.Compare(a.updated), cmp.Compare(b.id, a.id))
	})
	return out[:min(len(out), feedLimit)], nil
}

func incidentWord(s status.IncidentStatus) string {
	switch s {
	case status.Investigating:
		return "Investigating"
	case status.Identified:
		return "Identified"
	case status.Monitoring:
		return "Monitoring"
	case status.Resolved:
		return "Resolved"
	}
	return string(s)
}

func maintenanceWord(s status.MaintenanceStatus) string {
	switch s {
	case status.NotStartedYet:
		return "Scheduled"
	case status.InProgress:
		return "In progress"
	case status.Completed:
		return "Completed"
	}
	return string(s)
}

// The Atom (RFC 4287) document.
type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	// Author is the page: Atom asks for one on the feed when its
	// entries name none.
	Author  atomAuthor  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type atomEntry struct {
	ID      string    `xml:"id"`
	Title   string    `xml:"title"`
	Updated string    `xml:"updated"`
	Link    atomLink  `xml:"link"`
	Content *atomText `xml:"content,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

// The RSS 2.0 document.
type rssFeed struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	Items         []rssItem `xml:"item"`
}

type rssItem struct {
	Title       string  `xml:"title"`
	Link        string  `xml:"link"`
	Description string  `xml:"description,omitempty"`
	GUID        rssGUID `xml:"guid"`
	PubDate     string  `xml:"pubDate"`
}

type rssGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	ID          string `xml:",chardata"`
}

// feedUpdated is when the feed last changed: its newest entry, or now
// when it has none, as no better time is known.
func (s *Server) feedUpdated(entries []feedEntry) time.Time {
	if len(entries) > 0 {
		return entries[0].updated
	}
	return s.now()
}

// pageName is what a feed is titled.
func (s *Server) pageName() string {
	return cmp.Or(s.page.Name, s.page.ID, "up")
}

// getAtom answers GET /feed.atom: every incident and maintenance update,
// newest first, as an Atom feed.
func (s *Server) getAtom(w http.ResponseWriter, r *http.Request) error {
	entries, err := s.feedEntries(r)
	if err != nil {
		return err
	}
	f := atomFeed{
		ID:      s.page.URL + "/",
		Title:   s.pageName(),
		Updated: s.feedUpdated(entries).UTC().Format(time.RFC3339),
		Author:  atomAuthor{Name: s.pageName()},
		Links: []atomLink{
			{Href: s.page.URL + "/"},
			{Href: s.page.URL + "/feed.atom", Rel: "self", Type: "application/atom+xml"},
		},
	}
	for _, e := range entries {
		ae := atomEntry{ID: e.id, Title: e.title, Updated: e.updated.UTC().Format(time.RFC3339), Link: atomLink{Href: e.link}}
		if e.body != "" {
			ae.Content = &atomText{Type: "text", Text: e.body}
		}
		f.Entries = append(f.Entries, ae)
	}
	return writeXML(w, "application/atom+xml; charset=utf-8", f)
}

// getRSS answers GET /feed.rss: the same entries as RSS 2.0.
func (s *Server) getRSS(w http.ResponseWriter, r *http.Request) error {
	entries, err := s.feedEntries(r)
	if err != nil {
		return err
	}
	name := s.pageName()
	f := rssFeed{Version: "2.0", Channel: rssChannel{
		Title:         name,
		Link:          s.page.URL + "/",
		Description:   "Incidents and maintenance of " + name,
		LastBuildDate: s.feedUpdated(entries).UTC().Format(time.RFC1123Z),
	}}
	for _, e := range entries {
		f.Channel.Items = append(f.Channel.Items, rssItem{
			Title: e.title, Link: e.link, Description: e.body,
			GUID: rssGUID{ID: e.id}, PubDate: e.updated.UTC().Format(time.RFC1123Z),
		})
	}
	return writeXML(w, "application/rss+xml; charset=utf-8", f)
}

// writeXML sends v as an XML document.
func writeXML(w http.ResponseWriter, contentType string, v any) error {
	body, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	body = append([]byte(xml.Header), append(body, '\n')...)
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return nil
}
