package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/up-status/up/internal/testenv"
	"github.com/up-status/up/store"
)

func TestDeliverHeadersAndSignature(t *testing.T) {
	h := newHarness(t, Config{})
	signed := newReceiver(t, h.clock, nil)
	plain := newReceiver(t, h.clock, nil)
	h.subscribe("signed", signed.URL+"/hook?key=abc", "s3cret")
	h.subscribe("plain", plain.URL, "")

	for name, ev := range shapes() {
		ds := h.enqueue(ev)
		for _, r := range []*receiver{signed, plain} {
			got := r.next(t)
			var want store.Delivery
			for _, d := range ds {
				if got.delivery() == d.ID {
					want = d
				}
			}
			if want.ID == "" {
				t.Fatalf("%s: X-Up-Delivery %q is none of the planned IDs", name, got.delivery())
			}
			if !bytes.Equal(got.Body, want.Payload) {
				t.Errorf("%s: body differs from the planned payload", name)
			}
			for k, v := range map[string]string{
				"Content-Type": "application/json",
				"User-Agent":   "up/1.2.3",
				"X-Up-Event":   name,
			} {
				if got.Header.Get(k) != v {
					t.Errorf("%s: %s = %q, want %q", name, k, got.Header.Get(k), v)
				}
			}
			sig := got.Header.Get("X-Up-Signature")
			if r == plain {
				if sig != "" {
					t.Errorf("%s: signature %q without a secret", name, sig)
				}
				continue
			}
			mac := hmac.New(sha256.New, []byte("s3cret"))
			mac.Write(got.Body)
			if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); sig != want {
				t.Errorf("%s: X-Up-Signature %q, want %q", name, sig, want)
			}
			if !Verify("s3cret", got.Body, sig) || Verify("other", got.Body, sig) {
				t.Errorf("%s: Verify disagrees with the signature", name)
			}
		}
		for _, d := range ds {
			testenv.Eventually(t, waitLong, "delivered state", func() bool { return h.delivery(d.ID).State == store.Delivered })
			if got := h.delivery(d.ID); got.Attempts != 1 || got.LastError != "" || !got.LastAttempt.Equal(t0) {
				t.Errorf("%s: stored %+v", name, got)
			}
		}
	}
}

func TestBackoffSchedule(t *testing.T) {
	h := newHarness(t, Config{QuarantineAfter: 48 * time.Hour})
	r := newReceiver(t, h.clock, status500)
	h.subscribe("flaky", r.URL, "")
	ds := h.enqueue(incidentEvent())

	const failures = 14 // 1s … 512s, then four at the 10 min cap
	var hits []hit
	for i := range failures {
		hits = append(hits, r.next(t))
		if i < failures-1 {
			h.clock.AdvanceToTimer(t, 10*time.Minute, waitLong)
		}
	}
	// Then the receiver recovers, once the last failure is recorded.
	h.waitRetries(1)
	r.setRespond(nil)
	h.clock.AdvanceToTimer(t, 10*time.Minute, waitLong)
	hits = append(hits, r.next(t))

	jittered := false
	for i := 1; i < len(hits); i++ {
		nominal := min(time.Second<<(i-1), 10*time.Minute)
		gap := hits[i].At.Sub(hits[i-1].At)
		if gap > nominal || gap < nominal-nominal/5 {
			t.Errorf("gap before attempt %d: %v, want in [%v, %v]", i+1, gap, nominal-nominal/5, nominal)
		}
		jittered = jittered || gap != nominal
	}
	if !jittered {
		t.Error("no jitter in any delay")
	}
	for _, x := range hits {
		if x.delivery() != ds[0].ID {
			t.Fatalf("X-Up-Delivery changed across retries: %q, want %q", x.delivery(), ds[0].ID)
		}
	}
	testenv.Eventually(t, waitLong, "delivered", func() bool { return h.delivery(ds[0].ID).State == store.Delivered })
	if got := h.delivery(ds[0].ID); got.Attempts != failures+1 {
		t.Errorf("attempts %d, want %d", got.Attempts, failures+1)
	}
	// The failing streak is over.
	testenv.Eventually(t, waitLong, "streak cleared", func() bool { return h.subscriber("flaky").FailingSince.IsZero() })
}

