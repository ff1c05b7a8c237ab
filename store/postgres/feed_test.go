package postgres

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/up-status/up/status"
)

var errDeposed = errors.New("deposed")

// leaderView is a leader's view whose fence passes while *ok holds.
func leaderView(db *DB, epoch int64, ok *bool, mu *sync.Mutex) *DB {
	return db.Leader(epoch, func(context.Context, pgx.Tx) error {
		mu.Lock()
		defer mu.Unlock()
		if !*ok {
			return errDeposed
		}
		return nil
	})
}

func TestFeedCarriesCommittedEventsAndChecksInOrder(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	ok, mu := true, &sync.Mutex{}
	lead := leaderView(db, 7, &ok, mu)

	inc := incident("i1", ms(0), 2)
	if err := lead.Apply(ctx, []status.Event{incidentEvent(inc)}, nil); err != nil {
		t.Fatal(err)
	}
	checks := []status.CheckStatus{{ID: "web.home", Component: "web", State: status.CheckDown, Since: ms(5),
		LastOutcome: status.Fail, LastResult: ms(6), LastLatency: 120 * time.Millisecond, LastError: "status 500, want 200-299"}}
	if err := lead.AppendChecks(ctx, checks, false); err != nil {
		t.Fatal(err)
	}
	// Apply through the plain store (a single instance) feeds nothing.
	if err := db.Apply(ctx, []status.Event{incidentEvent(incident("i2", ms(9), 1))}, nil); err != nil {
		t.Fatal(err)
	}

	head, err := db.FeedHead(ctx)
	if err != nil || head != 2 {
		t.Fatalf("head = %d, %v; want 2", head, err)
	}
	got, err := db.FeedAfter(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Seq != 1 || got[1].Seq != 2 || got[0].Epoch != 7 {
		t.Fatalf("feed = %+v", got)
	}
	if got[0].Kind != FeedEvents || len(got[0].Events) != 1 || !reflect.DeepEqual(*got[0].Events[0].Incident, inc) {
		t.Fatalf("events entry = %+v, want the incident as applied", got[0])
	}
	if got[1].Kind != FeedChecks || !reflect.DeepEqual(got[1].Checks, checks) {
		t.Fatalf("checks entry = %+v, want %+v", got[1].Checks, checks)
	}
	if after, err := db.FeedAfter(ctx, 1, 10); err != nil || len(after) != 1 || after[0].Seq != 2 {
		t.Fatalf("FeedAfter(1) = %+v, %v", after, err)
	}
}

func TestFeedHasNoGapsUnderConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	ok, mu := true, &sync.Mutex{}
	lead := leaderView(db, 1, &ok, mu)
	var wg sync.WaitGroup
	const writers, each = 4, 10
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				c := status.CheckStatus{ID: "c", LastResult: ms(int64(w*100 + i))}
				if err := lead.AppendChecks(ctx, []status.CheckStatus{c}, false); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	got, err := db.FeedAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != writers*each {
		t.Fatalf("%d entries, want %d", len(got), writers*each)
	}
	for i, e := range got {
		if e.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d: a gap", i, e.Seq)
		}
	}
}

func TestDeposedLeaderCommitsNothing(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	ok, mu := false, &sync.Mutex{}
	lead := leaderView(db, 3, &ok, mu)

	if err := lead.Apply(ctx, []status.Event{incidentEvent(incident("i1", ms(0), 1))}, nil); !errors.Is(err, errDeposed) {
		t.Fatalf("Apply = %v, want the fence's error", err)
	}
	if err := lead.AppendChecks(ctx, []status.CheckStatus{{ID: "c"}}, false); !errors.Is(err, errDeposed) {
		t.Fatalf("AppendChecks = %v, want the fence's error", err)
	}
	if _, err := lead.TakeResults(ctx, 10); !errors.Is(err, errDeposed) {
		t.Fatalf("TakeResults = %v, want the fence's error", err)
	}
	if _, err := db.Incident(ctx, "i1"); err == nil {
		t.Fatal("a deposed leader's incident was committed")
	}
	if head, _ := db.FeedHead(ctx); head != 0 {
		t.Fatalf("head = %d after refused writes, want 0", head)
	}
	// Closing a view leaves the pool to its owner.
	if err := lead.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FeedHead(ctx); err != nil {
		t.Fatalf("the store after a view was closed: %v", err)
	}
}

