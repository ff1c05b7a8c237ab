// Package schedule runs every check at its interval, on its fixed phase,
// and hands each probe result on. It owns no status logic: the daemon
// decides what results mean.
package schedule

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/up-status/up/config"
	"github.com/up-status/up/probe"
)

// Options wires a Scheduler to the rest of the daemon.
type Options struct {
	Logger *slog.Logger
	// NewProber builds the prober of a check; called once per check and
	// again only when the check changes.
	NewProber func(*config.Check) (probe.Prober, error)
	// OnResult receives every result, from the goroutine that probed. It
	// must not block for long: a slow receiver delays that check only.
	OnResult func(*config.Check, probe.Result)
	// OnRun, if set, learns how late each run started (scheduler lag)
	// and whether it was skipped because the previous run of the same
	// check had not finished.
	OnRun func(c *config.Check, lag time.Duration, skipped bool)
	// StopTimeout bounds how long Shutdown waits for the scheduling loop
	// to end. Default 15s.
	StopTimeout time.Duration
}

// Scheduler runs checks. Create with New, fill with Apply, then Start.
//
// One goroutine keeps every check's next run in a heap and sleeps on one
// timer until the earliest. A job library's timer, closures, job copy,
// context and goroutine per run cost about 2 KB per check and several
// allocations per run; a heap slot costs a pointer.
type Scheduler struct {
	opts  Options
	log   *slog.Logger
	mu    sync.Mutex // guards jobs, queue, started and every entry's at and slot
	jobs  map[string]*entry
	queue runQueue
	// wake tells the loop that the earliest run may have changed.
	wake     chan struct{}
	started  bool
	loopDone chan struct{}
	ctx      context.Context
	close    context.CancelFunc

	// flight counts probes in progress; closed stops new ones once
	// Shutdown has begun, so Add never races with Wait.
	flightMu sync.Mutex
	closed   bool
	flight   sync.WaitGroup
	// work hands probes to idle workers; workers counts them so that
	// Shutdown waits for every one.
	work    chan *entry
	workers sync.WaitGroup
	spawned atomic.Int64 // workers ever started, for tests
}

// entry is one scheduled check.
type entry struct {
	check   *config.Check
	prober  probe.Prober
	running atomic.Bool
	// at is the UnixNano of the run planned next; lag is measured
	// against it rather than against the previous run, so a late run
	// does not hide the next one's lateness.
	at int64
	// slot is the entry's index in the queue, -1 once removed.
	slot int
}

// runQueue is a min-heap of entries by planned run.
type runQueue []*entry

func (q runQueue) Len() int           { return len(q) }
func (q runQueue) Less(i, j int) bool { return q[i].at < q[j].at }
func (q runQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].slot, q[j].slot = i, j
}
func (q *runQueue) Push(x any) {
	e := x.(*entry)
	e.slot = len(*q)
	*q = append(*q, e)
}
func (q *runQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	e.slot = -1
	return e
}

// New makes a stopped scheduler.
func New(opts Options) (*Scheduler, error) {
	if opts.NewProber == nil || opts.OnResult == nil {
		return nil, errors.New("schedule: NewProber and OnResult are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.StopTimeout <= 0 {
		opts.StopTimeout = 15 * time.Second
	}
	// No global limit on probes in flight: it would let slow checks
	// starve fast ones. entry.running keeps runs of one check apart.
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		opts:     opts,
		log:      opts.Logger,
		jobs:     make(map[string]*entry),
		wake:     make(chan struct{}, 1),
		loopDone: make(chan struct{}),
		ctx:      ctx,
		close:    cancel,
		work:     make(chan *entry),
	}, nil
}

// Change counts what Apply did.
type Change struct {
	Added, Kept, Replaced, Removed int
}

// Apply makes the scheduled checks equal to checks. Checks whose effective
// settings did not change keep running undisturbed (same entry, same
// phase, no extra run); changed ones are replaced, missing ones removed.
// If a prober cannot be built, nothing is changed and the error is
// returned.
func (s *Scheduler) Apply(checks []*config.Check) (Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	var ch Change
	fresh := make(map[string]*entry, len(checks))
	wanted := make(map[string]bool, len(checks))
	for _, c := range checks {
		wanted[c.ID] = true
		if old, ok := s.jobs[c.ID]; ok && old.check.Equal(c) {
			continue
		}
		p, err := s.opts.NewProber(c)
		if err != nil {
			return Change{}, fmt.Errorf("check %s: %w", c.ID, err)
		}
		fresh[c.ID] = &entry{check: c, prober: p, slot: -1}
	}

	for id, e := range s.jobs {
		if wanted[id] && fresh[id] == nil {
			ch.Kept++
			continue
		}
		if e.slot >= 0 {
			heap.Remove(&s.queue, e.slot)
		}
		delete(s.jobs, id)
		if wanted[id] {
			ch.Replaced++
		} else {
			ch.Removed++
		}
	}
	now := time.Now()
	for id, e := range fresh {
		e.at = FirstRun(now, id, e.check.Interval).UnixNano()
		heap.Push(&s.queue, e)
		s.jobs[id] = e
	}
	ch.Added = len(fresh) - ch.Replaced
	if len(fresh) > 0 {
		s.poke()
	}
	return ch, nil
}

