package config

import (
	"strings"
	"testing"
)

func TestGRPCCheckParses(t *testing.T) {
	cfg := mustParse(t, `components:
  - id: orders
    checks:
      - name: whole
        grpc: {address: "127.0.0.1:50051"}
      - name: one
        tls_expiry_warn: 10d
        grpc:
          address: "orders.${UP_TEST_REGION}.example:443"
          service: acme.Orders
          tls: true
          metadata: {authorization: "Bearer ${UP_TEST_TOKEN}"}
`)
	whole, one := cfg.Checks()[0], cfg.Checks()[1]
	if whole.Type() != "grpc" || whole.Target() != "grpc://127.0.0.1:50051/" {
		t.Errorf("type %q, target %q", whole.Type(), whole.Target())
	}
	if got := one.Target(); got != "grpc://orders.<secret>.example:443/acme.Orders" {
		t.Errorf("target %q shows what came from the environment", got)
	}
	if got := string(one.GRPC.Metadata["authorization"]); got != "Bearer token-from-the-environment" {
		t.Errorf("metadata %q", got)
	}
	if got := cfg.Redact("sent Bearer token-from-the-environment"); strings.Contains(got, "token-from") {
		t.Errorf("Redact leaves the metadata secret: %q", got)
	}
}

func TestGRPCCheckInvalid(t *testing.T) {
	for _, tc := range []struct{ check, want string }{
		{`grpc: {service: x}`, `components[0].checks[0].grpc.address: is required`},
		{`grpc: {address: "grpc://h.example:1"}`, `grpc.address: "grpc://h.example:1" is a URL; grpc.address takes host:port`},
		{`grpc: {address: "h.example"}`, `grpc.address: "h.example" is not host:port`},
		{`grpc: {address: "h.example:1", server_name: h}`, `5:40: components[0].checks[0].grpc.server_name: only applies with tls: true`},
		{`grpc: {address: "h.example:1", metadata: {"a b": x}}`, `grpc.metadata.a b: "a b" is not a gRPC metadata key`},
		{`grpc: {address: "h.example:1", metadata: {grpc-timeout: x}}`, `grpc.metadata.grpc-timeout: keys starting with grpc- are reserved`},
		{`grpc: {address: "h.example:1", metadata: {key-bin: x}}`, `binary (-bin) metadata is not supported`},
		{`grpc: {address: "h.example:1", metadata: {Key: x, key: y}}`, `metadata keys ignore case`},
		{`{tls_expiry_warn: 1d, grpc: {address: "h.example:1"}}`, `tls_expiry_warn: only applies to checks that use TLS`},
		{`{grpc: {address: "h.example:1"}, tls: {address: "h.example:1"}}`, `a check has exactly one of http, tcp, icmp, dns, tls, grpc, websocket or push; this one already has tls`},
	} {
		src := "components:\n  - id: c\n    checks:\n      - name: a\n        " + tc.check + "\n"
		if strings.HasPrefix(tc.check, "{") {
			src = "components:\n  - id: c\n    checks:\n      - {name: a, " + tc.check[1:] + "\n"
		}
		_, err := ParseWithEnv([]byte(src), "f.yml", testEnv)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.check, err, tc.want)
		}
	}
}
