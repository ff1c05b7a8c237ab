package config

import "testing"

// The hash is the same for files that differ only where instances may
// differ (listen, storage, cluster, metrics, layout), and changes with a
// check, a token or a header's secret value.
func TestHashCoversWhatInstancesShare(t *testing.T) {
	base := `page: {url: "https://status.example"}
storage: {postgres: "postgres://up@db/up"}
cluster: {region: eu}
components:
  - id: web
    checks:
      - {name: home, http: {url: "https://example.org/", headers: {Authorization: "Bearer a"}}}
users:
  - {id: admin, role: admin, token: token-0123456789abcdef}
`
	hash := func(text string) string {
		t.Helper()
		cfg, err := ParseWithEnv([]byte(text), "h.yaml", nil)
		if err != nil {
			t.Fatal(err)
		}
		return cfg.Hash()
	}
	h := hash(base)
	if h != hash(base) {
		t.Fatal("two parses of one file hash differently")
	}
	same := map[string]string{
		"other listeners": base + "listen: {api: \"127.0.0.1:6010\", websocket: \"127.0.0.1:6011\"}\n",
		"other region":    replace(base, "region: eu", "region: us, instance: n2"),
		"other database":  replace(base, "postgres://up@db/up", "postgres://up@db2/up"),
		"other metrics":   base + "metrics: {http_phases: true}\n",
		"other layout":    replace(base, "page: {url: \"https://status.example\"}", "page:\n  url: https://status.example"),
	}
	for what, text := range same {
		if hash(text) != h {
			t.Errorf("%s: hash changed", what)
		}
	}
	differ := map[string]string{
		"another url":    replace(base, "https://example.org/", "https://example.org/x"),
		"another token":  replace(base, "token-0123456789abcdef", "token-0123456789abcdeX"),
		"another header": replace(base, "Bearer a", "Bearer b"),
		"another check":  replace(base, "name: home", "name: home2"),
	}
	for what, text := range differ {
		if hash(text) == h {
			t.Errorf("%s: same hash", what)
		}
	}
}

func replace(s, old, new string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + new + s[i+len(old):]
		}
	}
	panic("no " + old)
}
