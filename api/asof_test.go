package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// GET /status says when its state was last confirmed current, from
// Options.AsOf: a follower's last read of the shared database, which
// stands still while its database is gone.
func TestStatusAsOfOption(t *testing.T) {
	var asOf atomic.Int64 // Unix milliseconds; 0 is "not yet"
	f := newFixture(t, fixtureOptions{asOf: func() time.Time {
		if ms := asOf.Load(); ms != 0 {
			return time.UnixMilli(ms)
		}
		return time.Time{}
	}})
	get := func(hdr ...header) *response {
		t.Helper()
		return f.do("GET", "/status", "", nil, hdr...)
	}

	// Before a follower's first read there is no as_of yet.
	if got := f.want(get(), 200).object(t)["as_of"]; got != "" {
		t.Errorf("as_of before the first read: %v, want \"\"", got)
	}

	lost := start.Add(-90 * time.Second)
	asOf.Store(lost.UnixMilli())
	r1 := f.want(get(), 200)
	if got := r1.object(t)["as_of"]; got != "2026-11-26T11:58:30.000Z" {
		t.Errorf("as_of %v, want the option's time, not the clock's", got)
	}
	// While the state and as_of stand still, so does the ETag.
	etag := r1.header.Get("ETag")
	f.want(get(header{"If-None-Match": etag}), 304)

	// The follower reads again: a new as_of is a new body and ETag.
	asOf.Store(start.UnixMilli())
	r2 := f.want(get(header{"If-None-Match": etag}), 200)
	if got := r2.object(t)["as_of"]; got != "2026-11-26T12:00:00.000Z" {
		t.Errorf("as_of %v after a new read", got)
	}
	if r2.header.Get("ETag") == etag {
		t.Error("the ETag did not change with as_of")
	}
	if !bytes.Equal(bytes.TrimSuffix(r1.body, []byte(`11:58:30.000Z"}`)), bytes.TrimSuffix(r2.body, []byte(`12:00:00.000Z"}`))) {
		t.Errorf("the bodies differ in more than as_of:\n%s\n%s", r1.body, r2.body)
	}
	// Go's client asks for gzip by itself and unpacks it (and Go's gzip
	// reader checks the stream's CRC and size), so the bodies above came
	// gzipped; the plain one must say the same.
	plain := f.want(get(header{"Accept-Encoding": "identity"}), 200)
	if plain.header.Get("Content-Encoding") != "" || !bytes.Equal(plain.body, r2.body) {
		t.Errorf("plain body differs from the gzipped one:\n%s\n%s", plain.body, r2.body)
	}
	if plain.header.Get("ETag") == r2.header.Get("ETag") {
		t.Error("plain and gzipped bodies share an ETag")
	}
}

// An open rendering finished with any end is the plain body and a valid
// gzip stream of it, checksum and size included.
func TestOpenRenderingGzip(t *testing.T) {
	start := []byte(`{"components":[` + strings.Repeat(`{"id":"c","status":"OPERATIONAL"},`, 200) + `{}]`)
	open := newOpenRendered(start)
	if open.gz == nil {
		t.Fatal("a large body was not gzipped")
	}
	seen := map[string]bool{}
	for _, end := range []string{`,"as_of":"2026-11-26T12:00:00.000Z"}`, `,"as_of":""}`, `}`, "", strings.Repeat("x", 70000)[:65535]} {
		rd := open.finish([]byte(end))
		want := string(start) + end
		if got := string(rd.body) + string(rd.bodyEnd); got != want {
			t.Errorf("end %.20q: plain body differs", end)
		}
		plain, err := gunzip(append(append([]byte(nil), rd.gz...), rd.gzEnd...))
		if err != nil {
			t.Errorf("end %.20q: %v", end, err)
		} else if string(plain) != want {
			t.Errorf("end %.20q: gzip body differs", end)
		}
		if seen[rd.etag] || seen[rd.etagGz] || rd.etag == rd.etagGz {
			t.Errorf("end %.20q: ETags %s %s not distinct", end, rd.etag, rd.etagGz)
		}
		seen[rd.etag], seen[rd.etagGz] = true, true
	}
	if a, b := open.finish([]byte("}")), open.finish([]byte("}")); a.etag != b.etag || a.etagGz != b.etagGz {
		t.Error("the same end gave another ETag")
	}
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	zr.Multistream(false)
	plain, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	// One member, and nothing after it.
	if rest, _ := io.ReadAll(bytes.NewReader(b)); len(rest) != len(b) {
		return nil, io.ErrUnexpectedEOF
	}
	return plain, zr.Close()
}
