package probe

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// trickle answers a request with prefix at once and then rest one byte
// at a time, gap apart, until rest is out or the probe hangs up. A probe
// whose timeout ends while a line is half read must call that a timeout:
// the half line is not what the server meant to say.
func trickle(prefix, rest string, gap time.Duration) func(net.Conn) {
	return func(c net.Conn) {
		readRequest(c)
		if _, err := io.WriteString(c, prefix); err != nil {
			return
		}
		var buf [1]byte
		for i := range len(rest) {
			// Waiting in a read rather than a sleep ends the wait as
			// soon as the probe hangs up.
			c.SetReadDeadline(time.Now().Add(gap))
			if _, err := c.Read(buf[:]); !isTimeout(err) {
				return
			}
			if _, err := c.Write([]byte{rest[i]}); err != nil {
				return
			}
		}
	}
}

func TestHTTPTimeoutWhileTheResponseTrickles(t *testing.T) {
	const (
		timeout = 300 * time.Millisecond
		// Longer than the timeout: the probe sees exactly the prefix.
		gap = time.Second
	)
	tests := []struct {
		name, prefix, rest, want string
	}{
		{
			"status line", "HTTP/1.1 2", "00 OK\r\nContent-Length: 0\r\n\r\n",
			"timeout after 300ms while reading the response headers",
		},
		{
			"header block", "HTTP/1.1 200 OK\r\nX-Sl", "ow: 1\r\nContent-Length: 0\r\n\r\n",
			"timeout after 300ms while reading the response headers",
		},
		{
			"header value", "HTTP/1.1 200 OK\r\nX-Slow: 1", "23\r\nContent-Length: 0\r\n\r\n",
			"timeout after 300ms while reading the response headers",
		},
		{
			"body", "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\npar", strings.Repeat("t", 37),
			"timeout after 300ms while reading the body",
		},
		{
			"chunked body", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1", "0\r\n0123456789abcdef\r\n0\r\n\r\n",
			"timeout after 300ms while reading the body",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := serveTCP(t, trickle(tt.prefix, tt.rest, gap))
			p := mustNew(t, httpCheck("http://"+srv.addr+"/", timeout, nil), testOptions(t))
			// The socket deadline and the context's timer fire at the
			// same moment and race each other; several runs make a
			// wrong outcome show reliably when there is one.
			const runs = 8
			var wg sync.WaitGroup
			results := make([]Result, runs)
			took := make([]time.Duration, runs)
			for i := range runs {
				wg.Go(func() {
					start := time.Now()
					results[i] = p.Probe(context.Background())
					took[i] = time.Since(start)
				})
			}
			wg.Wait()
			for i, r := range results {
				if took[i] > timeout+margin {
					t.Errorf("probe took %v, timeout %v", took[i], timeout)
				}
				if r.Success || r.Err != tt.want || strings.Contains(r.Err, "malformed") {
					t.Errorf("Success=%v Err=%q, want %q", r.Success, r.Err, tt.want)
				}
			}
		})
	}
}