func TestQueueDeduplicatesRunsAndKeepsOrder(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	batch := []QueuedResult{
		{CheckID: "a", Region: "eu", Slot: 10, Instance: "i1", Body: []byte("a10")},
		{CheckID: "b", Region: "eu", Slot: 10, Instance: "i1", Body: []byte("b10")},
		{CheckID: "a", Region: "eu", Slot: 11, Instance: "i1", Body: []byte("a11")},
	}
	if dropped, err := db.QueueResults(ctx, batch); err != nil || dropped != 0 {
		t.Fatalf("QueueResults = %d, %v", dropped, err)
	}
	// Another instance probed run (a, 10) too, and (a, 10) in another
	// region is another run.
	dropped, err := db.QueueResults(ctx, []QueuedResult{
		{CheckID: "a", Region: "eu", Slot: 10, Instance: "i2", Body: []byte("dup")},
		{CheckID: "a", Region: "us", Slot: 10, Instance: "i3", Body: []byte("a10us")},
	})
	if err != nil || dropped != 1 {
		t.Fatalf("QueueResults = %d dropped, %v; want 1", dropped, err)
	}
	got, err := db.TakeResults(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, r := range got {
		bodies = append(bodies, string(r.Body))
	}
	if want := []string{"a10", "b10", "a11"}; !reflect.DeepEqual(bodies, want) {
		t.Fatalf("took %v, want %v", bodies, want)
	}
	rest, err := db.TakeResults(ctx, 10)
	if err != nil || len(rest) != 1 || string(rest[0].Body) != "a10us" || rest[0].Instance != "i3" {
		t.Fatalf("second take = %+v, %v", rest, err)
	}
	if again, err := db.TakeResults(ctx, 10); err != nil || len(again) != 0 {
		t.Fatalf("taken results came back: %+v, %v", again, err)
	}
	if _, err := db.QueueResults(ctx, batch[:1]); err != nil {
		t.Fatal(err)
	}
	if n, err := db.DropStaleResults(ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("dropped %d fresh results, %v", n, err)
	}
	if n, err := db.DropStaleResults(ctx, 0); err != nil || n != 1 {
		t.Fatalf("dropped %d stale results, %v; want 1", n, err)
	}
}

func TestCommandsAreClaimedOnceAndAnswered(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	ok, mu := true, &sync.Mutex{}
	lead := leaderView(db, 4, &ok, mu)

	for _, id := range []string{"c1", "c2", "c3"} {
		if err := db.PutCommand(ctx, Command{ID: id, Instance: "f1", Request: []byte("req " + id)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, err := db.CommandResponse(ctx, "c1"); err != nil || ok {
		t.Fatalf("response before the leader ran it: %v, %v", ok, err)
	}
	// A follower that gave up withdraws its command before any claim.
	if w, err := db.WithdrawCommand(ctx, "c3"); err != nil || !w {
		t.Fatalf("withdraw = %v, %v", w, err)
	}
	got, err := lead.ClaimCommands(ctx, "leader", time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "c1" || got[1].ID != "c2" || string(got[0].Request) != "req c1" {
		t.Fatalf("claimed %+v, want c1 then c2", got)
	}
	if again, err := lead.ClaimCommands(ctx, "leader", time.Minute, 10); err != nil || len(again) != 0 {
		t.Fatalf("claimed twice: %+v, %v", again, err)
	}
	if w, err := db.WithdrawCommand(ctx, "c2"); err != nil || w {
		t.Fatalf("withdrew a claimed command: %v, %v", w, err)
	}
	if err := lead.FinishCommand(ctx, "c1", []byte("201")); err != nil {
		t.Fatal(err)
	}
	if resp, ok, err := db.CommandResponse(ctx, "c1"); err != nil || !ok || string(resp) != "201" {
		t.Fatalf("response = %q, %v, %v", resp, ok, err)
	}
	// Commands older than the leader's limit are left to their follower,
	// which has answered already.
	if err := db.PutCommand(ctx, Command{ID: "old", Instance: "f1", Request: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if got, err := lead.ClaimCommands(ctx, "leader", 0, 10); err != nil || len(got) != 0 {
		t.Fatalf("claimed an expired command: %+v, %v", got, err)
	}
	// Through a deposed view nothing is claimed.
	mu.Lock()
	ok = false
	mu.Unlock()
	if _, err := lead.ClaimCommands(ctx, "leader", time.Minute, 10); !errors.Is(err, errDeposed) {
		t.Fatalf("deposed claim = %v", err)
	}
}

func TestListenWakesOnFeedAndCommands(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	db := openTest(t)
	ok, mu := true, &sync.Mutex{}
	lead := leaderView(db, 1, &ok, mu)

	got := make(chan string, 10)
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.Listen(ctx, []string{FeedChannel, CommandChannel}, func() { close(ready) }, func(ch, payload string) { got <- ch + " " + payload })
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	if err := lead.AppendChecks(ctx, []status.CheckStatus{{ID: "c"}}, false); err != nil {
		t.Fatal(err)
	}
	if err := db.PutCommand(ctx, Command{ID: "c1", Instance: "f", Request: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{FeedChannel + " 1", CommandChannel + " new"} {
		select {
		case n := <-got:
			if n != want {
				t.Fatalf("notification %q, want %q", n, want)
			}
		case <-ctx.Done():
			t.Fatalf("no notification %q", want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Listen after its context ended: %v", err)
	}
}

func TestPruneFeedKeepsTheLatestFullEntryAndWhatFollows(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	ok, mu := true, &sync.Mutex{}
	lead := leaderView(db, 1, &ok, mu)
	for _, all := range []bool{true, false, true, false} {
		if err := lead.AppendChecks(ctx, []status.CheckStatus{{ID: "c"}}, all); err != nil {
			t.Fatal(err)
		}
	}
	if last, err := db.FeedLastAll(ctx); err != nil || last != 3 {
		t.Fatalf("FeedLastAll = %d, %v; want 3", last, err)
	}
	if err := lead.PruneFeed(ctx, 0); err != nil {
		t.Fatal(err)
	}
	got, err := db.FeedAfter(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Seq != 3 || got[0].Kind != FeedAllChecks || got[1].Seq != 4 {
		t.Fatalf("after pruning: %+v, want entries 3 (all checks) and 4", got)
	}
}
