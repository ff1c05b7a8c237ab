package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
	"github.com/up-status/up/wire"
)

// httpError is a refusal with the status code it answers and a message
// written for the caller.
type httpError struct {
	code int
	msg  string
	// challenge is the WWW-Authenticate value of a 401.
	challenge string
}

func (e *httpError) Error() string { return e.msg }

func errorf(code int, format string, a ...any) error {
	return &httpError{code: code, msg: fmt.Sprintf(format, a...)}
}

func badRequest(format string, a ...any) error { return errorf(http.StatusBadRequest, format, a...) }

func notFoundf(format string, a ...any) error { return errorf(http.StatusNotFound, format, a...) }

func conflictf(format string, a ...any) error { return errorf(http.StatusConflict, format, a...) }

// errorBody is every error response: {"error": "..."}.
type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, code int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Del("Content-Encoding")
	h.Del("ETag")
	w.WriteHeader(code)
	body, _ := wire.Marshal(errorBody{Error: msg}) // a string field cannot fail
	_, _ = w.Write(append(body, '\n'))
}

// retryAfter is how long a client should wait before it retries a write
// the store could not take: long enough for a full disk or a locked
// database to be noticed, short enough that a retry loop converges.
const retryAfter = "5"

// fail answers err. Refusals (httpError, the engine's and the store's
// kinds, an oversized body) pass their message on; anything else is a
// fault of ours: logged in full, answered 500 with no detail.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	var se *status.Error
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		if he.code == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", he.challenge)
		}
		writeError(w, he.code, he.msg)
	case errors.As(err, &mb):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", mb.Limit))
	case errors.As(err, &se):
		writeError(w, engineCode(se), se.Msg)
	case errors.Is(err, store.ErrUnavailable):
		// Nothing was applied: the client may send the same request again.
		s.log.Warn("api: store unavailable", "method", r.Method, "path", logPath(r), "err", err)
		w.Header().Set("Retry-After", retryAfter)
		writeError(w, http.StatusServiceUnavailable, "the store cannot take writes now; nothing was changed, retry later")
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not found")
	case errors.Is(err, store.ErrConflict):
		writeError(w, http.StatusConflict, "conflict with the current state")
	case r.Context().Err() != nil:
		// The client went away; nobody reads an answer.
		s.log.Debug("api: request cancelled", "method", r.Method, "path", logPath(r), "err", err)
		writeError(w, http.StatusServiceUnavailable, "request cancelled")
	default:
		s.log.Error("api: request failed", "method", r.Method, "path", logPath(r), "err", err)
		writeError(w, http.StatusInternalServerError, "internal error; see the daemon's log")
	}
}

func engineCode(e *status.Error) int {
	switch {
	case errors.Is(e, status.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(e, status.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(e, status.ErrConflict):
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}
