package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/up-status/up/internal/testenv"
	"github.com/up-status/up/status"
)

// testPageURL is page.url in hub tests; its origin may open the socket.
const testPageURL = "https://status.example.test"

// startHub returns a running hub and the ws:// URL of a server for it.
// Cleanup closes the hub first (its connections are hijacked, so the
// server would not wait for them), then the server.
func startHub(t testing.TB, opts HubOptions) (*Hub, string) {
	t.Helper()
	if opts.Snapshot == nil {
		opts.Snapshot = testStatusJSON("Test", "test", testPageURL)
	}
	if opts.PageURL == "" {
		opts.PageURL = testPageURL
	}
	h, err := NewHub(opts)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ws", h.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not return within 10s of its context ending")
		}
	})
	return h, "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
}

func dial(t *testing.T, ctx context.Context, url, origin string) *websocket.Conn {
	t.Helper()
	c, err := tryDial(ctx, url, origin)
	if err != nil {
		t.Fatalf("dial %s (Origin %q): %v", url, origin, err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func tryDial(ctx context.Context, url, origin string) (*websocket.Conn, error) {
	opts := &websocket.DialOptions{}
	if origin != "" {
		opts.HTTPHeader = http.Header{"Origin": {origin}}
	}
	c, resp, err := websocket.Dial(ctx, url, opts)
	if err != nil {
		if resp != nil {
			return nil, &dialError{status: resp.StatusCode, err: err}
		}
		return nil, err
	}
	c.SetReadLimit(8 << 20)
	return c, nil
}

type dialError struct {
	status int
	err    error
}

func (e *dialError) Error() string { return "HTTP " + strconv.Itoa(e.status) + ": " + e.err.Error() }

type message struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// read returns the next message other than as_of, which comes after
// every snapshot and every few seconds (readAny returns those too).
func read(ctx context.Context, c *websocket.Conn) (message, error) {
	for {
		m, err := readAny(ctx, c)
		if err != nil || m.Type != "as_of" {
			return m, err
		}
	}
}

func readAny(ctx context.Context, c *websocket.Conn) (message, error) {
	_, b, err := c.Read(ctx)
	if err != nil {
		return message{}, err
	}
	var m message
	if err := json.Unmarshal(b, &m); err != nil {
		return message{}, err
	}
	return m, nil
}

func mustRead(t *testing.T, ctx context.Context, c *websocket.Conn) message {
	t.Helper()
	m, err := read(ctx, c)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return m
}

// The test's page has one component whose description counts batches,
// so clients can check they see every change once and in order.

var upPage = status.Page{Status: status.PageUp, Description: "All Systems Operational"}

func seqComponent(i int, pad int) status.Component {
	return status.Component{
		ID: "website", Name: "Website", Status: status.Operational,
		Description: strconv.Itoa(i) + strings.Repeat(" ", pad),
	}
}

func seqSnapshot(i, pad int) *status.Snapshot {
	return &status.Snapshot{Page: upPage, Components: []status.Component{seqComponent(i, pad)}}
}

func seqEvent(i, pad int) status.Event {
	c := seqComponent(i, pad)
	return status.Event{Kind: status.ComponentChanged, At: time.Now(), Page: upPage, Component: &c, OldStatus: status.Operational}
}

// publishSeq publishes batch i: one component event and the snapshot
// after it.
func publishSeq(h *Hub, i, pad int) {
	h.Publish([]status.Event{seqEvent(i, pad)}, seqSnapshot(i, pad))
}

// seqOf reads the counter from a snapshot or component message.
func seqOf(m message) (int, error) {
	var desc string
	switch m.Type {
	case "snapshot":
		var s struct {
			Components []struct {
				Description string `json:"description"`
			} `json:"components"`
		}
		if err := json.Unmarshal(m.Data, &s); err != nil || len(s.Components) != 1 {
			return 0, fmt.Errorf("snapshot %s: %v", m.Data, err)
		}
		desc = s.Components[0].Description
	case "component":
		var c struct {
			Description string `json:"description"`
		}
		if err := json.Unmarshal(m.Data, &c); err != nil {
			return 0, err
		}
		desc = c.Description
	default:
		return 0, fmt.Errorf("unexpected message type %q", m.Type)
	}
	return strconv.Atoi(strings.TrimSpace(desc))
}

func mustSeq(t *testing.T, m message) int {
	t.Helper()
	n, err := seqOf(m)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestHubSendsSnapshotFirst(t *testing.T) {
	h, url := startHub(t, HubOptions{})
	publishSeq(h, 7, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dial(t, ctx, url, "")
	m := mustRead(t, ctx, c)
	if m.Type != "snapshot" {
		t.Fatalf("first message is %q, want snapshot", m.Type)
	}
	want, _ := testStatusJSON("Test", "test", testPageURL)(seqSnapshot(7, 0))
	if string(m.Data) != string(want) {
		t.Errorf("snapshot data\n got %s\nwant %s", m.Data, want)
	}

	publishSeq(h, 8, 0)
	m = mustRead(t, ctx, c)
	var data map[string]any
	if err := json.Unmarshal(m.Data, &data); err != nil {
		t.Fatal(err)
	}
	if m.Type != "component" || data["id"] != "website" || data["status"] != "OPERATIONAL" || data["description"] != "8" {
		t.Errorf("second message: %s %s", m.Type, m.Data)
	}
	// The webhook's component block keys are all there.
	for _, k := range []string{"created_at", "id", "name", "status", "old_status", "group", "updated_at", "checks"} {
		if _, ok := data[k]; !ok {
			t.Errorf("component message lacks %q: %s", k, m.Data)
		}
	}
}

// A page that connects before anything was published gets the first
// snapshot, not events it could not apply.
func TestHubClientBeforeFirstPublish(t *testing.T) {
	h, url := startHub(t, HubOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dial(t, ctx, url, "")
	testenv.Eventually(t, 5*time.Second, "the client to register", func() bool { return h.Clients() == 1 })
	publishSeq(h, 1, 0)
	publishSeq(h, 2, 0)
	m := mustRead(t, ctx, c)
	if m.Type != "snapshot" {
		t.Fatalf("first message is %q, want snapshot", m.Type)
	}
	n := mustSeq(t, m)
	if n != 1 && n != 2 {
		t.Fatalf("snapshot of batch %d", n)
	}
	if n == 1 {
		if m := mustRead(t, ctx, c); m.Type != "component" || mustSeq(t, m) != 2 {
			t.Fatalf("then %s %s, want component 2", m.Type, m.Data)
		}
	}
}

// Many clients, some connecting while events flow: each sees a snapshot,
// then every later change exactly once, in order. When the publisher
// outruns the fan-out, a fresh snapshot may stand in for a run of
// changes; it never goes back in time.
func TestHubFanOutInOrder(t *testing.T) {
	const (
		clients = 40
		batches = 200
	)
	h, url := startHub(t, HubOptions{QueueSize: 4 * batches})
	publishSeq(h, 0, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var (
		wg      sync.WaitGroup
		resyncs atomic.Int64
	)
	errs := make(chan error, clients)
	conns := make(chan *websocket.Conn, clients)
	receive := func(c *websocket.Conn) {
		defer wg.Done()
		m, err := read(ctx, c)
		if err != nil {
			errs <- err
			return
		}
		if m.Type != "snapshot" {
			errs <- errors.New("first message " + m.Type)
			return
		}
		next, err := seqOf(m)
		if err != nil {
			errs <- err
			return
		}
		for next++; next <= batches; next++ {
			m, err := read(ctx, c)
			if err != nil {
				errs <- err
				return
			}
			got, err := seqOf(m)
			if m.Type == "snapshot" && err == nil && got >= next-1 {
				resyncs.Add(1)
				next = got
				continue
			}
			if err != nil || got != next || m.Type != "component" {
				errs <- fmt.Errorf("got %s %d (%v), want component %d", m.Type, got, err, next)
				return
			}
		}
	}
	connect := func() {
		c := dial(t, ctx, url, "")
		conns <- c
		wg.Add(1)
		go receive(c)
	}
	for range clients / 2 {
		connect()
	}
	for i := 1; i <= batches; i++ {
		publishSeq(h, i, 0)
		if i%10 == 0 && i <= batches/2 { // the rest join mid-stream
			for range clients / 20 {
				connect()
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d snapshots stood in for runs of changes", resyncs.Load())
	if n := h.Clients(); n != clients {
		t.Errorf("%d clients connected at the end, want %d", n, clients)
	}
}

// A client that never reads is dropped once its queue is full; the
// others get every message in order and are not slowed down.
func TestHubDropsSlowClient(t *testing.T) {
	const (
		good = 3
		pad  = 256 << 10 // big messages fill the socket buffers fast
		max  = 2000
	)
	h, url := startHub(t, HubOptions{QueueSize: 8, WriteTimeout: time.Minute})
	publishSeq(h, 0, pad)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	slow := dial(t, ctx, url, "")
	var received [good]atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, good)
	for i := range good {
		c := dial(t, ctx, url, "")
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := read(ctx, c)
			if err != nil {
				errs <- err
				return
			}
			want, err := seqOf(m)
			if err != nil {
				errs <- err
				return
			}
			for want++; ; want++ {
				m, err := read(ctx, c)
				if err != nil {
					if websocket.CloseStatus(err) != websocket.StatusGoingAway {
						errs <- err
					}
					return
				}
				if got, err := seqOf(m); err != nil || got != want {
					errs <- fmt.Errorf("good client got %d (%v), want %d", got, err, want)
					return
				}
				received[i].Store(int64(want))
			}
		}()
	}
	testenv.Eventually(t, 10*time.Second, "all clients to register", func() bool { return h.Clients() == good+1 })

	// Publish at the pace of the good clients (never more than 2 ahead),
	// so only the one that never reads can fall behind.
	sent := 0
	for sent < max && h.Clients() > good {
		sent++
		publishSeq(h, sent, pad)
		testenv.Eventually(t, 20*time.Second, "good clients to keep up", func() bool {
			for i := range received {
				if received[i].Load() < int64(sent-2) {
					return false
				}
			}
			return true
		})
	}
	if h.Clients() != good {
		t.Fatalf("the client that never reads was not dropped after %d messages", sent)
	}
	t.Logf("slow client dropped after %d messages of %d KiB", sent, pad>>10)
	// The others go on.
	for range 10 {
		sent++
		publishSeq(h, sent, pad)
		testenv.Eventually(t, 20*time.Second, "good clients to get every message", func() bool {
			for i := range received {
				if received[i].Load() != int64(sent) {
					return false
				}
			}
			return true
		})
	}
	// The dropped connection ends (after what the kernel had buffered).
	for {
		if _, _, err := slow.Read(ctx); err != nil {
			if ctx.Err() != nil {
				t.Fatal("the dropped client's connection stayed open")
			}
			if s := websocket.CloseStatus(err); s != -1 && s != websocket.StatusPolicyViolation {
				t.Errorf("dropped client closed with %v, want %v or a cut connection", s, websocket.StatusPolicyViolation)
			}
			break
		}
	}
	if h.Clients() != good {
		t.Errorf("%d clients, want %d", h.Clients(), good)
	}
	h.Close()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestHubChecksOrigin(t *testing.T) {
	h, url := startHub(t, HubOptions{Origins: []string{"https://console.example.test", "*.trusted.test"}})
	publishSeq(h, 1, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, tc := range []struct {
		origin string
		ok     bool
	}{
		{"", true}, // not a browser
		{testPageURL, true},
		{"https://console.example.test", true},
		{"https://a.trusted.test", true},
		{"http://127.0.0.1:5010", true}, // the page on another port of this host
		{"http://127.0.0.1", true},
		{"https://evil.test", false},
		{"http://status.example.test", false}, // page.url is https
		{"https://status.example.test.evil.test", false},
		{"http://localhost:5010", false}, // the test server is 127.0.0.1
		{"null", false},
	} {
		c, err := tryDial(ctx, url, tc.origin)
		if tc.ok {
			if err != nil {
				t.Errorf("Origin %q refused: %v", tc.origin, err)
				continue
			}
			if m := mustRead(t, ctx, c); m.Type == "" {
				t.Errorf("Origin %q: no message", tc.origin)
			}
			c.CloseNow()
			continue
		}
		var de *dialError
		if !errors.As(err, &de) || de.status != http.StatusForbidden {
			if c != nil {
				c.CloseNow()
			}
			t.Errorf("Origin %q: err %v, want 403", tc.origin, err)
		}
	}
}

func TestHubOriginIPv6Host(t *testing.T) {
	h, err := NewHub(HubOptions{Snapshot: testStatusJSON("Test", "test", "")})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "http://[::1]:5011/ws", nil)
	got := h.originPatterns(r)
	want := []string{`\[::1\]`, `\[::1\]:*`}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("patterns %q, want %q", got, want)
	}
}

// Close says goodbye to every client and refuses new ones.
func TestHubClose(t *testing.T) {
	h, url := startHub(t, HubOptions{})
	publishSeq(h, 1, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var conns []*websocket.Conn
	for range 5 {
		c := dial(t, ctx, url, "")
		mustRead(t, ctx, c)
		conns = append(conns, c)
	}
	start := time.Now()
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		h.Close()
	}()
	for _, c := range conns {
		_, err := read(ctx, c)
		if s := websocket.CloseStatus(err); s != websocket.StatusGoingAway {
			t.Errorf("client closed with %v (%v), want StatusGoingAway", s, err)
		}
	}
	select {
	case <-closed:
	case <-ctx.Done():
		t.Fatal("Close did not return")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %s", d)
	}
	if h.Clients() != 0 {
		t.Errorf("%d clients after Close", h.Clients())
	}
	_, err := tryDial(ctx, url, "")
	var de *dialError
	if !errors.As(err, &de) || de.status != http.StatusServiceUnavailable {
		t.Errorf("dial after Close: %v, want 503", err)
	}
	h.Publish(nil, seqSnapshot(2, 0)) // harmless after Close
}

// A client that answers no ping is dropped; one that does stays.
func TestHubKeepalive(t *testing.T) {
	h, url := startHub(t, HubOptions{PingInterval: 50 * time.Millisecond, PongTimeout: 100 * time.Millisecond})
	publishSeq(h, 1, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	alive := dial(t, ctx, url, "")
	readErr := make(chan error, 1)
	go func() { // reads, so it answers pings
		for {
			if _, _, err := alive.Read(ctx); err != nil {
				readErr <- err
				return
			}
		}
	}()
	dial(t, ctx, url, "") // never reads: pings go unanswered
	testenv.Eventually(t, 5*time.Second, "the mute client to be dropped", func() bool { return h.Clients() == 1 })
	time.Sleep(300 * time.Millisecond) // several ping rounds
	select {
	case err := <-readErr:
		t.Fatalf("the answering client was dropped: %v", err)
	default:
	}
	if h.Clients() != 1 {
		t.Errorf("%d clients, want 1", h.Clients())
	}
	h.Close()
	if err := <-readErr; websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Errorf("answering client: %v, want StatusGoingAway", err)
	}
}

// Publish returns at once even when nothing delivers; a backlog beyond
// the bound collapses into one snapshot.
func TestHubPublishNeverBlocks(t *testing.T) {
	h, err := NewHub(HubOptions{Snapshot: testStatusJSON("Test", "test", "")})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	start := time.Now()
	for i := range 3 * maxPendingEvents {
		publishSeq(h, i, 0)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("%d publishes took %s", 3*maxPendingEvents, d)
	}
	h.pendMu.Lock()
	n, events := len(h.pending), h.pendingEvents
	h.pendMu.Unlock()
	if n > maxPendingBatches || events > maxPendingEvents {
		t.Errorf("backlog of %d batches, %d events; want at most %d and %d", n, events, maxPendingBatches, maxPendingEvents)
	}
	// The backlog is delivered as one snapshot of the latest state.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		h.Run(ctx)
	}()
	mux := http.NewServeMux()
	mux.Handle("/ws", h.Handler())
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := dial(t, ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", "")
	rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
	defer rcancel()
	// A client may connect while Run is still folding the backlog: it gets
	// a snapshot first, then whatever brings it to the last batch, never
	// going back in time.
	m := mustRead(t, rctx, c)
	if m.Type != "snapshot" {
		t.Fatalf("first message %s %s, want a snapshot", m.Type, m.Data)
	}
	last := mustSeq(t, m)
	for i := 0; last != 3*maxPendingEvents-1; i++ {
		if i > 3*maxPendingEvents {
			t.Fatalf("never reached the last batch; at %d", last)
		}
		n := mustSeq(t, mustRead(t, rctx, c))
		if n < last {
			t.Fatalf("went back from %d to %d", last, n)
		}
		last = n
	}
	h.Close()
	<-ran
}

func TestNewHubNeedsEncoder(t *testing.T) {
	if _, err := NewHub(HubOptions{}); err == nil {
		t.Error("NewHub without Snapshot succeeded")
	}
}
