package api

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
	"github.com/up-status/up/wire"
)

// OpenAPI is the API's contract, served at GET /openapi.yaml.
//
//go:embed openapi.yaml
var openAPI []byte

// OpenAPI returns the API's OpenAPI 3.1 document (YAML).
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

// writeJSON sends v as the response body.
func writeJSON(w http.ResponseWriter, code int, v any) error {
	body, err := wire.Marshal(v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(code)
	_, _ = w.Write(append(body, '\n'))
	return nil
}

type indexView struct {
	Name          string   `json:"name"`
	Version       string   `json:"version"`
	Page          pageInfo `json:"page"`
	Documentation string   `json:"documentation"`
	Routes        []string `json:"routes"`
}

type pageInfo struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// getIndex gives browsers the status page and API clients the API index.
func (s *Server) getIndex(w http.ResponseWriter, r *http.Request) error {
	if wantsHTML(r) {
		if s.statusPage != nil {
			s.statusPage.ServeHTTP(w, r)
			return nil
		}
		return s.placeholder(w, r)
	}
	return writeJSON(w, http.StatusOK, indexView{
		Name:          "up",
		Version:       s.version,
		Page:          pageInfo{s.page.ID, s.page.Name, s.page.URL},
		Documentation: "/openapi.yaml",
		Routes:        s.routes,
	})
}

// servePage hands a browser's request for an object's link (the URLs
// webhooks carry) to the status page; it reports whether it did.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request) bool {
	if s.statusPage == nil || !wantsHTML(r) {
		return false
	}
	s.statusPage.ServeHTTP(w, r)
	return true
}

// serveListPage hands a browser's request for a list (/incidents,
// /maintenance) the status page itself, which shows both: the page
// serves its own links only, so it is asked for its root.
func (s *Server) serveListPage(w http.ResponseWriter, r *http.Request) bool {
	if s.statusPage == nil || !wantsHTML(r) {
		return false
	}
	root := r.Clone(r.Context())
	root.URL.Path, root.URL.RawPath = "/", ""
	s.statusPage.ServeHTTP(w, root)
	return true
}

// placeholderPage stands in for the status page when none is built in.
// Parsed once; read-only after.
var placeholderPage = template.Must(template.New("").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Name}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
td{padding:.2rem 1rem .2rem 0}</style>
</head><body><main>
<h1>{{.Name}}</h1>
<p><strong>{{.Description}}</strong></p>
<table><caption>Components</caption>
{{range .Components}}<tr><td>{{.Name}}</td><td>{{.Status}}</td></tr>
{{end}}</table>
<p>Machine-readable: <a href="/status">/status</a>, API: <a href="/openapi.yaml">/openapi.yaml</a>.</p>
</main></body></html>
`))

func (s *Server) placeholder(w http.ResponseWriter, r *http.Request) error {
	snap := s.backend.Snapshot()
	data := struct {
		Name, Description string
		Components        []status.Component
	}{s.page.Name, snap.Page.Description, snap.Components}
	if data.Name == "" {
		data.Name = "Status"
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if err := placeholderPage.Execute(w, data); err != nil {
		s.log.Debug("api: placeholder page", "err", err)
	}
	return nil
}

func (s *Server) getHealthz(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// getReadyz answers 200 when the daemon says it can take writes and the
// store answers a read within two seconds: the daemon then can persist
// what it is told.
func (s *Server) getReadyz(w http.ResponseWriter, r *http.Request) error {
	if s.ready != nil {
		if err := s.ready(); err != nil {
			return errorf(http.StatusServiceUnavailable, "%s", err.Error())
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.store.Meta(ctx, "readyz"); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Warn("api: readiness: store unreachable", "err", err)
		return errorf(http.StatusServiceUnavailable, "the store does not answer")
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) getOpenAPI(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/yaml")
	h.Set("Content-Length", strconv.Itoa(len(openAPI)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(openAPI)
	return nil
}

func (s *Server) getStatus(w http.ResponseWriter, r *http.Request) error {
	// as_of before the snapshot: the state shown is then at least as new
	// as as_of says, never older.
	asOf := s.asOf()
	snap := s.backend.Snapshot()
	rd, err := s.statusBody.get(&snap, func(sn *status.Snapshot) ([]byte, error) {
		body, err := wire.Marshal(newStatusView(sn, s.page))
		// The state, less the closing brace: as_of follows per request.
		return bytes.TrimSuffix(body, []byte("}")), err
	})
	if err != nil {
		return err
	}
	rd.finish(wire.StatusAsOfEnd(asOf)).serve(w, r)
	return nil
}
