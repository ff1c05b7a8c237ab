package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The cost of a probe: CPU of the up processes over a window against the
// probes that reached the target in it, and what the database did.

// window is what one measuring window saw.
type window struct {
	length    time.Duration
	processes int
	probes    int64
	cpu       time.Duration // the up processes', user+system
	pgCPU     time.Duration // PostgreSQL's processes'; 0 on SQLite
	db        *dbDelta      // nil on SQLite
}

// dbDelta is what the database counted over a window.
type dbDelta struct {
	commits, rollbacks int64
	written            int64 // rows inserted, updated and deleted
	calls, rows        int64 // pg_stat_statements; 0 when it is not loaded
	top                []statement
}

// measure samples CPU, probes and the database's counters at the start
// and the end of length. db may be nil. Every process must live
// through the window.
func measure(ctx context.Context, pids []int, t *target, db *database, length time.Duration) (window, error) {
	w := window{length: length, processes: len(pids)}
	cpu := func() (time.Duration, error) {
		var sum time.Duration
		for _, pid := range pids {
			c, err := processCPU(pid)
			if err != nil {
				return 0, fmt.Errorf("up (pid %d) ended during the window: %w", pid, err)
			}
			sum += c
		}
		return sum, nil
	}
	var before dbCounters
	var pgBefore time.Duration
	if db != nil {
		if err := db.resetStatements(ctx); err != nil {
			return w, err
		}
		var err error
		if before, err = db.counters(ctx); err != nil {
			return w, err
		}
		if pgBefore, err = db.cpu(); err != nil {
			return w, err
		}
	}
	cpuBefore, err := cpu()
	if err != nil {
		return w, err
	}
	probesBefore := t.probes.Load()
	start := time.Now()

	time.Sleep(length)

	cpuAfter, err := cpu()
	if err != nil {
		return w, err
	}
	w.probes = t.probes.Load() - probesBefore
	w.length = time.Since(start)
	w.cpu = cpuAfter - cpuBefore
	if db != nil {
		pgAfter, err := db.cpu()
		if err != nil {
			return w, err
		}
		w.pgCPU = pgAfter - pgBefore
		after, err := db.counters(ctx)
		if err != nil {
			return w, err
		}
		w.db = &dbDelta{
			commits:   after.commits - before.commits,
			rollbacks: after.rollbacks - before.rollbacks,
			written:   (after.inserted + after.updated + after.deleted) - (before.inserted + before.updated + before.deleted),
			calls:     after.statementCalls,
			rows:      after.statementRows,
			top:       after.topStatements,
		}
	}
	return w, nil
}

// perProbe is CPU milliseconds per probe.
func perProbe(cpu time.Duration, probes int64) float64 {
	if probes == 0 {
		return 0
	}
	return float64(cpu.Microseconds()) / 1000 / float64(probes)
}

// print writes the window's figures; checks scales the database's.
func (w window) print(title string, checks int, interval time.Duration) {
	secs := w.length.Seconds()
	expected := float64(checks) * secs / interval.Seconds()
	fmt.Printf("%s, %v window\n", title, w.length.Round(time.Second))
	fmt.Printf("  probes made / expected      %d / %.0f (%.1f%%, counted at the target)\n", w.probes, expected, 100*float64(w.probes)/expected)
	fmt.Printf("  CPU per probe               %.3f ms (user+sys of %d up processes: %v)\n",
		perProbe(w.cpu, w.probes), w.processes, w.cpu.Round(10*time.Millisecond))
	if w.db == nil {
		return
	}
	fmt.Printf("  ... with PostgreSQL's       %.3f ms (its processes: %v)\n",
		perProbe(w.cpu+w.pgCPU, w.probes), w.pgCPU.Round(10*time.Millisecond))
	per1k := func(n int64) string {
		return fmt.Sprintf("%7.1f/s  (%.1f/s per 1 000 checks)", float64(n)/secs, float64(n)/secs*1000/float64(checks))
	}
	fmt.Printf("  transactions committed      %s; %d rolled back\n", per1k(w.db.commits), w.db.rollbacks)
	fmt.Printf("  rows written                %s (inserted+updated+deleted)\n", per1k(w.db.written))
	if w.db.calls == 0 {
		fmt.Printf("  statements                  not counted (pg_stat_statements is not loaded)\n")
		return
	}
	fmt.Printf("  statements                  %s (pg_stat_statements, BEGIN and COMMIT included)\n", per1k(w.db.calls))
	for _, s := range w.db.top {
		fmt.Printf("    %8.1f/s  %s\n", float64(s.calls)/secs, oneLine(s.query, 90))
	}
}

// oneLine squeezes a statement's whitespace and cuts it at n bytes.
func oneLine(q string, n int) string {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > n {
		q = q[:n-1] + "…"
	}
	return q
}
