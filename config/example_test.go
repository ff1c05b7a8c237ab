package config_test

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/up-status/up/config"
)

func ExampleParse() {
	_, err := config.Parse([]byte(`components:
  - id: website
    checks:
      - name: home
        timeout: 1m
        http: {url: "htp://acme.example/"}
`), "config.yaml")
	fmt.Println(err)
	// Output:
	// config.yaml:5:18: components[0].checks[0].timeout: 1m0s is not shorter than the interval (30s, from defaults.interval); leave timeout out to use 80% of the interval
	// config.yaml:6:21: components[0].checks[0].http.url: "htp://acme.example/" is not an http or https URL
}

func ExampleDemo() {
	for _, c := range config.Demo().Checks() {
		fmt.Println(c.ID, c.Type(), c.Target(), c.Interval, c.Timeout)
	}
	// Output:
	// api.healthz http http://127.0.0.1:5010/healthz 10s 5s
	// api.port tcp 127.0.0.1:5010 10s 5s
	// loopback.ping icmp 127.0.0.1 10s 5s
}

const examplePath = "../config.example.yaml"

// clusterExamplePath shows the keys of PostgreSQL and cluster mode, which
// config.example.yaml cannot: storage.postgres excludes its storage.path.
const clusterExamplePath = "../config.cluster.example.yaml"

// tlsExamplePath shows the keys that name PEM files, beside the throwaway
// files they read: config.example.yaml is copied to /etc/up as a start,
// where relative paths to them would not resolve.
const tlsExamplePath = "../examples/tls/config.yaml"

func exampleEnv(name string) (string, bool) {
	switch name {
	case "UP_WEBHOOK_SECRET":
		return "webhook-secret", true
	case "UP_ADMIN_TOKEN":
		return "admin-token-0123456789", true
	}
	return "", false
}

func TestExampleConfigParses(t *testing.T) {
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.ParseWithEnv(data, examplePath, exampleEnv)
	if err != nil {
		t.Fatalf("config.example.yaml:\n%v", err)
	}
	if cfg.Subscribers[0].Secret != "webhook-secret" || cfg.Users[0].Token != "admin-token-0123456789" {
		t.Error("the example's ${VAR} values were not expanded")
	}
	// The example says this inherited timeout is clamped; hold it to that.
	for _, k := range cfg.Checks() {
		if k.ID == "database.ping" && (k.Interval != 10*time.Second || k.Timeout != 8*time.Second) {
			t.Errorf("database.ping interval %v timeout %v, the example's comment says 10s and 8s", k.Interval, k.Timeout)
		}
	}

	// The variables with a default in the file are not needed, and their
	// defaults are file text, not secrets.
	if cfg.Page.URL != "https://status.acme.example" || cfg.Storage.Path != "./data/up.db" {
		t.Errorf("defaults of ${VAR:-text} not taken: page.url %q storage.path %q", cfg.Page.URL, cfg.Storage.Path)
	}
	withURL := func(name string) (string, bool) {
		if name == "UP_PAGE_URL" {
			return "https://status.example.org", true
		}
		return exampleEnv(name)
	}
	if cfg, err := config.ParseWithEnv(data, examplePath, withURL); err != nil {
		t.Errorf("UP_PAGE_URL set: %v", err)
	} else if cfg.Page.URL != "https://status.example.org" {
		t.Errorf("UP_PAGE_URL set: page.url %q", cfg.Page.URL)
	}

	// Without the variables the example must fail, naming the secrets,
	// which get no default, and nothing else.
	_, err = config.ParseWithEnv(data, examplePath, nil)
	for _, name := range []string{"UP_WEBHOOK_SECRET", "UP_ADMIN_TOKEN"} {
		if err == nil || !strings.Contains(err.Error(), "environment variable "+name+" is not set") {
			t.Errorf("unset %s not reported: %v", name, err)
		}
	}
	if n := strings.Count(fmt.Sprint(err), "\n") + 1; n != 2 {
		t.Errorf("%d errors without variables, want the 2 secrets only:\n%v", n, err)
	}
}

