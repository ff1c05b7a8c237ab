package api

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxBody is the largest request body read: 1 MiB is far more than any
// object needs and keeps a client from making the daemon buffer much.
const maxBody = 1 << 20

// Limits of text fields, so that one request cannot blow up the page or
// every webhook that carries the object.
const (
	maxName = 256
	maxText = 16 << 10
)

// decodeBody reads the request's JSON object into v. Unknown fields are
// refused by name, and so is anything after the object.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || mt != "application/json" {
		return errorf(http.StatusUnsupportedMediaType, "Content-Type must be application/json, not %q", clip(ct))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return err
		}
		return badRequest("could not read the body: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return badRequest("unexpected data after the JSON object")
	}
	if err := duplicateKeys(body); err != nil {
		return err
	}
	return exactKeys(body, reflect.TypeOf(v).Elem(), "")
}

// duplicateKeys refuses an object, at any depth, that has a key twice.
// encoding/json would keep the last value silently, so a client that
// sends two could not know which one counts. The body has decoded
// already, so it is valid JSON.
func duplicateKeys(body []byte) error {
	type frame struct {
		object    bool
		path      string
		keys      map[string]bool
		expectKey bool // in an object: the next string is a key
		key       string
		index     int // in an array: the next item's index
	}
	var stack []*frame
	// child is the path of the value about to start in the top frame.
	child := func() string {
		if len(stack) == 0 {
			return ""
		}
		f := stack[len(stack)-1]
		if f.object {
			if f.path == "" {
				return f.key
			}
			return f.path + "." + f.key
		}
		return fmt.Sprintf("%s[%d]", f.path, f.index)
	}
	// done marks the top frame's current value as complete.
	done := func() {
		if len(stack) == 0 {
			return
		}
		if f := stack[len(stack)-1]; f.object {
			f.expectKey = true
		} else {
			f.index++
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF, or an error Decode has reported already
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, &frame{object: t == '{', path: child(), keys: map[string]bool{}, expectKey: true})
			default:
				stack = stack[:len(stack)-1]
				done()
			}
		case string:
			if f := len(stack); f > 0 && stack[f-1].object && stack[f-1].expectKey {
				top := stack[f-1]
				top.key, top.expectKey = t, false
				if top.keys[t] {
					return badRequest("duplicate key %q", child())
				}
				top.keys[t] = true
				continue
			}
			done()
		default:
			done()
		}
	}
}

// exactKeys refuses a key that names a field only when case is ignored:
// encoding/json would take "Name" for "name", and the API promises that
// a field it does not know is refused by name.
func exactKeys(data []byte, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice:
		var items []json.RawMessage
		if json.Unmarshal(data, &items) != nil {
			return nil
		}
		for i, item := range items {
			if err := exactKeys(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(data, &obj) != nil {
			return nil
		}
		fields := jsonFields(t)
		for k, val := range obj {
			name := k
			if path != "" {
				name = path + "." + k
			}
			ft, ok := fields[k]
			if !ok {
				return badRequest("unknown field %q", name)
			}
			if err := exactKeys(val, ft, name); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonFields maps the JSON names of a struct's fields, those of embedded
// structs included, to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
		case f.IsExported():
			out[cmp.Or(name, f.Name)] = f.Type
		}
	}
	return out
}

// jsonError turns a decoding error into a 400 that says what is wrong
// and where (or a 413 for an oversized body).
func jsonError(err error) error {
	var mb *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mb):
		return err
	case errors.Is(err, io.EOF):
		return badRequest("empty body: want a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("invalid JSON: the body ends in the middle of a value")
	case errors.As(err, &syn):
		return badRequest("invalid JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return badRequest("want a JSON object, not %s", typ.Value)
		}
		return badRequest("field %q: want %s, not %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if strings.HasPrefix(msg, "unknown field ") {
		return badRequest("%s", msg)
	}
	return badRequest("invalid JSON: %s", msg)
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "ptr", "interface":
		return "a value"
	}
	return "a number"
}

// clip shortens text quoted back to the caller.
func clip(s string) string {
	if len(s) <= 64 {
		return s
	}
	cut := 64
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// validID reports whether id has the form of a configuration id:
// ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$. Ids appear in URLs, metric labels and
// webhooks, so the API holds them to the same form as the file does.
func validID(id string) bool { return validName(id, 64) }

// validMetricID allows the ids of check metrics, "<component>.<check>":
// two ids and a dot.
func validMetricID(id string) bool { return validName(id, 64+1+64) }

func validName(id string, max int) bool {
	if id == "" || len(id) > max {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case i > 0 && (c == '_' || c == '.' || c == '-'):
		default:
			return false
		}
	}
	return true
}

