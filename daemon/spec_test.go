package daemon

import (
	"testing"
	"time"

	"github.com/up-status/up/config"
	"github.com/up-status/up/status"
)

// TestSpecOfIsComplete: the engine has no defaults of its own, so the
// Spec built from a file that leaves everything out carries the file's
// defaults and is one the engine accepts.
func TestSpecOfIsComplete(t *testing.T) {
	cfg := parse(t, `components:
  - id: web
    checks:
      - {name: home, http: {url: "http://127.0.0.1:9/"}}
`)
	spec := specOf(cfg)
	if spec.OpenAt != config.DefaultOpenAt || spec.ResolveAfter != config.DefaultResolveAfter {
		t.Errorf("open_at %q resolve_after %v, want the file's defaults", spec.OpenAt, spec.ResolveAfter)
	}
	want := status.CheckSpec{
		ID:               "web.home",
		FailureThreshold: config.DefaultFailureThreshold,
		SuccessThreshold: config.DefaultSuccessThreshold,
		Interval:         config.DefaultInterval,
		DegradedLatency:  config.DefaultDegradedLatency,
	}
	if got := spec.Components[0].Checks[0]; got != want {
		t.Errorf("check spec %+v, want %+v", got, want)
	}
	if _, err := status.New(time.Now(), spec, status.NewID); err != nil {
		t.Errorf("the engine refuses the daemon's spec: %v", err)
	}
}
