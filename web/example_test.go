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
// the page and /ws. A page that connects gets a snapshot, then one message
// per change.
func Example() {
	// The daemon passes the API's GET /status encoder here.
	encode := func(s *status.Snapshot) ([]byte, error) {
		return json.Marshal(map[string]any{"page": map[string]string{"status_indicator": string(s.Page.Status)}})
	}
	hub, err := web.NewHub(web.HubOptions{Snapshot: encode, PageID: "acme", PageName: "ACME Status", PageURL: "http://localhost:5010"})
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

	// A change, as the engine reports it.
	page := status.Page{Status: status.PageHasIssues, Description: "Major System Outage"}
	hub.Publish([]status.Event{{Kind: status.PageChanged, Page: page, OldPage: status.PageUp}}, &status.Snapshot{Page: page})
	_, msg, _ = c.Read(ctx)
	fmt.Println(string(msg))
	// Output:
	// {"type":"snapshot","data":{"page":{"status_indicator":"UP"}}}
	// {"type":"page","data":{"id":"acme","name":"ACME Status","url":"http://localhost:5010","status_indicator":"HASISSUES","status_description":"Major System Outage"}}
}
