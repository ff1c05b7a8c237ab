package notify

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"

	"github.com/up-status/up/auth"
	"github.com/up-status/up/store"
)

// Unsubscribe disables the subscriber whose unsubscribe token is token
// and drops its pending deliveries. It works for subscribers from the
// config file too: the store keeps the flag, and a reload must not clear
// it. An unknown token gives an error wrapping store.ErrNotFound.
func (d *Dispatcher) Unsubscribe(ctx context.Context, token string) (store.Subscriber, error) {
	sub, err := d.subscriberByToken(ctx, token)
	if err != nil {
		return store.Subscriber{}, fmt.Errorf("notify: unsubscribe: %w", err)
	}
	if err := d.unsubscribe(ctx, sub, "unsubscribed through the unsubscribe link"); err != nil {
		return sub, fmt.Errorf("notify: unsubscribe: %w", err)
	}
	sub.Disabled = true
	d.log.Info("webhook subscriber unsubscribed through its link", "subscriber", sub.ID)
	d.Notify() // refresh the queue gauge
	return sub, nil
}

// UnsubscribeHandler serves the link sent as meta.unsubscribe:
// GET /unsubscribe/{token} shows a page with a confirmation button
// (a GET alone must not unsubscribe: mail scanners and link previews
// fetch links), POST /unsubscribe/{token} unsubscribes and shows a done
// page, and an unknown token gets a 404 page. Mount it on a mux at
// "/unsubscribe/".
func (d *Dispatcher) UnsubscribeHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /unsubscribe/{token}", d.serveUnsubscribeForm)
	mux.HandleFunc("POST /unsubscribe/{token}", d.serveUnsubscribe)
	return mux
}

// subscriberByToken is the one place an unsubscribe token is matched to
// a subscriber: the store looks it up, and the tokens are compared again
// in constant time (as hashes, auth.Equal's form) so that a store
// matching loosely (a prefix, a collation) cannot let a near miss
// unsubscribe someone. No match wraps store.ErrNotFound.
func (d *Dispatcher) subscriberByToken(ctx context.Context, token string) (store.Subscriber, error) {
	if token == "" {
		return store.Subscriber{}, fmt.Errorf("empty token: %w", store.ErrNotFound)
	}
	sub, err := d.store.SubscriberByToken(ctx, token)
	if err != nil {
		return store.Subscriber{}, err
	}
	if !auth.Equal(auth.Hash(sub.Token), auth.Hash(token)) {
		return store.Subscriber{}, fmt.Errorf("subscriber by token: %w", store.ErrNotFound)
	}
	return sub, nil
}

func (d *Dispatcher) serveUnsubscribeForm(w http.ResponseWriter, r *http.Request) {
	sub, err := d.subscriberByToken(r.Context(), r.PathValue("token"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		d.page(w, http.StatusNotFound, "notfound", sub)
	case err != nil:
		d.log.Error("unsubscribe page: look up token", "err", err)
		d.page(w, http.StatusInternalServerError, "error", sub)
	case sub.Disabled:
		d.page(w, http.StatusOK, "done", sub)
	default:
		d.page(w, http.StatusOK, "confirm", sub)
	}
}

func (d *Dispatcher) serveUnsubscribe(w http.ResponseWriter, r *http.Request) {
	sub, err := d.Unsubscribe(r.Context(), r.PathValue("token"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		d.page(w, http.StatusNotFound, "notfound", sub)
	case err != nil:
		d.log.Error("unsubscribe", "err", err)
		d.page(w, http.StatusInternalServerError, "error", sub)
	default:
		d.page(w, http.StatusOK, "done", sub)
	}
}

func (d *Dispatcher) page(w http.ResponseWriter, code int, name string, sub store.Subscriber) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// The token is in the URL: keep it out of caches and Referer headers,
	// and keep the button out of other sites' frames.
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(code)
	data := struct {
		Page       string
		PageURL    string
		Subscriber string
	}{d.cfg.Planner.PageID, d.cfg.Planner.PageURL, sub.ID}
	if err := unsubscribePages.ExecuteTemplate(w, name, data); err != nil {
		d.log.Debug("unsubscribe page: write", "err", err)
	}
}

// unsubscribePages are parsed once; they are read-only after init.
var unsubscribePages = template.Must(template.New("").Parse(`
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5}
button{font:inherit;padding:.5rem 1rem;cursor:pointer}</style>
</head><body>{{end}}
{{define "foot"}}{{if .PageURL}}<p><a href="{{.PageURL}}">Back to the status page</a></p>{{end}}</body></html>
{{end}}
{{define "confirm"}}{{template "head" "Unsubscribe from webhooks"}}
<h1>Unsubscribe from webhooks</h1>
<p>Stop sending webhooks of <strong>{{.Page}}</strong> to subscriber <strong>{{.Subscriber}}</strong>?
Webhooks not yet delivered are dropped.</p>
<form method="post"><button type="submit">Unsubscribe</button></form>
{{template "foot" .}}{{end}}
{{define "done"}}{{template "head" "Unsubscribed"}}
<h1>Unsubscribed</h1>
<p>Subscriber <strong>{{.Subscriber}}</strong> will receive no more webhooks from <strong>{{.Page}}</strong>.</p>
{{template "foot" .}}{{end}}
{{define "notfound"}}{{template "head" "Unknown unsubscribe link"}}
<h1>Unknown unsubscribe link</h1>
<p>This link does not belong to any subscriber. It may have been deleted already.</p>
{{template "foot" .}}{{end}}
{{define "error"}}{{template "head" "Something went wrong"}}
<h1>Something went wrong</h1>
<p>The request could not be completed. Please try again later.</p>
{{template "foot" .}}{{end}}
`))
