package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/up-status/up/status"
	"github.com/up-status/up/web"
)

// A daemon wires the hub as a listener of the status engine and serves
// the page and /ws. A page that connects gets a snapshot and how old it
// is, then one message per change.
func Example() {
	// The daemon passes the API's GET /status encoder here.
	encode := func(s *status.Snapshot) ([]byte, error) {
		return json.Marshal(map[string]any{"page": map[string]string{"status_indicator": string(s.Page.Status)}})
	}
	// A follower of a cluster says when it last read the shared database;
	// a single instance leaves AsOf nil: it is always current.
	now := time.Date(2026, 11, 26, 21, 15, 0, 0, time.UTC)
	hub, err := web.NewHub(web.HubOptions{
		Snapshot: encode, PageID: "acme", PageName: "ACME Status", PageURL: "http://localhost:5010",
		AsOf: func() time.Time { return now.Add(-20 * time.Second) },
		Now:  func() time.Time { return now },
		// Only the as_of message after the snapshot, for the example.
		AsOfInterval: time.Hour,
	})
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		hub.Run(ctx)
	}()
	defer func() { hub.Close(); <-ran }()

	mux := http.NewServeMux()
	mux.Handle("/ws", hub.Handler())
	mux.Handle("/", web.Page(web.PageOptions{Name: "ACME Status"}))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// The current state, before the first change.
	hub.Publish(nil, &status.Snapshot{Page: status.Page{Status: status.PageUp}})

	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", nil)
	if err != nil {
		panic(err)
	}
	defer c.CloseNow()
	_, msg, _ := c.Read(ctx)
	fmt.Println(string(msg))
	_, msg, _ = c.Read(ctx)
	fmt.Println(string(msg))

	// A change, as the engine reports it.
	page := status.Page{Status: status.PageHasIssues, Description: "Major System Outage"}
	hub.Publish([]status.Event{{Kind: status.PageChanged, Page: page, OldPage: status.PageUp}}, &status.Snapshot{Page: page})
	_, msg, _ = c.Read(ctx)
	fmt.Println(string(msg))
	// Output:
	// {"type":"snapshot","data":{"page":{"status_indicator":"UP"}}}
	// {"type":"as_of","data":{"as_of":"2026-11-26T21:14:40.000Z","now":"2026-11-26T21:15:00.000Z"}}
	// {"type":"page","data":{"id":"acme","name":"ACME Status","url":"http://localhost:5010","status_indicator":"HASISSUES","status_description":"Major System Outage"}}
}
