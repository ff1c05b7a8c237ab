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

// agreed are the lags measured, one per component and change, and how
// long each GET /status took meanwhile: the resolution of those lags.
type agreed struct {
	lags, requests []time.Duration
}

// agreement flips the chosen checks' target to 500 and back, rounds
// times, and measures each change.
func agreement(c *cluster, t *target, flips, rounds int, poll, limit time.Duration) (*agreed, error) {
	var checks []int
	comps := map[string]int{}
	for k := range flips {
		i := k * c.checks / flips
		checks = append(checks, i)
		comps[fmt.Sprintf("c%d", i)] = len(comps)
	}
	res := &agreed{}
	for r := range rounds {
		for _, fail := range []bool{true, false} {
			t.setFailing(checks, fail)
			got, err := awaitShown(c.nodes, comps, !fail, poll, limit, res)
			if err != nil {
				return res, err
			}
			res.lags = append(res.lags, got...)
			q := quantiles(got)
			log.Printf("agreement %d/%d: %d components %s, lag max %v", r+1, rounds, len(comps), map[bool]string{true: "down", false: "up"}[fail], q.max)
		}
	}
	return res, nil
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
func awaitShown(nodes []*instance, comps map[string]int, operational bool, poll, limit time.Duration, res *agreed) ([]time.Duration, error) {
	seen := make([][]time.Time, len(nodes)) // node → component → when first shown
	took := make([][]time.Duration, len(nodes))
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for n, in := range nodes {
		seen[n] = make([]time.Time, len(comps))
		wg.Go(func() { took[n], errs[n] = in.watch(comps, operational, seen[n], poll, limit) })
	}
	wg.Wait()
	for n, err := range errs {
		if err != nil {
			return nil, err
		}
		res.requests = append(res.requests, took[n]...)
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
// unchanged since the last poll (same ETag) costs a 304. It returns how
// long each request took, its body read.
func (in *instance) watch(comps map[string]int, operational bool, seen []time.Time, poll, limit time.Duration) ([]time.Duration, error) {
	var took []time.Duration
	deadline := time.Now().Add(limit)
	left := len(comps)
	etag := ""
	for left > 0 {
		if time.Now().After(deadline) {
			return took, fmt.Errorf("%s shows %d of %d flipped components unchanged after %v", in.name, left, len(comps), limit)
		}
		round := time.Now()
		req, _ := http.NewRequest(http.MethodGet, in.url("/status"), nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := quick.Do(req)
		if err != nil {
			return took, fmt.Errorf("%s GET /status: %w", in.name, err)
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
			return took, fmt.Errorf("%s GET /status: %w", in.name, err)
		}
		took = append(took, time.Since(round))
		time.Sleep(poll - time.Since(round))
	}
	return took, nil
}

// print writes the lags' quantiles.
func (a *agreed) print(instances, flips, rounds int, poll time.Duration) {
	fmt.Printf("page agreement: from the first to the last of %d instances whose GET /status shows a component's new status\n", instances)
	if len(a.lags) == 0 {
		fmt.Printf("  no samples\n")
		return
	}
	q := quantiles(a.lags)
	fmt.Printf("  lag                         p50 %v  p99 %v  max %v (%d samples: %d components down and up, %d times)\n",
		q.p50, q.p99, q.max, len(a.lags), flips, rounds)
	r := quantiles(a.requests)
	fmt.Printf("  resolution                  a GET /status every %v at most, taking median %v, p99 %v (body read and decoded)\n", poll, r.p50, r.p99)
}
