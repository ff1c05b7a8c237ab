package web

import (
	"context"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/up-status/up/status"
)

// One WebSocket client: its connection, the messages queued for it, and
// the writer and keepalive that serve it.

// Handler serves the WebSocket endpoint (/ws). The Origin header must be
// the request's own host (any port), page.url's origin or one of
// HubOptions.Origins; others get 403.
func (h *Hub) Handler() http.Handler {
	return http.HandlerFunc(h.serve)
}

func (h *Hub) serve(w http.ResponseWriter, r *http.Request) {
	if h.isClosed() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	if h.Clients() >= h.opts.MaxClients {
		http.Error(w, "too many status page clients", http.StatusServiceUnavailable)
		return
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		OriginPatterns: h.originPatterns(r),
	})
	if err != nil {
		// Accept has answered (403 for a foreign origin, 426 or 400 for
		// a request that is no WebSocket handshake).
		h.log.Debug("status page websocket refused", "remote", r.RemoteAddr, "origin", r.Header.Get("Origin"), "err", err)
		return
	}
	ctx, cancel := context.WithCancel(h.stop)
	defer cancel()
	c := &client{
		conn:   conn,
		remote: r.RemoteAddr,
		queue:  make(chan outMsg, h.opts.QueueSize),
		kicked: make(chan struct{}),
		cancel: cancel,
	}
	ok, full := h.register(c)
	if !ok {
		code, reason := websocket.StatusGoingAway, "server shutting down"
		if full {
			code, reason = websocket.StatusTryAgainLater, "too many clients"
		}
		conn.Close(code, reason)
		return
	}
	// Unregister first (defers run last to first): once c is out of the
	// map nothing kicks it, so the kick timer can be stopped for good.
	defer c.stopTimer()
	defer h.unregister(c)

	// CloseRead answers pings and close frames, and ends ctx when the
	// peer goes away; the page never sends data.
	ctx = conn.CloseRead(ctx)
	var keepalive sync.WaitGroup
	keepalive.Add(1)
	go func() {
		defer keepalive.Done()
		h.keepalive(ctx, c)
	}()
	h.write(ctx, c)
	cancel()
	keepalive.Wait()
}

// write sends c's queue until the peer goes, the hub closes or c is
// dropped.
func (h *Hub) write(ctx context.Context, c *client) {
	for {
		// Goodbyes first: a kicked client's queue may still be full.
		select {
		case <-c.kicked:
			c.conn.Close(websocket.StatusPolicyViolation, "too slow: send queue full")
			return
		case <-h.done:
			c.conn.Close(websocket.StatusGoingAway, "server shutting down")
			return
		case <-ctx.Done():
			c.conn.CloseNow()
			return
		default:
		}
		select {
		case <-c.kicked:
			continue
		case <-h.done:
			continue
		case <-ctx.Done():
			continue
		case m := <-c.queue:
			data := m.data
			if m.snap != nil {
				var err error
				if data, err = h.cache.message(m.snap, h.opts.Snapshot); err != nil {
					h.log.Error("encoding status snapshot", "err", err)
					c.conn.Close(websocket.StatusInternalError, "snapshot unavailable")
					return
				}
			}
			if !h.writeMessage(ctx, c, data) {
				return
			}
			// A snapshot is followed at once by how old it is, so a page
			// that connects to a stale instance says so from the start.
			if m.snap != nil && !h.writeMessage(ctx, c, h.asOfMessage()) {
				return
			}
		}
	}
}

// writeMessage sends one message to c; false when c's connection failed
// and is cut.
func (h *Hub) writeMessage(ctx context.Context, c *client, data []byte) bool {
	wctx, cancel := context.WithTimeout(ctx, h.opts.WriteTimeout)
	err := c.conn.Write(wctx, websocket.MessageText, data)
	cancel()
	if err != nil {
		c.conn.CloseNow()
		return false
	}
	return true
}

// keepalive pings c; a client that misses a pong is cut, which ends the
// writer too. Browsers answer pings by themselves.
func (h *Hub) keepalive(ctx context.Context, c *client) {
	t := time.NewTicker(h.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, h.opts.PongTimeout)
			err := c.conn.Ping(pctx)
			cancel()
			if err != nil {
				if ctx.Err() == nil {
					h.log.Debug("status page client missed a pong; dropped", "remote", c.remote, "err", err)
				}
				c.cancel()
				return
			}
		}
	}
}

func (h *Hub) isClosed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

// originPatterns lists the origins allowed for r: the configured ones
// plus r's own host name on any port.
func (h *Hub) originPatterns(r *http.Request) []string {
	p := slices.Clone(h.origins)
	host := r.Host
	if hn, _, err := net.SplitHostPort(host); err == nil {
		host = hn
	}
	host = strings.Trim(host, "[]")
	if host == "" {
		return p
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6 literal, as it appears in an Origin
	}
	host = escapePattern(host)
	return append(p, host, host+":*")
}

// escapePattern quotes the characters path.Match treats specially, so a
// literal origin (an IPv6 host has brackets) matches only itself.
func escapePattern(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// client is one connected page.
type client struct {
	conn   *websocket.Conn
	remote string
	queue  chan outMsg
	// fresh: registered before any snapshot existed; the next batch
	// brings its first snapshot. Guarded by Hub.mu.
	fresh bool

	cancel   context.CancelFunc // cuts the connection
	kickOnce sync.Once
	kicked   chan struct{}
	timerMu  sync.Mutex
	timer    *time.Timer
}

// outMsg is a queued message: data, or a snapshot encoded when sent (so
// a thousand queued copies of one snapshot cost one encoding).
type outMsg struct {
	data []byte
	snap *status.Snapshot
}

// send queues m without blocking; false when the queue is full.
func (c *client) send(m outMsg) bool {
	select {
	case c.queue <- m:
		return true
	default:
		return false
	}
}

// kick tells c's writer to close with StatusPolicyViolation, and cuts
// the connection if the writer is stuck in a write for longer than
// closeGrace.
func (c *client) kick() {
	c.kickOnce.Do(func() {
		close(c.kicked)
		c.timerMu.Lock()
		c.timer = time.AfterFunc(closeGrace, c.cancel)
		c.timerMu.Unlock()
	})
}

func (c *client) stopTimer() {
	c.timerMu.Lock()
	defer c.timerMu.Unlock()
	if c.timer != nil {
		c.timer.Stop()
	}
}