func TestBackoffBounds(t *testing.T) {
	d, err := New(Config{Planner: testPlanner}, newTestStore(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 100; n++ {
		nominal := 10 * time.Minute
		if n < 11 {
			nominal = time.Second << (n - 1)
		}
		for range 20 {
			if got := d.backoff(n); got > nominal || got <= nominal-nominal/5 {
				t.Fatalf("backoff(%d) = %v, want in (%v, %v]", n, got, nominal-nominal/5, nominal)
			}
		}
	}
}

func TestDeadAfterADay(t *testing.T) {
	h := newHarness(t, Config{QuarantineAfter: 48 * time.Hour})
	r := newReceiver(t, h.clock, status500)
	h.subscribe("down", r.URL, "")
	ds := h.enqueue(componentEvents(2)...)
	first, second := ds[0], ds[1]

	deadline := first.CreatedAt.Add(24 * time.Hour)
	var last hit
	for i := 0; ; i++ {
		if i > 400 {
			t.Fatal("not dead after 400 attempts")
		}
		last = r.next(t)
		if last.delivery() != first.ID {
			break // the second delivery starts once the first is given up
		}
		if !last.At.Before(deadline) {
			// The final attempt is made exactly at the deadline.
			if !last.At.Equal(deadline) {
				t.Errorf("last attempt at %v, want %v", last.At, deadline)
			}
			continue
		}
		h.clock.AdvanceToTimer(t, 10*time.Minute, waitLong)
	}
	if last.delivery() != second.ID || !last.At.Equal(deadline) {
		t.Fatalf("after the give-up got %q at %v, want the second delivery %q at once", last.delivery(), last.At, second.ID)
	}
	got := h.delivery(first.ID)
	if got.State != store.Dead || !strings.Contains(got.LastError, "HTTP 500") || !got.LastAttempt.Equal(deadline) {
		t.Errorf("first delivery %+v, want dead at %v with HTTP 500", got, deadline)
	}
	// The second one is as old: one attempt, then given up too.
	testenv.Eventually(t, waitLong, "second dead", func() bool { return h.delivery(second.ID).State == store.Dead })
	if got := h.delivery(second.ID); got.Attempts != 1 {
		t.Errorf("second delivery: %d attempts, want 1", got.Attempts)
	}
	dead, _ := h.st.Deliveries(h.ctx, store.Dead, 10)
	if len(dead) != 2 {
		t.Errorf("Deliveries(dead) = %v", dead)
	}
	wantMetrics(t, h.reg, map[string]float64{
		`uptime_webhook_deliveries_total{event="component",result="dead",subscriber="down"}`: 2,
		`uptime_webhook_queue_depth{subscriber="down"}`:                                      0,
	})

	// Dead deliveries are kept and can be replayed, with their IDs, once
	// the receiver is back.
	r.setRespond(nil)
	for _, d := range []store.Delivery{second, first} {
		if err := h.st.Replay(h.ctx, d.ID, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
		h.d.Notify()
		if x := r.next(t); x.delivery() != d.ID {
			t.Fatalf("replay: got %q, want %q", x.delivery(), d.ID)
		}
		testenv.Eventually(t, waitLong, "replayed delivery delivered", func() bool { return h.delivery(d.ID).State == store.Delivered })
	}
}

func TestGoneUnsubscribes(t *testing.T) {
	h := newHarness(t, Config{})
	r := newReceiver(t, h.clock, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) })
	h.subscribe("leaving", r.URL, "")
	ds := h.enqueue(componentEvents(3)...)

	if x := r.next(t); x.delivery() != ds[0].ID {
		t.Fatalf("first request %q", x.delivery())
	}
	testenv.Eventually(t, waitLong, "subscriber disabled", func() bool { return h.subscriber("leaving").Disabled })
	for _, d := range ds {
		testenv.Eventually(t, waitLong, "deliveries dropped", func() bool { return h.delivery(d.ID).State == store.Dropped })
	}
	r.none(t, 100*time.Millisecond)
	if got := h.d.Plan(componentEvents(1), []store.Subscriber{h.subscriber("leaving")}, t0); len(got) != 0 {
		t.Errorf("planned %d deliveries for an unsubscribed receiver", len(got))
	}
	wantMetrics(t, h.reg, map[string]float64{
		`uptime_webhook_deliveries_total{event="component",result="gone",subscriber="leaving"}`: 1,
		`uptime_webhook_queue_depth{subscriber="leaving"}`:                                      0,
	})
}

func TestPerSubscriberOrder(t *testing.T) {
	h := newHarness(t, Config{})
	var calls atomic.Int32
	r := newReceiver(t, h.clock, func(w http.ResponseWriter, req *http.Request) {
		if calls.Add(1) <= 3 {
			status500(w, req)
		}
	})
	h.subscribe("ordered", r.URL, "")
	ds := h.enqueue(componentEvents(3)...)
	ds = append(ds, h.enqueue(componentEvents(3)...)...) // a second engine step

	var got []string
	for range 3 {
		got = append(got, r.next(t).delivery())
		// Nothing else moves while the head waits for its retry.
		r.none(t, 20*time.Millisecond)
		h.clock.AdvanceToTimer(t, 10*time.Minute, waitLong)
	}
	for range len(ds) {
		got = append(got, r.next(t).delivery())
	}
	want := []string{ds[0].ID, ds[0].ID, ds[0].ID}
	for _, d := range ds {
		want = append(want, d.ID)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("order:\n got %v\nwant %v", got, want)
	}
}

func TestQuarantine(t *testing.T) {
	h := newHarness(t, Config{})
	r := newReceiver(t, h.clock, status500)
	h.subscribe("broken", r.URL, "")
	first := h.enqueue(incidentEvent())[0]

	start := r.next(t).At
	quarantined := func() bool { return !h.subscriber("broken").QuarantinedAt.IsZero() }
	for i := 0; ; i++ {
		if i > 30 {
			t.Fatal("not quarantined after 30 attempts")
		}
		// The attempt is settled once the worker waits for its retry or
		// has quarantined the subscriber.
		testenv.Eventually(t, waitLong, "attempt settled", func() bool { return quarantined() || h.clock.hasTimerWithin(10*time.Minute) })
		if quarantined() {
			break
		}
		h.clock.AdvanceToTimer(t, 10*time.Minute, waitLong)
		r.next(t)
	}
	s := h.subscriber("broken")
	if s.QuarantinedAt.Sub(start) < time.Hour || s.QuarantinedAt.Sub(start) > time.Hour+10*time.Minute {
		t.Errorf("quarantined %v after the first failure, want about an hour", s.QuarantinedAt.Sub(start))
	}
	if !s.FailingSince.Equal(start) {
		t.Errorf("FailingSince %v, want %v", s.FailingSince, start)
	}

	// No attempts while quarantined, though time passes and new
	// webhooks are queued (not dropped).
	testenv.Eventually(t, waitLong, "worker stopped", func() bool { return !h.clock.hasTimerWithin(10 * time.Minute) })
	h.clock.Advance(2 * time.Hour)
	second := h.enqueue(incidentEvent())[0]
	r.none(t, 100*time.Millisecond)
	if st := h.delivery(second.ID).State; st != store.Pending {
		t.Fatalf("new delivery for a quarantined subscriber is %s, want pending", st)
	}

	// Cleared: the queue resumes in order. The first delivery is older
	// than a day by now; it gets its one last attempt.
	r.setRespond(nil)
	if err := h.d.Resume(h.ctx, "broken"); err != nil {
		t.Fatal(err)
	}
	if x := r.next(t); x.delivery() != first.ID {
		t.Fatalf("after resume got %q, want the oldest %q", x.delivery(), first.ID)
	}
	if x := r.next(t); x.delivery() != second.ID {
		t.Fatalf("after resume got %q, want %q", x.delivery(), second.ID)
	}
	testenv.Eventually(t, waitLong, "streak cleared", func() bool {
		s := h.subscriber("broken")
		return s.QuarantinedAt.IsZero() && s.FailingSince.IsZero()
	})
}

// misbehaving receivers: each must be retried per policy while a healthy
// subscriber gets all its webhooks.
func TestBadReceiverDoesNotBlockOthers(t *testing.T) {
	cases := []struct {
		name    string
		respond func(t *testing.T, release <-chan struct{}) http.HandlerFunc
		lastErr string
	}{
		{"500", func(*testing.T, <-chan struct{}) http.HandlerFunc { return status500 }, "HTTP 500: boom"},
		{"hang", func(_ *testing.T, release <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-release:
				case <-r.Context().Done():
				}
			}
		}, "Client.Timeout exceeded"},
		{"reset", func(t *testing.T, _ <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				conn, _, err := http.NewResponseController(w).Hijack()
				if err != nil {
					t.Error(err)
					return
				}
				conn.(*net.TCPConn).SetLinger(0) // RST, not FIN
				conn.Close()
			}
		}, "connection reset"},
		{"redirect", func(*testing.T, <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/elsewhere", http.StatusFound)
			}
		}, "HTTP 302 (redirects are not followed)"},
		{"huge body", func(*testing.T, <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusServiceUnavailable)
				streamJunk(w, 1<<30)
			}
		}, "HTTP 503: xxxxxxxx"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, Config{Timeout: 300 * time.Millisecond})
			release := make(chan struct{})
			var inFlight atomic.Int32
			respond := c.respond(t, release)
			bad := newReceiver(t, h.clock, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/elsewhere" {
					t.Error("redirect followed")
				}
				inFlight.Add(1)
				defer inFlight.Add(-1)
				respond(w, r)
			})
			t.Cleanup(func() { close(release) }) // before bad.Close, which waits for handlers
			good := newReceiver(t, h.clock, nil)
			h.subscribe("bad", bad.URL, "")
			h.subscribe("good", good.URL, "")

			ds := h.enqueue(componentEvents(10)...)
			var badIDs, goodIDs []string
			for _, d := range ds {
				if d.Subscriber == "bad" {
					badIDs = append(badIDs, d.ID)
				} else {
					goodIDs = append(goodIDs, d.ID)
				}
			}
			first := bad.next(t)
			for i, id := range goodIDs {
				if got := good.next(t).delivery(); got != id {
					t.Fatalf("healthy receiver: webhook %d is %q, want %q", i, got, id)
				}
			}
			if c.name == "hang" && inFlight.Load() != 1 {
				t.Error("healthy receiver was served only after the hanging one gave up")
			}

			// The bad head is retried after about a second, with its ID;
			// the rest of its queue waits.
			testenv.Eventually(t, waitLong, "first attempt recorded", func() bool { return h.delivery(badIDs[0]).Attempts == 1 })
			d := h.delivery(badIDs[0])
			if d.State != store.Pending || !strings.Contains(d.LastError, c.lastErr) {
				t.Errorf("after one attempt: state %s, error %q, want pending with %q", d.State, d.LastError, c.lastErr)
			}
			// The store keeps whole milliseconds, so the stored gap may be
			// a millisecond off the planned one on either side.
			if wait := d.NextAttempt.Sub(d.LastAttempt); wait < 799*time.Millisecond || wait > time.Second+time.Millisecond {
				t.Errorf("retry in %v, want about (0.8s, 1s]", wait)
			}
			if strings.Contains(d.LastError, bad.URL) {
				t.Errorf("LastError shows the subscriber URL: %q", d.LastError)
			}
			if moved := h.clock.AdvanceToTimer(t, 10*time.Minute, waitLong); moved > time.Second {
				t.Errorf("clock moved %v to the retry", moved)
			}
			if second := bad.next(t); second.delivery() != first.delivery() || first.delivery() != badIDs[0] {
				t.Errorf("retry sent %q after %q, want %q twice", second.delivery(), first.delivery(), badIDs[0])
			}
			testenv.Eventually(t, waitLong, "retry recorded", func() bool { return h.delivery(badIDs[0]).Attempts == 2 })
			for _, id := range badIDs[1:] {
				if h.delivery(id).Attempts != 0 {
					t.Errorf("delivery %s behind a failing head was attempted", id)
				}
			}
			wantMetrics(t, h.reg, map[string]float64{
				`uptime_webhook_deliveries_total{event="component",result="success",subscriber="good"}`: 10,
				`uptime_webhook_deliveries_total{event="component",result="failure",subscriber="bad"}`:  2,
				`uptime_webhook_queue_depth{subscriber="bad"}`:                                          10,
			})
		})
	}
}

