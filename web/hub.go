package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

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

	// AsOf is when the state the hub publishes was last confirmed
	// current: in a cluster, a follower's last read of the shared
	// database (zero before the first). Nil means always current, as a
	// single instance is. Every client gets it, with the server's time,
	// in an as_of message after each snapshot and every AsOfInterval
	// (default 5s).
	AsOf         func() time.Time
	AsOfInterval time.Duration
	// Now is the server's time in as_of messages (default time.Now).
	Now func() time.Time

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
	if opts.AsOfInterval <= 0 {
		opts.AsOfInterval = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.AsOf == nil {
		opts.AsOf = opts.Now
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

// Run delivers published batches, and every AsOfInterval the as_of
// message, to the clients until ctx ends or Close is called; on ctx's
// end it closes the hub. Run it once.
func (h *Hub) Run(ctx context.Context) error {
	tick := time.NewTicker(h.opts.AsOfInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return h.Close()
		case <-h.done:
			return nil
		case <-h.wake:
			h.fanOut()
		case <-tick.C:
			h.sendAsOf()
		}
	}
}

// asOfMessage is the as_of message now: when the state was last
// confirmed current, and the server's time, read after it so that the
// lag never shows negative.
func (h *Hub) asOfMessage() []byte {
	asOf := h.opts.AsOf()
	b, err := wire.Marshal(wire.AsOfMessage(asOf, h.opts.Now()))
	if err != nil {
		// Two strings.
		panic(fmt.Sprintf("web: marshal as_of message: %v", err))
	}
	return b
}

// sendAsOf queues the as_of message to every client that has its
// snapshot. A client whose queue is full skips it: the next one says
// the same, and only a batch decides that a client is too slow.
func (h *Hub) sendAsOf() {
	msg := h.asOfMessage()
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		if !c.fresh {
			c.send(outMsg{data: msg})
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
