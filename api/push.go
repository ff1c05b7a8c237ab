package api

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/up-status/up/auth"
	"github.com/up-status/up/config"
	"github.com/up-status/up/probe"
)

// Pushes keeps the last report of every push check: a job that cannot be
// probed (a cron job, a backup) calls /push/<token>, and the check's
// prober, run by the scheduler at the check's interval like any other,
// turns the time since that report into a result. Reports live in
// memory only: after a restart every push check counts from the start
// and fails only once period + grace passed without a report.
// Tokens are kept as hashes and matched in constant time.
type Pushes struct {
	now func() time.Time

	mu     sync.Mutex
	checks map[string]*pushState // by check id
}

// pushState is one push check and what it last heard.
type pushState struct {
	hash          []byte
	id, component string
	name          string
	period, grace time.Duration
	// since is when up began to wait for reports of this check.
	since time.Time
	// last is when the last report came (zero: none since start), ok
	// and msg what it said.
	last time.Time
	ok   bool
	msg  string
	// lastCall is when the push route last took a report, for its rate
	// limit.
	lastCall time.Time
}

// pushEvery is the rate limit of the push route, per check: a job
// reports once a run, so anything faster is a loop gone wrong.
const pushEvery = time.Second

// maxPushMessage caps the message a failure report carries; it becomes
// the check's error on the page and in incidents.
const maxPushMessage = 200

// NewPushes returns an empty set of push checks on the clock now (nil:
// time.Now).
func NewPushes(now func() time.Time) *Pushes {
	if now == nil {
		now = time.Now
	}
	return &Pushes{now: now, checks: map[string]*pushState{}}
}

// Apply makes the push checks those of checks, keeping what a check
// that kept its token has heard.
func (p *Pushes) Apply(checks []*config.Check) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	next := map[string]*pushState{}
	for _, c := range checks {
		if c.Push == nil {
			continue
		}
		st := &pushState{
			hash: auth.Hash(string(c.Push.Token)), id: c.ID, component: c.Component, name: c.Name,
			period: c.Push.Period, grace: c.Push.Grace, since: now,
		}
		if old := p.checks[c.ID]; old != nil && auth.Equal(old.hash, st.hash) {
			st.since, st.last, st.ok, st.msg, st.lastCall = old.since, old.last, old.ok, old.msg, old.lastCall
		}
		next[c.ID] = st
	}
	p.checks = next
}

// pushOutcome is what the push route makes of a report.
type pushOutcome int

const (
	pushTaken pushOutcome = iota
	pushUnknown
	pushTooFast
)

// record takes a report for the check whose token it is. Every check's
// hash is compared, so the time taken says nothing about which token,
// or how much of one, was right.
func (p *Pushes) record(token string, ok bool, msg string) (probe.Result, pushOutcome) {
	h := auth.Hash(token)
	p.mu.Lock()
	defer p.mu.Unlock()
	var st *pushState
	for _, s := range p.checks {
		if auth.Equal(s.hash, h) {
			st = s
		}
	}
	if st == nil {
		return probe.Result{}, pushUnknown
	}
	now := p.now()
	if !st.lastCall.IsZero() && now.Sub(st.lastCall) < pushEvery {
		return probe.Result{}, pushTooFast
	}
	st.lastCall, st.last, st.ok, st.msg = now, now, ok, msg
	return st.result(now), pushTaken
}

// result is the check's state at now as a probe result.
func (st *pushState) result(now time.Time) probe.Result {
	r := probe.Result{
		CheckID: st.id, Component: st.component, Check: st.name,
		Type: "push", Target: config.PushTarget, Start: now, Success: true,
	}
	limit := st.period + st.grace
	switch {
	case st.last.IsZero() && now.Sub(st.since) > limit:
		r.Success = false
		r.Err = "no push for " + shortDuration(now.Sub(st.since)) + " since up started (period " +
			shortDuration(st.period) + ", grace " + shortDuration(st.grace) + ")"
	case st.last.IsZero():
		// Waiting for the first report after a start: no news yet, as
		// for a job whose last report came just before.
	case now.Sub(st.last) > limit:
		r.Success = false
		r.Err = "no push for " + shortDuration(now.Sub(st.last)) + " (period " +
			shortDuration(st.period) + ", grace " + shortDuration(st.grace) + ")"
	case !st.ok:
		r.Success = false
		r.Err = "the job reported a failure"
		if st.msg != "" {
			r.Err += ": " + st.msg
		}
	}
	return r
}

// shortDuration prints d to the second without zero units: 25h, 1h30m,
// 1m5s.
func shortDuration(d time.Duration) string {
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Prober is the prober of push check c, for the scheduler: each run
// reports on the check's last push.
func (p *Pushes) Prober(c *config.Check) probe.Prober {
	return pushProber{pushes: p, id: c.ID}
}

type pushProber struct {
	pushes *Pushes
	id     string
}

// Probe reports on the last push. A check removed by a reload while
// its run was under way reports nothing new: a success.
func (pp pushProber) Probe(context.Context) probe.Result {
	p := pp.pushes
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	st := p.checks[pp.id]
	if st == nil {
		return probe.Result{CheckID: pp.id, Type: "push", Target: config.PushTarget, Start: now, Success: true}
	}
	return st.result(now)
}

type pushView struct {
	Check  string `json:"check"`
	Status string `json:"status"`
}

// push answers GET and POST /push/{token}: a report of a push check's
// job, a success unless ?status=fail (with ?msg=). It needs no API
// token: the push token is the credential. Unknown tokens get 404, and
// more than one report a second for a check 429.
func (s *Server) push(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ok := true
	switch q.Get("status") {
	case "", "ok", "success":
	case "fail", "failure", "error":
		ok = false
	default:
		return badRequest("status must be ok or fail")
	}
	msg := pushMessage(q.Get("msg"))
	if s.pushes == nil {
		return notFoundf("no push check has this token")
	}
	res, outcome := s.pushes.record(r.PathValue("token"), ok, msg)
	switch outcome {
	case pushUnknown:
		return notFoundf("no push check has this token")
	case pushTooFast:
		w.Header().Set("Retry-After", "1")
		return errorf(http.StatusTooManyRequests, "at most one push a second per check")
	}
	if s.observe != nil {
		s.observe(res)
	}
	v := pushView{Check: res.CheckID, Status: "ok"}
	if !ok {
		v.Status = "fail"
	}
	return writeJSON(w, http.StatusOK, v)
}

// pushMessage keeps a report's message to one line of printable text.
func pushMessage(m string) string {
	m = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, m)
	m = strings.TrimSpace(m)
	if len(m) > maxPushMessage {
		cut := maxPushMessage
		for cut > 0 && !utf8Start(m[cut]) {
			cut--
		}
		m = m[:cut] + "…"
	}
	return m
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