// streamJunk writes up to n bytes of 'x' until the client goes away.
func streamJunk(w http.ResponseWriter, n int) int {
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	written := 0
	for written < n {
		m, err := w.Write(chunk)
		written += m
		if err != nil {
			break
		}
	}
	return written
}

func TestHugeSuccessBodyIsNotRead(t *testing.T) {
	h := newHarness(t, Config{Timeout: 5 * time.Second})
	var written atomic.Int64
	r := newReceiver(t, h.clock, func(w http.ResponseWriter, _ *http.Request) {
		written.Store(int64(streamJunk(w, 1<<30)))
	})
	h.subscribe("chatty", r.URL, "")
	start := time.Now()
	d := h.enqueue(incidentEvent())[0]
	r.next(t)
	testenv.Eventually(t, waitLong, "delivered", func() bool { return h.delivery(d.ID).State == store.Delivered })
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("delivery took %v", el)
	}
	// The server stops once the client hangs up; socket buffers let it
	// get a few megabytes ahead at most.
	testenv.Eventually(t, waitLong, "server stopped writing", func() bool { return written.Load() > 0 })
	if n := written.Load(); n > 64<<20 {
		t.Errorf("receiver wrote %d bytes before the client hung up", n)
	}
}

func TestDeletedAndDisabledSubscribersAreDropped(t *testing.T) {
	h := newHarness(t, Config{})
	r := newReceiver(t, h.clock, status500)
	h.subscribe("gone", r.URL, "")
	h.subscribe("off", r.URL, "")
	ds := h.enqueue(componentEvents(1)...)
	r.next(t)
	r.next(t)
	h.waitRetries(2)

	if err := h.st.DeleteSubscriber(h.ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	s := h.subscriber("off")
	s.Disabled = true
	if err := h.st.PutSubscriber(h.ctx, s); err != nil {
		t.Fatal(err)
	}
	h.d.Notify()
	for _, d := range ds {
		testenv.Eventually(t, waitLong, "dropped", func() bool { return h.delivery(d.ID).State == store.Dropped })
	}
	testenv.Eventually(t, waitLong, "gone's series removed", func() bool {
		_, ok := testenv.Gathered(t, h.reg)[`uptime_webhook_queue_depth{subscriber="gone"}`]
		return !ok
	})
	h.clock.Advance(time.Hour)
	r.none(t, 50*time.Millisecond)
}

func TestRunStopsWhileAttemptHangs(t *testing.T) {
	h := newHarness(t, Config{Timeout: time.Minute})
	release := make(chan struct{})
	r := newReceiver(t, h.clock, func(w http.ResponseWriter, req *http.Request) {
		select {
		case <-release:
		case <-req.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) })
	h.subscribe("slow", r.URL, "")
	d := h.enqueue(incidentEvent())[0]
	r.next(t)
	start := time.Now()
	h.stop()
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("Run took %v to stop", el)
	}
	// The interrupted attempt does not count: it is made again, with
	// the same ID, after a restart.
	if got := h.delivery(d.ID); got.State != store.Pending || got.Attempts != 0 {
		t.Errorf("after shutdown: %+v", got)
	}

	// A new Dispatcher on the same store (a restart) delivers the
	// backlog without being notified.
	r.setRespond(nil)
	d2, err := New(Config{Planner: testPlanner, Clock: h.clock, PollInterval: time.Hour}, h.st, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- d2.Run(ctx) }()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(waitLong):
			t.Error("restarted Run did not stop")
		}
	}()
	if x := r.next(t); x.delivery() != d.ID {
		t.Errorf("after restart got %q, want %q", x.delivery(), d.ID)
	}
	testenv.Eventually(t, waitLong, "delivered after restart", func() bool { return h.delivery(d.ID).State == store.Delivered })
}

