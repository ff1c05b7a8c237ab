package daemon

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/up-status/up/wire"
)

// In a cluster, GET /status and the page's feed say as of when the state
// shown is current: the request's time on the leader, the follower's last
// read of the shared database on a follower.
func TestClusterStatusAsOf(t *testing.T) {
	a, b, _ := twoInstances(t)
	leader, follower := leaderOf(t, a, b)

	statusAsOf := func(r *running) (string, http.Header) {
		t.Helper()
		resp, err := http.Get("http://" + r.d.APIAddr() + "/status")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var s struct {
			AsOf *string `json:"as_of"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || s.AsOf == nil {
			t.Fatalf("GET /status: %d, as_of %v, %v", resp.StatusCode, s.AsOf, err)
		}
		return *s.AsOf, resp.Header
	}
	before := time.Now().Truncate(time.Millisecond)
	if got, _ := statusAsOf(leader); got < wire.Time(before) {
		t.Errorf("the leader's as_of %s, want the request's time, after %s", got, wire.Time(before))
	}

	// The follower's is its replica's last read: between two reads, the
	// same before, in and after the answer. The test waits for a request
	// that falls between two reads, well after the first, so that the
	// request's own time could not pass for it.
	lastRead := func() time.Time { return follower.d.sides.AsOf(time.Now()) }
	between := func(ask func() string) {
		t.Helper()
		for try := 0; ; try++ {
			if try == 200 {
				t.Fatal("no request fell between two of the follower's reads")
			}
			read := lastRead()
			if read.IsZero() || time.Since(read) < 20*time.Millisecond {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			got := ask()
			if lastRead() != read {
				continue // it read again meanwhile
			}
			if got != wire.Time(read) {
				t.Fatalf("as_of %s, want the follower's last read %s", got, wire.Time(read))
			}
			return
		}
	}
	between(func() string { s, _ := statusAsOf(follower); return s })

	// The page's feed says the same after its snapshot.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	between(func() string {
		c, _, err := websocket.Dial(ctx, "ws://"+follower.d.wsLn.Addr().String()+"/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		c.SetReadLimit(1 << 20)
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var m struct {
				Type string         `json:"type"`
				Data wire.Freshness `json:"data"`
			}
			if json.Unmarshal(b, &m) == nil && m.Type == wire.MessageAsOf {
				return m.Data.AsOf
			}
		}
	})
}
