package api

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

// The feeds as a reader parses them, declared apart from the server's
// types so that a field the server drops is missed here.
type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  string   `xml:"author>name"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content string `xml:"content"`
	} `xml:"entry"`
}

type rssDoc struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		Title       string `xml:"title"`
		Link        string `xml:"link"`
		Description string `xml:"description"`
		Items       []struct {
			Title   string `xml:"title"`
			Link    string `xml:"link"`
			GUID    string `xml:"guid"`
			PubDate string `xml:"pubDate"`
		} `xml:"item"`
	} `xml:"channel"`
}

func TestFeeds(t *testing.T) {
	f := newFixture(t, fixtureOptions{retention: time.Hour})
	// An incident resolved long ago, which the engine lets go: only the
	// store still has it, and the feed must carry it.
	f.want(f.do("PUT", "/incidents", editorToken, map[string]any{"id": "old", "name": "Old outage", "backfilled": true,
		"status": "RESOLVED", "body": "It was the DNS.", "created_at": "2026-11-20T10:00:00Z", "resolved_at": "2026-11-20T11:00:00Z"}), 201)
	f.clock.Add(2 * time.Hour)
	f.backend.tick(t)
	if f.backend.holds(t, "old") {
		t.Fatal("the engine still holds the old incident; the test would not reach the store")
	}
	f.want(f.do("PUT", "/incidents", editorToken, map[string]any{"id": "login", "name": "Login fails", "components": []string{"website"}, "body": "Looking <now> & then."}), 201)
	f.clock.Add(10 * time.Minute)
	f.want(f.do("PUT", "/incidents", editorToken, map[string]any{"id": "login", "status": "IDENTIFIED", "body": "Found it."}), 200)
	f.clock.Add(5 * time.Minute)
	f.want(f.do("PUT", "/maintenance", editorToken, map[string]any{"id": "db-upgrade", "body": "Backups done."}), 200)

	r := f.want(f.do("GET", "/feed.atom", "", nil), 200)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("Content-Type %q", ct)
	}
	var atom atomDoc
	if err := xml.Unmarshal(r.body, &atom); err != nil {
		t.Fatalf("atom: %v\n%s", err, r.body)
	}
	if atom.ID != "http://status.example/" || atom.Title != "ACME Status" || atom.Updated == "" || atom.Author == "" {
		t.Errorf("atom feed id %q title %q updated %q author %q", atom.ID, atom.Title, atom.Updated, atom.Author)
	}
	var titles []string
	var prev time.Time
	for i, e := range atom.Entries {
		if e.ID == "" || e.Title == "" || e.Updated == "" || e.Link.Href == "" {
			t.Errorf("atom entry %d lacks a required element: %+v", i, e)
		}
		at, err := time.Parse(time.RFC3339, e.Updated)
		if err != nil {
			t.Errorf("atom entry %d updated %q: %v", i, e.Updated, err)
		}
		if i > 0 && at.After(prev) {
			t.Errorf("atom entry %d (%s) is newer than the one before it", i, e.Title)
		}
		prev = at
		if !strings.HasPrefix(e.Link.Href, "http://status.example/incidents/") && !strings.HasPrefix(e.Link.Href, "http://status.example/maintenance/") {
			t.Errorf("atom entry %d links to %q", i, e.Link.Href)
		}
		titles = append(titles, e.Title)
	}
	if len(atom.Entries) < 4 {
		t.Fatalf("atom entries %q", titles)
	}
	want := []string{"Database upgrade: Scheduled", "Login fails: Identified", "Login fails: Investigating"}
	for i, w := range want {
		if titles[i] != w {
			t.Errorf("atom entry %d is %q, want %q (all: %q)", i, titles[i], w, titles)
		}
	}
	if atom.Entries[1].Link.Href != "http://status.example/incidents/login" || atom.Entries[2].Content != "Looking <now> & then." {
		t.Errorf("entry link %q content %q", atom.Entries[1].Link.Href, atom.Entries[2].Content)
	}
	if atom.Entries[0].ID == atom.Entries[1].ID || atom.Entries[1].ID == atom.Entries[2].ID {
		t.Error("two updates share an entry id")
	}
	if titles[len(titles)-1] != "Old outage: Resolved" {
		t.Errorf("the oldest entry is %q, want the stored incident's", titles[len(titles)-1])
	}

	r = f.want(f.do("GET", "/feed.rss", "", nil), 200)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/rss+xml") {
		t.Errorf("Content-Type %q", ct)
	}
	var rss rssDoc
	if err := xml.Unmarshal(r.body, &rss); err != nil {
		t.Fatalf("rss: %v\n%s", err, r.body)
	}
	c := rss.Channel
	if rss.Version != "2.0" || c.Title != "ACME Status" || c.Link != "http://status.example/" || c.Description == "" {
		t.Errorf("rss channel %q %q %q %q", rss.Version, c.Title, c.Link, c.Description)
	}
	if len(c.Items) != len(atom.Entries) {
		t.Fatalf("rss has %d items, atom %d entries", len(c.Items), len(atom.Entries))
	}
	for i, it := range c.Items {
		if it.GUID == "" || it.PubDate == "" || it.Title != titles[i] || it.Link != atom.Entries[i].Link.Href {
			t.Errorf("rss item %d: %+v", i, it)
		}
		at, err := time.Parse(time.RFC1123Z, it.PubDate)
		if err != nil {
			t.Errorf("rss item %d pubDate %q: %v", i, it.PubDate, err)
		}
		if i > 0 && at.After(prev) {
			t.Errorf("rss item %d is newer than the one before it", i)
		}
		prev = at
	}
}

func TestFeedsFollowAPIPublic(t *testing.T) {
	f := newFixture(t, fixtureOptions{private: true, publicBadges: true})
	f.want(f.do("GET", "/feed.atom", "", nil), 401)
	f.want(f.do("GET", "/feed.rss", viewerToken, nil), 200)
}
