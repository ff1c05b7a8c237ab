package api

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/up-status/up/status"
)

// snapKey identifies a snapshot by the arrays behind its slices. The
// daemon publishes a new snapshot, with new arrays, after every change,
// and never modifies one it published; so a key that matches is the same
// content. The cache keeps the snapshot it rendered, so its arrays cannot
// be freed and their addresses reused while the key is held.
type snapKey struct {
	page        status.Page
	groups      *status.Group
	components  *status.Component
	checks      *status.CheckStatus
	incidents   *status.Incident
	maintenance *status.Maintenance
	n           [5]int
}

func keyOf(s *status.Snapshot) snapKey {
	k := snapKey{page: s.Page, n: [5]int{len(s.Groups), len(s.Components), len(s.Checks), len(s.Incidents), len(s.Maintenance)}}
	if len(s.Groups) > 0 {
		k.groups = &s.Groups[0]
	}
	if len(s.Components) > 0 {
		k.components = &s.Components[0]
	}
	if len(s.Checks) > 0 {
		k.checks = &s.Checks[0]
	}
	if len(s.Incidents) > 0 {
		k.incidents = &s.Incidents[0]
	}
	if len(s.Maintenance) > 0 {
		k.maintenance = &s.Maintenance[0]
	}
	return k
}

// rendered is a JSON body ready to send, plain and gzipped. It is not
// modified after it is built.
type rendered struct {
	body, gz     []byte
	etag, etagGz string
	// bodyEnd and gzEnd follow body and gz when set: what a request adds
	// to an open rendering (see finish).
	bodyEnd, gzEnd []byte

	// An open rendering (newOpenRendered) lacks its end, which changes
	// with every request (GET /status's as_of): body is the start of the
	// JSON, and gz the start of a gzip stream up to a sync flush,
	// byte-aligned, so that a last block with the end can follow. crc is
	// body's, for the gzip trailer; sum is body's hash, for the ETags.
	crc uint32
	sum []byte
}

// snapCache keeps the latest rendering of a body that depends on the
// snapshot only (GET /status, /components, /groups): a status page is
// read far more often than it changes, and rendering 1 000 components
// costs far more than sending them.
type snapCache struct {
	// open: render leaves out the body's end, which each request adds
	// (newOpenRendered, finish).
	open bool

	mu   sync.Mutex
	key  snapKey
	snap status.Snapshot // keeps the keyed arrays alive
	out  *rendered
}

func (c *snapCache) get(s *status.Snapshot, render func(*status.Snapshot) ([]byte, error)) (*rendered, error) {
	k := keyOf(s)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.out != nil && c.key == k {
		return c.out, nil
	}
	body, err := render(s)
	if err != nil {
		return nil, err
	}
	out := newRendered
	if c.open {
		out = newOpenRendered
	}
	c.key, c.snap, c.out = k, *s, out(body)
	return c.out, nil
}

// gzipMin is the size below which gzip does not pay for itself.
const gzipMin = 1024

func newRendered(body []byte) *rendered {
	r := &rendered{body: body, etag: etagOf(body, "")}
	if len(body) >= gzipMin {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
		_, _ = zw.Write(body)
		if zw.Close() == nil {
			r.gz, r.etagGz = b.Bytes(), etagOf(body, "-gz")
		}
	}
	return r
}

// newOpenRendered renders the start of a body whose end comes with each
// request: the expensive part, compressed once.
func newOpenRendered(start []byte) *rendered {
	h := fnv.New64a()
	_, _ = h.Write(start)
	r := &rendered{body: start, crc: crc32.ChecksumIEEE(start), sum: h.Sum(nil)}
	if len(start) >= gzipMin {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
		_, _ = zw.Write(start)
		// Flush ends the deflate data so far on a byte boundary without
		// ending the stream; Close would end it.
		if zw.Flush() == nil {
			r.gz = b.Bytes()
		}
	}
	return r
}

// finish returns the open rendering r completed by end (at most 64 KiB).
// Only end is new: the gzip stream gets it as a last stored block,
// which needs no compressor, and its trailer from r's checksum.
func (r *rendered) finish(end []byte) *rendered {
	// The ETags hash body's hash and end: the same bytes give the same
	// tag, and a moved end a new one.
	tagged := append(append([]byte(nil), r.sum...), end...)
	out := &rendered{body: r.body, bodyEnd: end, etag: etagOf(tagged, "")}
	if r.gz != nil {
		n := uint16(len(end))
		z := make([]byte, 0, 5+len(end)+8)
		// A final block (BFINAL 1) of type stored (BTYPE 00): its header
		// bits fill the next byte, then come LEN and its complement.
		z = append(z, 1, byte(n), byte(n>>8), byte(^n), byte(^n>>8))
		z = append(z, end...)
		z = binary.LittleEndian.AppendUint32(z, crc32.Update(r.crc, crc32.IEEETable, end))
		z = binary.LittleEndian.AppendUint32(z, uint32(len(r.body)+len(end)))
		out.gz, out.gzEnd, out.etagGz = r.gz, z, etagOf(tagged, "-gz")
	}
	return out
}

func etagOf(body []byte, suffix string) string {
	h := fnv.New64a()
	_, _ = h.Write(body)
	return `"` + hex.EncodeToString(h.Sum(nil)) + suffix + `"`
}

// serve sends the body, gzipped when the client takes it, or 304 when
// the client has it already.
func (rd *rendered) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	// Revalidate every time: the status changes without notice.
	h.Set("Cache-Control", "no-cache")
	h.Add("Vary", "Accept-Encoding")
	body, etag := rd.body, rd.etag
	end := rd.bodyEnd
	if rd.gz != nil && acceptsGzip(r) {
		body, end, etag = rd.gz, rd.gzEnd, rd.etagGz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	if noneMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)+len(end)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
		if len(end) > 0 {
			_, _ = w.Write(end)
		}
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
				continue
			}
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// noneMatch reports whether If-None-Match names etag (or is "*").
func noneMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	for part := range strings.SplitSeq(header, ",") {
		t := strings.TrimPrefix(strings.TrimSpace(part), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
