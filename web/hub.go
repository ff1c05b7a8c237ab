package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/up-status/up/status"
	"github.com/up-status/up/wire"
)

// HubOptions configure a Hub. Snapshot is required; zero values of the
// others take the defaults named on each field.
type HubOptions struct {
	// Snapshot encodes a snapshot as the GET /status body: the data of
	// the first message every client gets, and of later snapshot messages.
	// The hub calls it outside the engine's lock and caches the result
	// per snapshot, so a thousand pages connecting at once encode once.
	Snapshot func(*status.Snapshot) ([]byte, error)

	// PageID, PageName and PageURL (page.id, page.name and page.url)
	// fill the page of messages, as in GET /status. PageURL's origin may
	// open the WebSocket.
	PageID, PageName, PageURL string

	// Origins lists further origins allowed to open the WebSocket (config
	// api.origins): "https://status.example.com", or host patterns as
	// coder/websocket matches them ("*.example.com"). The request's own
	// host, with any port, is always allowed: the page and the WebSocket
	// listener usually differ only by port.
	Origins []string

	// QueueSize is how many messages wait for one client before it counts
	// as too slow and is dropped (default 64).
	QueueSize int
	// PingInterval is how often clients are pinged (default 20s);
	// PongTimeout how long a pong may take before the client is dropped
	// (default 10s).
	PingInterval, PongTimeout time.Duration
	// WriteTimeout bounds one message write (default 10s).
	WriteTimeout time.Duration
	// MaxClients caps open connections (default 10 000); more are refused
	// with 503, so a flood of pages cannot exhaust memory.
	MaxClients int

	Logger *slog.Logger
}

// maxPendingEvents and maxPendingBatches bound what was published but not
// yet fanned out (Run not keeping up, or not running yet). Past either,
// the backlog is replaced by one snapshot: the engine must never wait for
// the hub, a snapshot says everything the dropped events said, and each
// batch holds a whole snapshot in memory.
const (
	maxPendingEvents  = 4096
	maxPendingBatches = 64
)

// closeGrace is how long a dropped client, or every client at shutdown,
// gets to take the close handshake before its connection is cut.
const closeGrace = time.Second

// Hub fans the status engine's changes out to the WebSocket clients of
// the status page. Publish hands it each committed batch; Run delivers
// them; Handler serves /ws.
//
// Every client has a bounded queue and its own writer, so a slow client
// delays nobody: when its queue is full it is dropped (closed with
// StatusPolicyViolation) and reconnects to a fresh snapshot.
type Hub struct {
	opts    HubOptions
	log     *slog.Logger
	enc     encoder
	origins []string

	// pending holds batches from Publish until Run fans them out. It has
	// its own lock so that Publish, which runs under the engine's lock,
	// never waits for a fan-out.
	pendMu        sync.Mutex
	pending       []pendingBatch
	pendingEvents int
	wake          chan struct{}

	mu      sync.Mutex
	clients map[*client]struct{}
	// sent is the snapshot the clients' state matches once they have
	// applied everything queued: a new client starts from it.
	sent   *status.Snapshot
	closed bool
	wg     sync.WaitGroup // one per connection being served

	cache snapshotCache

	done      chan struct{} // closed by Close: clients say goodbye
	stop      context.Context
	hardStop  context.CancelFunc // cuts every connection at once
	closeOnce sync.Once
}

type pendingBatch struct {
	events []status.Event
	snap   *status.Snapshot
	resync bool // send snap instead of the events
}

// NewHub returns a hub; start its Run before or with the listener.
func NewHub(opts HubOptions) (*Hub, error) {
	if opts.Snapshot == nil {
		return nil, errors.New("web: HubOptions.Snapshot is required")
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 64
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = 20 * time.Second
	}
	if opts.PongTimeout <= 0 {
		opts.PongTimeout = 10 * time.Second
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 10 * time.Second
	}
	if opts.MaxClients <= 0 {
		opts.MaxClients = 10000
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	pageURL := strings.TrimRight(opts.PageURL, "/")
	var origins []string
	if u, err := url.Parse(pageURL); err == nil && u.Scheme != "" && u.Host != "" {
		origins = append(origins, escapePattern(u.Scheme+"://"+u.Host))
	}
	for _, o := range opts.Origins {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			origins = append(origins, o)
		}
	}
	stop, hardStop := context.WithCancel(context.Background())
	return &Hub{
		opts:     opts,
		log:      opts.Logger,
		enc:      encoder{page: wire.Page{ID: opts.PageID, Name: opts.PageName, URL: pageURL}, maxMessages: opts.QueueSize / 2},
		origins:  origins,
		wake:     make(chan struct{}, 1),
		clients:  map[*client]struct{}{},
		done:     make(chan struct{}),
		stop:     stop,
		hardStop: hardStop,
	}, nil
}