const idRule = "use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit"

// checkID refuses an id that does not have the configuration's form.
func checkID(field, id string) error {
	if !validID(id) {
		return badRequest("%s %q is not a valid id: %s", field, clip(id), idRule)
	}
	return nil
}

// checkIDs checks a list of ids, each at most once.
func checkIDs(field string, ids []string) error {
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if err := checkID(field, id); err != nil {
			return err
		}
		if seen[id] {
			return badRequest("%s: %q is listed twice", field, id)
		}
		seen[id] = true
	}
	return nil
}

// pathID is the {id} of the request path, checked.
func pathID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if err := checkID("id", id); err != nil {
		return "", err
	}
	return id, nil
}

// checkText refuses a text field over max bytes.
func checkText(field, v string, max int) error {
	if len(v) > max {
		return badRequest("%s is longer than %d bytes", field, max)
	}
	return nil
}

// parseTime reads an optional RFC 3339 time; "" is the zero time.
func parseTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, badRequest("%s: %q is not a valid time: want RFC 3339, e.g. 2026-11-26T21:14:42Z", field, clip(v))
	}
	if t.Unix() < minUnix || t.Unix() >= maxUnix {
		return time.Time{}, badRequest("%s: %q is out of range: want a time from 1970 to 2199", field, clip(v))
	}
	return t.UTC(), nil
}

// The range of times the API takes, in Unix seconds: 1970 to 2199.
// Earlier ones would read as unset (the zero time) or lie before Unix
// time; later ones outlast the nanosecond clock the engine counts with.
const (
	minUnix = 0
	maxUnix = 7258118400 // 2200-01-01T00:00:00Z
)

// queryTime reads a time from the query: RFC 3339 or Unix seconds.
func queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < minUnix || n >= maxUnix {
			return time.Time{}, badRequest("%s: %d is out of range: want a time from 1970 to 2199", name, n)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	return parseTime(name, v)
}

// queryInt reads an integer from the query within [lo, hi]; def when
// absent.
func queryInt(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("%s: %q is not a whole number from %d to %d", name, clip(v), lo, hi)
	}
	return n, nil
}

// parseDuration reads a maintenance duration: a number of minutes (a
// JSON number, or a string of digits as the webhook shape sends it) or
// a Go duration string such as "2h30m". Absent or null is zero.
func parseDuration(raw json.RawMessage) (time.Duration, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	const max = 366 * 24 * time.Hour
	var minutes float64
	var s string
	switch {
	case json.Unmarshal(raw, &minutes) == nil:
	case json.Unmarshal(raw, &s) == nil:
		if s == "" {
			return 0, nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 || d > max {
				return 0, badRequest("duration: %q is not a positive duration of at most 366 days: want minutes (\"120\") or a duration (\"2h\")", clip(s))
			}
			return d, nil
		}
		minutes = f
	default:
		return 0, badRequest("duration: want minutes (120 or \"120\") or a duration string (\"2h\")")
	}
	if !(minutes > 0) || minutes > max.Minutes() {
		return 0, badRequest("duration: %v minutes is not a positive duration of at most 366 days", minutes)
	}
	return time.Duration(minutes * float64(time.Minute)).Round(time.Second), nil
}

// wantsJSON reports whether the client names application/json in
// Accept. Prometheus and browsers send */* too, so a wildcard does not
// count.
func wantsJSON(r *http.Request) bool { return accepts(r, "application/json") }

// wantsHTML reports whether a browser is asking: text/html is named in
// Accept and JSON is not.
func wantsHTML(r *http.Request) bool { return accepts(r, "text/html") && !wantsJSON(r) }

func accepts(r *http.Request, mediaType string) bool {
	for _, v := range r.Header.Values("Accept") {
		for part := range strings.SplitSeq(v, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil || mt != mediaType {
				continue
			}
			if q, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(q, 64); err == nil && f <= 0 {
					continue
				}
			}
			return true
		}
	}
	return false
}

// readOnly is a field of an object's JSON that a PUT accepts and
// ignores, so that a client can send back what it read with a change.
type readOnly = json.RawMessage

// errFieldf formats a message about a named field.
func errFieldf(field, format string, a ...any) error {
	return badRequest("%s: %s", field, fmt.Sprintf(format, a...))
}
