package wire

import (
	"bytes"
	"encoding/json"
	"time"
)

// TimeLayout is RFC 3339 in UTC with exactly three fractional digits, so
// every timestamp has the same width and sorts as text.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// Time renders t in TimeLayout; the zero time is "" because the shapes
// have no nulls.
func Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

// Marshal encodes v as JSON without HTML escaping and without a trailing
// newline. Everything up sends is JSON, never HTML: json.Marshal would
// turn "latency > 2s" into "latency \u003e 2s", which receivers show as
// is.
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
