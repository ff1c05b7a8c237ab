package api

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/up-status/up/auth"
	"github.com/up-status/up/config"
	"github.com/up-status/up/probe"
	"github.com/up-status/up/store"
)

// Pushes keeps the last report of every push check: a job that cannot be
// probed (a cron job, a backup) calls /push/<token>, and the check's
// prober, run by the scheduler at the check's interval like any other,
// turns the time since that report into a result. Reports live in
// memory only: after a restart every push check counts from the start
// and fails only once period + grace passed without a report.
// Tokens are kept as hashes and matched in constant time. A token
// rotated through the API replaces the configured one; the store keeps
// its hash, never the token.
type Pushes struct {
	now    func() time.Time
	tokens TokenStore

	// rotating serialises Rotate and Apply, which both read and write
	// the stored tokens.
	rotating sync.Mutex

	mu     sync.Mutex
	checks map[string]*pushState // by check id
}

// TokenStore keeps the hashes of rotated push tokens: store.Store's
// named values.
type TokenStore interface {
	Meta(ctx context.Context, key string) (string, error)
	SetMeta(ctx context.Context, key, value string) error
}

// pushState is one push check and what it last heard.
type pushState struct {
	// hash is the hash of the token that reports now: the configured
	// one's (configHash) or, once rotated, the new one's.
	hash, configHash []byte
	id, component    string
	name             string
	period, grace    time.Duration
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
// time.Now). tokens keeps rotated tokens; nil refuses rotation, as a
// cluster does, whose other instances would go on taking the old token.
func NewPushes(now func() time.Time, tokens TokenStore) *Pushes {
	if now == nil {
		now = time.Now
	}
	return &Pushes{now: now, tokens: tokens, checks: map[string]*pushState{}}
}

// pushTokenKey is the store's name for the rotated token of check id.
func pushTokenKey(id string) string { return "push_token:" + id }

// Apply makes the push checks those of checks, keeping what a check
// that kept its token has heard. A check whose token was rotated takes
// the rotated one, until the configuration names another token: the
// newer word wins. It fails, changing nothing, when the store cannot
// be read.
func (p *Pushes) Apply(ctx context.Context, checks []*config.Check) error {
	p.rotating.Lock()
	defer p.rotating.Unlock()
	type pending struct {
		st    *pushState
		stale bool // a rotation the configuration has since overridden
	}
	var all []pending
	for _, c := range checks {
		if c.Push == nil {
			continue
		}
		h := auth.Hash(string(c.Push.Token))
		st := &pushState{
			hash: h, configHash: h, id: c.ID, component: c.Component, name: c.Name,
			period: c.Push.Period, grace: c.Push.Grace,
		}
		stale := false
		if p.tokens != nil {
			v, err := p.tokens.Meta(ctx, pushTokenKey(c.ID))
			switch {
			case errors.Is(err, store.ErrNotFound):
			case err != nil:
				return fmt.Errorf("push check %s: reading its rotated token: %w", c.ID, err)
			case v != "":
				rotated, forConfig, ok := parseRotation(v)
				if ok && auth.Equal(forConfig, h) {
					st.hash = rotated
				} else {
					stale = true
				}
			}
		}
		all = append(all, pending{st, stale})
	}
	for _, pd := range all {
		if pd.stale {
			// Forgotten, so that going back to the older configured
			// token some day does not bring the rotation back.
			if err := p.tokens.SetMeta(ctx, pushTokenKey(pd.st.id), ""); err != nil {
				return fmt.Errorf("push check %s: forgetting its rotated token: %w", pd.st.id, err)
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	next := map[string]*pushState{}
	for _, pd := range all {
		st := pd.st
		st.since = now
		if old := p.checks[st.id]; old != nil && auth.Equal(old.hash, st.hash) {
			st.since, st.last, st.ok, st.msg, st.lastCall = old.since, old.last, old.ok, old.msg, old.lastCall
		}
		next[st.id] = st
	}
	p.checks = next
	return nil
}

// errNoPushCheck and errRotationOff are why Rotate refuses.
var (
	errNoPushCheck = errors.New("no push check has this id")
	errRotationOff = errors.New("push tokens are rotated in the configuration file here")
)

// Rotate gives push check id a new token, returned once: from now on
// only it is taken, the configured one is refused, and what the check
// heard so far stands. Its hash is stored first, so that a token
// handed out survives a restart.
func (p *Pushes) Rotate(ctx context.Context, id string) (string, error) {
	if p.tokens == nil {
		return "", errRotationOff
	}
	p.rotating.Lock()
	defer p.rotating.Unlock()
	p.mu.Lock()
	st := p.checks[id]
	var configHash []byte
	if st != nil {
		configHash = st.configHash
	}
	p.mu.Unlock()
	if st == nil {
		return "", errNoPushCheck
	}
	token := auth.NewToken()
	h := auth.Hash(token)
	if err := p.tokens.SetMeta(ctx, pushTokenKey(id), hex.EncodeToString(h)+" "+hex.EncodeToString(configHash)); err != nil {
		return "", fmt.Errorf("push check %s: storing its new token: %w", id, err)
	}
	p.mu.Lock()
	st.hash, st.lastCall = h, time.Time{}
	p.mu.Unlock()
	return token, nil
}

// parseRotation reads a stored rotation: the new token's hash and the
// hash of the configured token it replaced.
func parseRotation(v string) (rotated, forConfig []byte, ok bool) {
	a, b, found := strings.Cut(v, " ")
	r, err1 := hex.DecodeString(a)
	f, err2 := hex.DecodeString(b)
	if !found || err1 != nil || err2 != nil || len(r) == 0 || len(f) == 0 {
		return nil, nil, false
	}
	return r, f, true
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

// rotatedToken is the answer to a rotation: the only time the token is
// shown.
type rotatedToken struct {
	Check string `json:"check"`
	Token string `json:"token"`
	URL   string `json:"url"`
}

// rotatePushToken answers POST /checks/{id}/push-token: a new token for
// the push check, in this answer and never again.
func (s *Server) rotatePushToken(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := checkID("id", id); err != nil {
		return err
	}
	if s.pushes == nil {
		return notFoundf("no push check %q", id)
	}
	token, err := s.pushes.Rotate(r.Context(), id)
	switch {
	case errors.Is(err, errNoPushCheck):
		return notFoundf("no push check %q", id)
	case errors.Is(err, errRotationOff):
		return conflictf("in a cluster, a push token is changed in the configuration file (push.token), the same on every instance")
	case err != nil:
		return err
	}
	return writeJSON(w, http.StatusOK, rotatedToken{Check: id, Token: token, URL: s.page.URL + "/push/" + token})
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
