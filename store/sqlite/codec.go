package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Times are stored as INTEGER Unix milliseconds UTC: exact for the
// millisecond precision the webhooks and the API show, ordered and
// compared by plain integer indexes, and the same for every consumer. The
// zero time.Time is NULL, never 0, so that 1970-01-01 stays a real time.

// msTime encodes t for a time column; sub-millisecond digits are dropped.
func msTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// msBound encodes one end of a range; a zero time leaves that end open.
func msBound(t time.Time, open int64) int64 {
	if t.IsZero() {
		return open
	}
	return t.UnixMilli()
}

// timeCol scans a time column into *t, NULL as the zero time.
type timeCol struct{ t *time.Time }

// Scan implements sql.Scanner.
func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case int64:
		*c.t = time.UnixMilli(v).UTC()
	default:
		return fmt.Errorf("time column: unexpected %T", src)
	}
	return nil
}

// idList encodes a list of ids as a JSON array, NULL when empty. JSON keeps
// the order and lets SQL look inside with json_each.
func idList(ids []string) (any, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// listCol scans a JSON id list into *l, NULL as nil.
type listCol struct{ l *[]string }

// Scan implements sql.Scanner.
func (c listCol) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*c.l = nil
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("list column: unexpected %T", src)
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return fmt.Errorf("list column: %w", err)
	}
	if len(l) == 0 {
		l = nil
	}
	*c.l = l
	return nil
}

// seconds encodes a duration as REAL seconds for uptime_hourly.
func seconds(d time.Duration) float64 { return d.Seconds() }

// duration decodes REAL seconds, rounding away the float error that sums
// of many additions pick up.
func duration(s float64) time.Duration {
	return time.Duration(math.Round(s * float64(time.Second)))
}

// nullBytes stores an empty slice as NULL, so that UNIQUE columns
// (token_hash) admit any number of rows without one.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// nullString is nullBytes for text.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// execer is a *sql.Tx or *sql.DB.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}
