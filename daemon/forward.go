package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store/postgres"
)

// An API write received by a follower is forwarded to the leader through
// the database: instances need no network path to each other. The
// leader runs it through its own API, so it is authorised, validated
// and answered exactly as on a single instance.

const (
	// forwardWait is how long a follower waits for a leader to take a
	// write before it answers 503 "no leader".
	forwardWait = 10 * time.Second
	// forwardGrace is how much longer it waits for an answer once a
	// leader took the write.
	forwardGrace = 5 * time.Second
	// forwardPoll is how often a follower looks for the answer.
	forwardPoll = 50 * time.Millisecond
	// forwardBody bounds a forwarded request's body; the API's own limit
	// is lower.
	forwardBody = 1 << 20
)

// forwarded is a request as a command row carries it.
type forwarded struct {
	Method string      `json:"method"`
	URL    string      `json:"url"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

// answer is the leader's response.
type answer struct {
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

// forwardedHeaders are the request headers the API reads.
var forwardedHeaders = []string{"Authorization", "Content-Type", "Accept", "If-Match", "If-None-Match", "Origin"}

// isWrite reports whether r changes state that the leader owns. Push
// reports are probe results: they go to the queue like any other.
func isWrite(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return !strings.HasPrefix(r.URL.Path, "/push/") && !strings.HasPrefix(r.URL.Path, "/unsubscribe/")
}

// commandRunner forwards writes on followers and runs them on the leader.
type commandRunner struct {
	log      *slog.Logger
	db       *postgres.DB
	instance string
	leading  func() bool
	// api is the API handler writes run through on the leader.
	api http.Handler
}

// handler sends writes to the leader while this instance follows.
func (c *commandRunner) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isWrite(r) || c.leading() {
			next.ServeHTTP(w, r)
			return
		}
		c.forward(w, r)
	})
}

func (c *commandRunner) forward(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, forwardBody))
	if err != nil {
		writeJSONError(w, http.StatusRequestEntityTooLarge, "request body too large")
		return
	}
	req := forwarded{Method: r.Method, URL: r.URL.RequestURI(), Header: http.Header{}, Body: body}
	for _, h := range forwardedHeaders {
		if v := r.Header.Values(h); len(v) > 0 {
			req.Header[h] = v
		}
	}
	raw, _ := json.Marshal(req) // fields of plain types cannot fail
	id := status.NewID()
	ctx := r.Context()
	if err := c.db.PutCommand(ctx, postgres.Command{ID: id, Instance: c.instance, Request: raw}); err != nil {
		c.log.Warn("cluster: forwarding a write to the leader failed", "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "5")
		writeJSONError(w, http.StatusServiceUnavailable, "the database cannot be reached; nothing was changed, retry later")
		return
	}
	deadline := time.Now().Add(forwardWait)
	withdrawn := false
	for {
		resp, ok, err := c.db.CommandResponse(ctx, id)
		if err == nil && ok {
			var a answer
			if err := json.Unmarshal(resp, &a); err != nil {
				writeJSONError(w, http.StatusBadGateway, "the leader's answer could not be read")
				return
			}
			for k, v := range a.Header {
				w.Header()[k] = v
			}
			w.WriteHeader(a.Status)
			_, _ = w.Write(a.Body)
			return
		}
		if time.Now().After(deadline) {
			if !withdrawn {
				// Not taken yet: take it back, so that nothing happens
				// after a 503 said nothing was done.
				if gone, err := c.db.WithdrawCommand(context.WithoutCancel(ctx), id); err == nil && gone {
					w.Header().Set("Retry-After", "5")
					writeJSONError(w, http.StatusServiceUnavailable, "no instance leads the cluster right now; nothing was changed, retry later")
					return
				}
				withdrawn, deadline = true, time.Now().Add(forwardGrace)
				continue
			}
			writeJSONError(w, http.StatusGatewayTimeout, "the leader took the request but did not answer in time; it may have been applied")
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(forwardPoll):
		}
	}
}

// commandsPoll is how often the leader looks for forwarded writes
// without a notification (a NOTIFY is lost while the connection is
// down).
const commandsPoll = time.Second

// serve runs forwarded writes on the leader until ctx ends, woken by the
// followers' notifications.
func (c *commandRunner) serve(ctx context.Context, view *postgres.DB) {
	wake := make(chan struct{}, 1)
	poke := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			err := c.db.Listen(ctx, []string{postgres.CommandChannel}, poke, func(_, payload string) {
				if payload == "new" {
					poke()
				}
			})
			if err != nil && ctx.Err() == nil {
				c.log.Debug("cluster: listening for forwarded writes", "err", err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}()
	t := time.NewTicker(commandsPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-t.C:
		}
		cmds, err := view.ClaimCommands(ctx, c.instance, forwardWait, 20)
		if err != nil {
			if ctx.Err() == nil {
				c.log.Warn("cluster: reading forwarded writes failed", "err", err)
			}
			continue
		}
		for _, cmd := range cmds {
			a := c.run(ctx, cmd)
			raw, _ := json.Marshal(a)
			if err := view.FinishCommand(ctx, cmd.ID, raw); err != nil && ctx.Err() == nil {
				c.log.Warn("cluster: answering a forwarded write failed", "command", cmd.ID, "err", err)
			}
		}
	}
}

// run serves one forwarded request through the API.
func (c *commandRunner) run(ctx context.Context, cmd postgres.Command) answer {
	var req forwarded
	if err := json.Unmarshal(cmd.Request, &req); err != nil {
		return errorAnswer(http.StatusBadRequest, "the forwarded request could not be read")
	}
	r, err := http.NewRequestWithContext(ctx, req.Method, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return errorAnswer(http.StatusBadRequest, "the forwarded request could not be read")
	}
	r.Header = req.Header
	r.RemoteAddr = "forwarded-by-" + cmd.Instance
	rec := &recorder{header: http.Header{}}
	c.api.ServeHTTP(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return answer{Status: rec.status, Header: rec.header, Body: rec.body.Bytes()}
}

func errorAnswer(code int, msg string) answer {
	rec := &recorder{header: http.Header{}}
	writeJSONError(rec, code, msg)
	return answer{Status: rec.status, Header: rec.header, Body: rec.body.Bytes()}
}

// recorder is the http.ResponseWriter a forwarded request is answered
// into.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// writeJSONError answers as the API does: {"error": "..."}.
func writeJSONError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	body, _ := json.Marshal(map[string]string{"error": msg})
	_, _ = w.Write(append(body, '\n'))
}
