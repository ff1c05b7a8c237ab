package metrics

import (
	"io"
	"net/http/httptest"
	"testing"
)

// BenchmarkScrape5000Checks is one /metrics scrape of 5 000 checks of
// every type (about 6 MB of text), without and with gzip.
func BenchmarkScrape5000Checks(b *testing.B) {
	m := New(Options{LatencyHistogram: true})
	fillChecks(m, 5000/3)
	for _, enc := range []string{"identity", "gzip"} {
		b.Run(enc, func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				req := httptest.NewRequest("GET", "/metrics", nil)
				req.Header.Set("Accept-Encoding", enc)
				rec := httptest.NewRecorder()
				m.Handler().ServeHTTP(rec, req)
				size = rec.Body.Len()
				_, _ = io.Copy(io.Discard, rec.Body)
			}
			b.ReportMetric(float64(size), "bytes/scrape")
		})
	}
}
