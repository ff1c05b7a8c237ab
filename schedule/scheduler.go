// Package schedule runs every check at its interval on a gocron v2
// scheduler and hands each probe result on. It owns no status logic: the
// daemon decides what results mean.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"

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
	// StopTimeout bounds how long Shutdown waits for running probes.
	// Default 15s.
	StopTimeout time.Duration
}

// Scheduler runs checks. Create with New, fill with Apply, then Start.
type Scheduler struct {
	opts  Options
	log   *slog.Logger
	cron  gocron.Scheduler
	mu    sync.Mutex // guards jobs
	jobs  map[string]*entry
	ctx   context.Context
	close context.CancelFunc

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
	job     gocron.Job
	running atomic.Bool
	// next is the UnixNano of the run expected next; it measures lag
	// against the plan rather than against the previous run, so a late
	// run does not hide the next one's lateness.
	next atomic.Int64
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
	// No WithLimitConcurrentJobs: a global limit lets slow checks starve
	// fast ones. No WithSingletonMode: it costs a large buffered channel
	// per job; entry.running guards overlap instead.
	cron, err := gocron.NewScheduler(gocron.WithStopTimeout(opts.StopTimeout))
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		opts:  opts,
		log:   opts.Logger,
		cron:  cron,
		jobs:  make(map[string]*entry),
		ctx:   ctx,
		close: cancel,
		work:  make(chan *entry),
	}, nil
}

// Change counts what Apply did.
type Change struct {
	Added, Kept, Replaced, Removed int
}

// Apply makes the scheduled checks equal to checks. Checks whose effective
// settings did not change keep running undisturbed (same job, same phase,
// no extra run); changed ones are replaced, missing ones removed. If a
// prober cannot be built, nothing is changed and the error is returned.
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
		fresh[c.ID] = &entry{check: c, prober: p}
	}

	for id, e := range s.jobs {
		if wanted[id] && fresh[id] == nil {
			ch.Kept++
			continue
		}
		if err := s.cron.RemoveJob(e.job.ID()); err != nil {
			s.log.Warn("removing job", "check", id, "err", err)
		}
		delete(s.jobs, id)
		if wanted[id] {
			ch.Replaced++
		} else {
			ch.Removed++
		}
	}
	for id, e := range fresh {
		job, err := s.schedule(e)
		if err != nil {
			return ch, fmt.Errorf("check %s: schedule: %w", id, err)
		}
		e.job = job
		s.jobs[id] = e
	}
	ch.Added = len(fresh) - ch.Replaced
	return ch, nil
}

// schedule adds the gocron job of a check, first run on its phase.
func (s *Scheduler) schedule(e *entry) (gocron.Job, error) {
	id, interval := e.check.ID, e.check.Interval
	// gocron refuses a start time that has passed by the time it looks;
	// with thousands of jobs added in one go, a phase a few microseconds
	// ahead can pass. Then the next phase, one interval on, is used.
	first := FirstRun(time.Now().Add(time.Millisecond), id, interval)
	for range 2 {
		e.next.Store(first.UnixNano())
		job, err := s.cron.NewJob(
			gocron.DurationJob(interval),
			gocron.NewTask(s.run, e),
			gocron.WithStartAt(gocron.WithStartDateTime(first)),
			gocron.WithName(id),
		)
		if !errors.Is(err, gocron.ErrWithStartDateTimePast) {
			return job, err
		}
		first = first.Add(interval)
	}
	return nil, gocron.ErrWithStartDateTimePast
}

// Start begins running jobs.
func (s *Scheduler) Start() { s.cron.Start() }

// Shutdown stops scheduling, cancels probes in flight and waits for them,
// so that no result is handed on after it returns.
func (s *Scheduler) Shutdown() error {
	s.flightMu.Lock()
	s.closed = true
	s.flightMu.Unlock()
	s.close()
	err := s.cron.Shutdown()
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

func (s *Scheduler) run(e *entry) {
	now := time.Now()
	interval := e.check.Interval
	expected := e.next.Load()
	lag := time.Duration(now.UnixNano() - expected)
	// Advance the plan past now: skipped or very late runs must not make
	// every following run look late.
	next := expected + int64(interval)
	if next <= now.UnixNano() {
		behind := (now.UnixNano() - expected) / int64(interval)
		next = expected + (behind+1)*int64(interval)
	}
	e.next.Store(next)
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
	// Hand the probe to an idle worker, or start one: gocron runs each
	// task on a new goroutine, whose stack would grow anew for every
	// probe's TLS and HTTP calls. Workers keep their grown stacks. There
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
