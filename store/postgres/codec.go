package postgres

import (
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// Times are timestamptz in UTC, truncated to the millisecond the SQLite
// store keeps (and the webhooks and the API show), so that both stores
// give back the same time.Time for what they were given. The zero
// time.Time is NULL, never 0001-01-01, so that it stays "unset".

// ts encodes t for a time column; sub-millisecond digits are dropped.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return msTime(t)
}

// msTime is t at millisecond precision, in UTC.
func msTime(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()).UTC() }

// timeCol scans a timestamptz column into *t, NULL as the zero time.
type timeCol struct{ t *time.Time }

// ScanTimestamptz implements pgtype.TimestamptzScanner.
func (c timeCol) ScanTimestamptz(v pgtype.Timestamptz) error {
	if !v.Valid {
		*c.t = time.Time{}
		return nil
	}
	*c.t = v.Time.UTC()
	return nil
}

// idList encodes a list of ids as text[], NULL when empty.
func idList(ids []string) any {
	if len(ids) == 0 {
		return nil
	}
	return ids
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
