package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"sync"
	"time"
)

// Page agreement: how long after the first instance's GET /status shows
// a component's new status the last one shows it too. The leader's
// engine makes the change; the others learn it from its feed.

// agreement flips the chosen checks' target to 500 and back, rounds
// times, and returns one lag per component and change.
func agreement(c *cluster, t *target, flips, rounds int, poll, limit time.Duration) ([]time.Duration, error) {
	var checks []int
	comps := map[string]int{}
	for k := range flips {
		i := k * c.checks / flips
		checks = append(checks, i)
		comps[fmt.Sprintf("c%d", i)] = len(comps)
	}
	var lags []time.Duration
	for r := range rounds {
		for _, fail := range []bool{true, false} {
			t.setFailing(checks, fail)
			got, err := awaitShown(c.nodes, comps, !fail, poll, limit)
			if err != nil {
				return lags, err
			}
			lags = append(lags, got...)
			q := quantiles(got)
			log.Printf("agreement %d/%d: %d components %s, lag max %v", r+1, rounds, len(comps), map[bool]string{true: "down", false: "up"}[fail], q.max)
		}
	}
	return lags, nil
}

// statusDoc is the part of GET /status the bench reads.
type statusDoc struct {
	Components []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"components"`
}

// awaitShown polls every node's GET /status every poll until each shows
// every component of comps OPERATIONAL (operational) or not, and returns
// for each component the time between the first node and the last
// showing it so.
func awaitShown(nodes []*instance, comps map[string]int, operational bool, poll, limit time.Duration) ([]time.Duration, error) {
	seen := make([][]time.Time, len(nodes)) // node → component → when first shown
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for n, in := range nodes {
		seen[n] = make([]time.Time, len(comps))
		wg.Go(func() { errs[n] = in.watch(comps, operational, seen[n], poll, limit) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	lags := make([]time.Duration, len(comps))
	for k := range comps {
		first, last := seen[0][comps[k]], seen[0][comps[k]]
		for n := range nodes {
			at := seen[n][comps[k]]
			if at.Before(first) {
				first = at
			}
			if at.After(last) {
				last = at
			}
		}
		lags[comps[k]] = last.Sub(first)
	}
	return lags, nil
}

// watch polls the node's /status until it has seen every component of
// comps in the wanted state, noting in seen when each first was. A body
// unchanged since the last poll (same ETag) costs a 304.
func (in *instance) watch(comps map[string]int, operational bool, seen []time.Time, poll, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	left := len(comps)
	etag := ""
	for left > 0 {
		if time.Now().After(deadline) {
			return fmt.Errorf("%s shows %d of %d flipped components unchanged after %v", in.name, left, len(comps), limit)
		}
		round := time.Now()
		req, _ := http.NewRequest(http.MethodGet, in.url("/status"), nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := quick.Do(req)
		if err != nil {
			return fmt.Errorf("%s GET /status: %w", in.name, err)
		}
		at := time.Now() // as the instance answered; the body follows
		if resp.StatusCode == http.StatusOK {
			var doc statusDoc
			err = json.NewDecoder(resp.Body).Decode(&doc)
			etag = resp.Header.Get("ETag")
			for _, comp := range doc.Components {
				k, ok := comps[comp.ID]
				if ok && seen[k].IsZero() && (comp.Status == "OPERATIONAL") == operational {
					seen[k] = at
					left--
				}
			}
		} else if resp.StatusCode != http.StatusNotModified {
			err = fmt.Errorf("%s", resp.Status)
		}
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("%s GET /status: %w", in.name, err)
		}
		time.Sleep(poll - time.Since(round))
	}
	return nil
}

// printAgreement writes the lags' quantiles.
func printAgreement(lags []time.Duration, instances, flips, rounds int, poll time.Duration) {
	fmt.Printf("page agreement: from the first to the last of %d instances whose GET /status shows a component's new status\n", instances)
	if len(lags) == 0 {
		fmt.Printf("  no samples\n")
		return
	}
	q := quantiles(lags)
	fmt.Printf("  lag                         p50 %v  p99 %v  max %v (%d samples: %d components down and up, %d times; polled every %v)\n",
		q.p50, q.p99, q.max, len(lags), flips, rounds, poll)
}
