package web

import (
	"github.com/up-status/up/api"
	"github.com/up-status/up/status"
	"github.com/up-status/up/wire"
)

// timeLayout is the one time format of everything up sends, under the
// name the tests use.
const timeLayout = wire.TimeLayout

// testStatusJSON is the snapshot encoder the daemon gives the hub: the
// API's GET /status body, so the tests hold the page to the real shape.
func testStatusJSON(name, pageID, pageURL string) func(*status.Snapshot) ([]byte, error) {
	page := api.Page{ID: pageID, Name: name, URL: pageURL}
	return func(s *status.Snapshot) ([]byte, error) { return api.StatusJSON(*s, page) }
}
