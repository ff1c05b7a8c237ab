package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
	"github.com/up-status/up/store/sqlite"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "up-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "data", "up.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	// One engine step: the incident it opened and the webhook it causes,
	// committed together.
	at := time.Date(2026, 11, 26, 21, 14, 42, 0, time.UTC)
	inc := status.Incident{ID: "inc-1", Name: "Website is down", Status: status.Investigating,
		Impact: status.MajorOutage, Components: []string{"website"}, CreatedAt: at,
		Updates: []status.IncidentUpdate{{ID: "1", Body: "home: HTTP 503", Status: status.Investigating, CreatedAt: at}}}
	err = db.Apply(ctx,
		[]status.Event{{Kind: status.IncidentChanged, At: at, Incident: &inc}},
		[]store.Delivery{{ID: "d-1", Subscriber: "ops", Event: "incident", Payload: []byte(`{}`), CreatedAt: at}})
	if err != nil {
		log.Fatal(err)
	}

	open, _ := db.Incidents(ctx, store.IncidentFilter{OpenOnly: true})
	due, _ := db.Due(ctx, "ops", at, 10)
	fmt.Println(open[0].Name, open[0].Updates[0].Body)
	fmt.Println(due[0].ID, due[0].State)
	// Output:
	// Website is down home: HTTP 503
	// d-1 pending
}