// Publish takes one committed batch of events and the snapshot after it.
// It has the signature of the daemon's listeners and never blocks: it
// queues the batch for Run and returns. Call it once with no events and
// the current snapshot before serving, so the first pages need not wait
// for a change. The hub keeps events and snap; the caller must not
// change them afterwards (the engine's events and snapshots are copies).
func (h *Hub) Publish(events []status.Event, snap *status.Snapshot) {
	if snap == nil {
		return
	}
	h.pendMu.Lock()
	h.pending = append(h.pending, pendingBatch{events: slices.Clone(events), snap: snap})
	h.pendingEvents += len(events)
	if h.pendingEvents > maxPendingEvents || len(h.pending) > maxPendingBatches {
		h.pending = []pendingBatch{{snap: snap, resync: true}}
		h.pendingEvents = 0
	}
	h.pendMu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Run delivers published batches to the clients until ctx ends or Close
// is called; on ctx's end it closes the hub. Run it once.
func (h *Hub) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return h.Close()
		case <-h.done:
			return nil
		case <-h.wake:
			h.fanOut()
		}
	}
}

// Close says goodbye to every client (StatusGoingAway), cuts those that
// do not answer within a second, refuses new ones and waits until every
// connection is gone. It is safe to call more than once.
func (h *Hub) Close() error {
	h.closeOnce.Do(func() {
		h.mu.Lock()
		h.closed = true
		h.mu.Unlock()
		close(h.done)
	})
	cut := time.AfterFunc(closeGrace, h.hardStop)
	h.wg.Wait()
	cut.Stop()
	h.hardStop()
	return nil
}

// Clients returns how many clients are connected.
func (h *Hub) Clients() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// fanOut encodes the pending batches and queues their messages to every
// client, in order. Only Run calls it, so batches never overtake.
func (h *Hub) fanOut() {
	h.pendMu.Lock()
	batches := h.pending
	h.pending, h.pendingEvents = nil, 0
	h.pendMu.Unlock()
	if len(batches) == 0 {
		return
	}

	h.mu.Lock()
	prev := h.sent
	h.mu.Unlock()
	// Encode outside h.mu: new clients register meanwhile, starting from
	// h.sent, which moves only below, as each batch is queued.
	out := make([]encoded, len(batches))
	for i, b := range batches {
		if b.resync {
			out[i] = encoded{snapshot: true}
		} else {
			out[i] = h.enc.batch(prev, b.snap, b.events)
		}
		prev = b.snap
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	for i, b := range batches {
		snapMsg := outMsg{snap: b.snap}
		for c := range h.clients {
			switch {
			case c.fresh || out[i].snapshot:
				// A client that connected before any snapshot existed,
				// or a change the messages cannot carry.
				c.fresh = false
				if !c.send(snapMsg) {
					h.drop(c)
				}
			default:
				for _, m := range out[i].msgs {
					if !c.send(outMsg{data: m}) {
						h.drop(c)
						break
					}
				}
			}
		}
		h.sent = b.snap
	}
}

// drop removes a client that cannot keep up. Called with h.mu held.
func (h *Hub) drop(c *client) {
	delete(h.clients, c)
	c.kick()
	h.log.Info("status page client too slow; dropped", "remote", c.remote)
}

// register adds c and queues its first snapshot; false when the hub is
// closed or full.
func (h *Hub) register(c *client) (ok bool, full bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false, false
	}
	if len(h.clients) >= h.opts.MaxClients {
		return false, true
	}
	h.clients[c] = struct{}{}
	h.wg.Add(1)
	if h.sent != nil {
		c.send(outMsg{snap: h.sent})
	} else {
		c.fresh = true
	}
	return true, false
}

func (h *Hub) unregister(c *client) {
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
	h.wg.Done()
}

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
			wctx, cancel := context.WithTimeout(ctx, h.opts.WriteTimeout)
			err := c.conn.Write(wctx, websocket.MessageText, data)
			cancel()
			if err != nil {
				c.conn.CloseNow()
				return
			}
		}
	}
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

// snapshotCache keeps the latest encoded snapshot message: snapshots are
// immutable, so one pointer means one encoding.
type snapshotCache struct {
	mu   sync.Mutex
	snap *status.Snapshot
	msg  []byte
}

func (sc *snapshotCache) message(s *status.Snapshot, encode func(*status.Snapshot) ([]byte, error)) ([]byte, error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.snap == s {
		return sc.msg, nil
	}
	body, err := encode(s)
	if err != nil {
		return nil, err
	}
	sc.snap, sc.msg = s, wire.SnapshotMessage(body)
	return sc.msg, nil
}
