package main

import (
	"fmt"
	"log"
	"slices"
	"sync"
	"syscall"
	"time"
)

// Failover: how long the cluster goes without a leader when the leader
// is killed (kill -9: the lease must run out) or stopped (SIGTERM: it
// hands the lease over), timed from the signal to the first /metrics of
// another instance that says uptime_cluster_leader 1.

// takeovers are the times measured, and how long a /metrics scrape took
// meanwhile: the resolution of those times.
type takeovers struct {
	kill, term []time.Duration
	scrapes    []time.Duration
}

// failovers runs tries rounds of: kill -9 the leader, time the takeover,
// restart the killed instance; SIGTERM the leader, time the takeover,
// restart it. Before each it waits for the cluster to be steady again.
func failovers(c *cluster, tries int, poll, steadyLimit time.Duration) (*takeovers, error) {
	res := &takeovers{}
	for i := range tries {
		for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
			leader, err := c.awaitSteady(steadyLimit)
			if err != nil {
				return res, err
			}
			d, err := c.takeover(leader, sig, poll, res)
			if err != nil {
				return res, err
			}
			log.Printf("failover %d/%d: %s of %s: a new leader after %v", i+1, tries, map[syscall.Signal]string{syscall.SIGKILL: "kill -9", syscall.SIGTERM: "SIGTERM"}[sig], leader.name, d.Round(time.Millisecond))
			if sig == syscall.SIGKILL {
				res.kill = append(res.kill, d)
			} else {
				res.term = append(res.term, d)
			}
			if _, err := c.add(); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// takeoverLimit bounds one takeover: the lease (15 s) runs out, then a
// follower's next try (every 4 to 6 s) takes it, on a busy machine.
const takeoverLimit = time.Minute

// takeover sends sig to leader and scrapes the other instances until one
// of them leads; it returns the time from the signal to the response
// that said so, and leaves the old leader gone from c.
func (c *cluster) takeover(leader *instance, sig syscall.Signal, poll time.Duration, res *takeovers) (time.Duration, error) {
	others := slices.DeleteFunc(slices.Clone(c.nodes), func(in *instance) bool { return in == leader })
	start := time.Now()
	_ = leader.cmd.Process.Signal(sig)
	defer func() {
		// SIGTERM: it may still be handing over; it must be gone before
		// its replacement starts.
		if err := leader.terminate(30 * time.Second); err != nil {
			log.Print(err)
		}
		c.remove(leader)
	}()
	var lastErr error
	for time.Since(start) < takeoverLimit {
		round := time.Now()
		var mu sync.Mutex
		var seen []time.Time
		var wg sync.WaitGroup
		for _, in := range others {
			wg.Go(func() {
				t0 := time.Now()
				leads, err := in.leads()
				at := time.Now()
				mu.Lock()
				defer mu.Unlock()
				res.scrapes = append(res.scrapes, at.Sub(t0))
				if err != nil {
					lastErr = err
				} else if leads {
					seen = append(seen, at)
				}
			})
		}
		wg.Wait()
		if len(seen) > 0 {
			return slices.MinFunc(seen, func(a, b time.Time) int { return a.Compare(b) }).Sub(start), nil
		}
		time.Sleep(poll - time.Since(round))
	}
	return 0, fmt.Errorf("no other instance leads %v after %v of %s (last error: %v)", takeoverLimit, sig, leader.name, lastErr)
}

// print writes min, median and max of each kind of takeover.
func (t *takeovers) print(leaderPoll time.Duration) {
	fmt.Printf("failover: from the signal to another instance's /metrics saying uptime_cluster_leader 1\n")
	line := func(what string, ds []time.Duration) {
		if len(ds) == 0 {
			fmt.Printf("  %-26s no samples\n", what)
			return
		}
		q := quantiles(ds)
		fmt.Printf("  %-26s min %v  median %v  max %v (%d tries)\n", what, q.min, q.p50, q.max, len(ds))
	}
	line("kill -9 of the leader", t.kill)
	line("SIGTERM of the leader", t.term)
	if len(t.scrapes) > 0 {
		q := quantiles(t.scrapes)
		fmt.Printf("  resolution                 a scrape every %v at most, taking median %v, max %v\n", leaderPoll, q.p50, q.max)
	}
}

// spread is a few quantiles of a sample, rounded to the millisecond.
type spread struct{ min, p50, p99, max time.Duration }

func quantiles(ds []time.Duration) spread {
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(p float64) time.Duration {
		return s[min(len(s)-1, int(p*float64(len(s))))].Round(time.Millisecond)
	}
	return spread{min: s[0].Round(time.Millisecond), p50: at(0.5), p99: at(0.99), max: s[len(s)-1].Round(time.Millisecond)}
}