// poke wakes the loop to look at the queue again.
func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Start begins running checks. Calling it again does nothing.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.ctx.Err() != nil {
		return
	}
	s.started = true
	// As between two runs, a phase that passed between Apply and Start
	// (restoring state can take a while) is skipped to its next turn,
	// not run late all at once.
	now := time.Now().UnixNano()
	for _, e := range s.queue {
		if e.at < now {
			iv := interval(e)
			e.at += (now - e.at + iv - 1) / iv * iv
		}
	}
	heap.Init(&s.queue)
	go s.loop()
}

// interval is e's interval in nanoseconds, never 0.
func interval(e *entry) int64 {
	if iv := int64(e.check.Interval); iv > 0 {
		return iv
	}
	return int64(time.Second)
}

// due is a run the loop hands on: the entry and when it was planned.
type due struct {
	e  *entry
	at int64
}

// loop starts the runs that are due and sleeps until the next one, until
// the scheduler shuts down.
func (s *Scheduler) loop() {
	defer close(s.loopDone)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var ready []due
	for {
		s.mu.Lock()
		now := time.Now().UnixNano()
		ready = ready[:0]
		for len(s.queue) > 0 && s.queue[0].at <= now {
			e := s.queue[0]
			ready = append(ready, due{e, e.at})
			// Plan the next run past now: skipped or very late runs
			// must not make every following run look late.
			iv := interval(e)
			next := e.at + iv
			if next <= now {
				next = e.at + ((now-e.at)/iv+1)*iv
			}
			e.at = next
			heap.Fix(&s.queue, 0)
		}
		wait := time.Hour
		if len(s.queue) > 0 {
			wait = time.Duration(s.queue[0].at - now)
		}
		s.mu.Unlock()
		for i, d := range ready {
			s.run(d.e, time.Duration(now-d.at))
			ready[i] = due{} // hold no entry a reload removed
		}
		timer.Reset(wait)
		select {
		case <-timer.C:
		case <-s.wake:
		case <-s.ctx.Done():
			return
		}
	}
}

// Shutdown stops scheduling, cancels probes in flight and waits for them,
// so that no result is handed on after it returns.
func (s *Scheduler) Shutdown() error {
	s.flightMu.Lock()
	s.closed = true
	s.flightMu.Unlock()
	s.mu.Lock()
	started := s.started
	s.started = true // a Start from now on does nothing
	s.mu.Unlock()
	s.close()
	var err error
	if started {
		select {
		case <-s.loopDone:
		case <-time.After(s.opts.StopTimeout):
			err = errors.New("schedule: the scheduling loop did not stop in time")
		}
	}
	s.flight.Wait()
	s.workers.Wait()
	return err
}

// Len is the number of scheduled checks.
func (s *Scheduler) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.jobs)
}

// run starts one planned run of e, lag after its plan.
func (s *Scheduler) run(e *entry, lag time.Duration) {
	if lag < 0 {
		lag = 0
	}

	if !e.running.CompareAndSwap(false, true) {
		if s.opts.OnRun != nil {
			s.opts.OnRun(e.check, lag, true)
		}
		s.log.Debug("previous run still in progress, skipping", "check", e.check.ID)
		return
	}
	if s.opts.OnRun != nil {
		s.opts.OnRun(e.check, lag, false)
	}

	s.flightMu.Lock()
	if s.closed {
		s.flightMu.Unlock()
		e.running.Store(false)
		return
	}
	s.flight.Add(1)
	s.flightMu.Unlock()
	// Hand the probe to an idle worker, or start one: a new goroutine's
	// stack would grow anew for every probe's TLS and HTTP calls.
	// Workers keep their grown stacks. There
	// is no cap on workers, so hanging probes never hold up others.
	select {
	case s.work <- e:
	default:
		s.workers.Add(1)
		s.spawned.Add(1)
		go s.worker(e)
	}
}

// workerIdle is how long a worker waits for another probe before it ends.
const workerIdle = time.Minute

// worker runs probes until it has been idle for workerIdle or the
// scheduler shuts down.
func (s *Scheduler) worker(e *entry) {
	defer s.workers.Done()
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		s.probe(e)
		idle.Reset(workerIdle)
		select {
		case e = <-s.work:
		case <-idle.C:
			return
		case <-s.ctx.Done():
			return
		}
	}
}

// probe runs one probe of e and hands its result on.
func (s *Scheduler) probe(e *entry) {
	defer s.flight.Done()
	defer e.running.Store(false)
	ctx, cancel := context.WithTimeout(s.ctx, e.check.Timeout)
	defer cancel()
	res := e.prober.Probe(ctx)
	if s.ctx.Err() != nil {
		// Shutting down: a probe cut short by shutdown says nothing about
		// the target.
		return
	}
	s.opts.OnResult(e.check, res)
}
