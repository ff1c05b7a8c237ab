package status

import (
	"errors"
	"fmt"
)

// Kinds of Error, for errors.Is. The API maps them to HTTP codes:
// ErrNotFound to 404, ErrInvalid to 400, ErrConflict to 409.
var (
	// ErrNotFound: no object has the given id.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the request itself is wrong (unknown word, missing
	// name, time in the future for a backfill...).
	ErrInvalid = errors.New("invalid")
	// ErrConflict: the request is well formed but clashes with the
	// current state (editing what the configuration file owns, completing
	// a window that has not started, a second open auto incident...).
	ErrConflict = errors.New("conflict")
)

// Error is what the engine's operations return: one of the kinds above
// and a message written for the person who made the call, so the API can
// pass it on as is.
type Error struct {
	Kind error
	Msg  string
}

// Error returns the message alone; the kind is for errors.Is.
func (e *Error) Error() string { return e.Msg }

// Unwrap exposes the kind to errors.Is.
func (e *Error) Unwrap() error { return e.Kind }

func notFound(format string, a ...any) error {
	return &Error{Kind: ErrNotFound, Msg: fmt.Sprintf(format, a...)}
}

func invalid(format string, a ...any) error {
	return &Error{Kind: ErrInvalid, Msg: fmt.Sprintf(format, a...)}
}

func conflict(format string, a ...any) error {
	return &Error{Kind: ErrConflict, Msg: fmt.Sprintf(format, a...)}
}
