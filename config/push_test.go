package config

import (
	"strings"
	"testing"
	"time"
)

func TestPushCheck(t *testing.T) {
	cfg, err := ParseWithEnv([]byte(`components:
  - id: jobs
    checks:
      - name: backup
        push: {token: "${PUSH_TOKEN}", period: 24h, grace: 1h}
      - name: report
        push: {token: "report-push-token-0123456789", period: 1h}
`), "test.yaml", func(name string) (string, bool) {
		if name == "PUSH_TOKEN" {
			return "backup-push-token-0123456789", true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	backup, report := cfg.Checks()[0], cfg.Checks()[1]
	if backup.Type() != "push" || backup.Target() != "push" {
		t.Errorf("type %q target %q", backup.Type(), backup.Target())
	}
	if p := backup.Push; p.Period != 24*time.Hour || p.Grace != time.Hour || p.Token != "backup-push-token-0123456789" {
		t.Errorf("backup: %+v", *p)
	}
	if g := report.Push.Grace; g != 6*time.Minute {
		t.Errorf("default grace %v, want a tenth of the period", g)
	}
	if !backup.Equal(backup) || backup.Equal(report) {
		t.Error("Equal does not tell push checks apart")
	}
	if got := cfg.Redact("token backup-push-token-0123456789"); strings.Contains(got, "0123456789") {
		t.Errorf("a push token from the environment is not redacted: %q", got)
	}
}

func TestPushCheckErrors(t *testing.T) {
	_, err := ParseWithEnv([]byte(`components:
  - id: jobs
    checks:
      - name: a
        push: {period: 1h}
      - name: b
        push: {token: "same-push-token-0123456789", period: 1h}
      - name: c
        push: {token: "same-push-token-0123456789", period: 1h}
      - name: d
        push: {token: "with/slash-push-token-0123", period: 1h}
      - name: e
        push: {token: "short"}
      - name: f
        push: {token: "grace-push-token-0123456789", period: 1h, grace: -1m}
`), "test.yaml", testEnv)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"test.yaml:5:15: components[0].checks[0].push.token: is required",
		"components[0].checks[2].push.token: is the same as the token of components[0].checks[1].push (line 7)",
		"components[0].checks[3].push.token: may hold only letters",
		"components[0].checks[4].push.token: a token needs 16 to 256 characters",
		"components[0].checks[4].push.period: is required",
		"components[0].checks[5].push.grace: must not be negative",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "same-push-token") {
		t.Errorf("an error quotes a token:\n%v", err)
	}
}