// TestClusterExampleParses: the cluster example is valid with its one
// variable set, keeps the URL as given, and never shows it.
func TestClusterExampleParses(t *testing.T) {
	data, err := os.ReadFile(clusterExamplePath)
	if err != nil {
		t.Fatal(err)
	}
	const url = "postgres://up:pg-password-123@db.internal:5432/up"
	cfg, err := config.ParseWithEnv(data, "config.cluster.example.yaml", func(name string) (string, bool) {
		return url, name == "UP_DATABASE_URL"
	})
	if err != nil {
		t.Fatalf("config.cluster.example.yaml:\n%v", err)
	}
	if string(cfg.Storage.Postgres) != url || cfg.Storage.Path != "" {
		t.Errorf("storage %+v", cfg.Storage)
	}
	if cfg.Cluster == nil || cfg.Cluster.Region != "eu-west" || cfg.Cluster.Instance != "" {
		t.Errorf("cluster %+v", cfg.Cluster)
	}
	if s := fmt.Sprintf("%v %+v", cfg.Storage, cfg.Storage); strings.Contains(s, "pg-password") {
		t.Errorf("the database URL is printed: %s", s)
	}
}

// TestTLSExampleLoads: the mTLS example loads its certificate files
// relative to its own directory.
func TestTLSExampleLoads(t *testing.T) {
	cfg, err := config.Load(tlsExamplePath)
	if err != nil {
		t.Fatalf("%s:\n%v", tlsExamplePath, err)
	}
	h := cfg.Components[0].Checks[0].HTTP
	if h.RootCAs() == nil || h.ClientCertificate() == nil {
		t.Errorf("the example's CA or client certificate was not loaded")
	}
	if w := cfg.Components[0].Checks[1].WebSocket; w.RootCAs() == nil || w.ClientCertificate() == nil {
		t.Errorf("the example's CA or client certificate was not loaded for its WebSocket check")
	}
}

// TestExampleConfigCoversSchema walks the yaml tags of Config and requires
// every key to be set somewhere in config.example.yaml or, for the keys
// of PostgreSQL and cluster mode, config.cluster.example.yaml, at its place in
// the tree, so that the documented example cannot fall behind the schema.
func TestExampleConfigCoversSchema(t *testing.T) {
	have := map[string]bool{}
	for _, path := range []string{examplePath, clusterExamplePath, tlsExamplePath} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		collectKeys(doc.Content[0], "", have)
	}

	schema := schemaKeys(reflect.TypeFor[config.Config](), "")
	if len(schema) < 60 {
		t.Fatalf("the schema walk found only %d keys; it is missing part of Config", len(schema))
	}
	for _, key := range schema {
		if !have[key] {
			t.Errorf("config.example.yaml does not show %s", key)
		}
	}
	for key := range have {
		if !slices.Contains(schema, key) && !strings.Contains(key, ".headers.") && !strings.Contains(key, ".metadata.") {
			t.Errorf("config.example.yaml has %s, which is not in the schema", key)
		}
	}
}

var scalarTypes = []reflect.Type{reflect.TypeFor[time.Duration](), reflect.TypeFor[time.Time]()}

// schemaKeys lists the dotted key paths under t; list items add no
// segment ("components.checks.http.url").
func schemaKeys(t reflect.Type, prefix string) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		out = append(out, path)
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && !slices.Contains(scalarTypes, ft) &&
			!reflect.PointerTo(ft).Implements(reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()) {
			out = append(out, schemaKeys(ft, path)...)
		}
	}
	return out
}

func collectKeys(n *yaml.Node, prefix string, have map[string]bool) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			path := n.Content[i].Value
			if prefix != "" {
				path = prefix + "." + path
			}
			have[path] = true
			collectKeys(n.Content[i+1], path, have)
		}
	case yaml.SequenceNode:
		for _, item := range n.Content {
			collectKeys(item, prefix, have)
		}
	}
}