// The leader of a cluster runs its dispatcher while it leads: the same
// dispatcher runs again, and delivers, after an earlier Run returned.
func TestRunAgainAfterStop(t *testing.T) {
	h := newHarness(t, Config{Timeout: time.Minute})
	h.stop()
	r := newReceiver(t, h.clock, nil)
	h.subscribe("s", r.URL, "")
	d := h.enqueue(incidentEvent())[0]
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- h.d.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("second Run: %v", err)
		}
	}()
	if x := r.next(t); x.delivery() != d.ID {
		t.Errorf("second Run delivered %q, want %q", x.delivery(), d.ID)
	}
}

func TestRunTwice(t *testing.T) {
	h := newHarness(t, Config{})
	testenv.Eventually(t, waitLong, "Run started", func() bool { return h.d.running.Load() })
	if err := h.d.Run(t.Context()); err == nil {
		t.Error("second Run: no error")
	}
}

func TestNewRejectsMissingPageURL(t *testing.T) {
	if _, err := New(Config{}, newTestStore(t), nil, nil); err == nil {
		t.Error("New without page URL: no error")
	}
}

func TestPayloadIsNotHTMLEscaped(t *testing.T) {
	ev := incidentEvent()
	ev.Incident.Name = "latency > 2s & <rising>"
	body, _ := testPlanner.Payload(ev, "t")
	if !bytes.Contains(body, []byte(`"name":"latency > 2s & <rising>"`)) {
		t.Errorf("name escaped: %s", body)
	}
	var p struct {
		Incident struct{ Name string } `json:"incident"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.Incident.Name != ev.Incident.Name {
		t.Errorf("round trip: %v %q", err, p.Incident.Name)
	}
}
