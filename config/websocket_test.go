package config

import (
	"strings"
	"testing"
)

func TestWebSocketCheckParses(t *testing.T) {
	cfg := mustParse(t, `components:
  - id: live
    checks:
      - name: a
        websocket: {url: "ws://127.0.0.1:8080/live"}
      - name: b
        tls_expiry_warn: 10d
        websocket:
          url: "wss://user:pw@live.${UP_TEST_REGION}.example/feed"
          headers: {Authorization: "Bearer ${UP_TEST_TOKEN}"}
          send: ping
          expect_regex: ^pong
`)
	a, b := cfg.Checks()[0], cfg.Checks()[1]
	if a.Type() != "websocket" || a.Target() != "ws://127.0.0.1:8080/live" {
		t.Errorf("type %q target %q", a.Type(), a.Target())
	}
	if got := b.Target(); got != "wss://live.<secret>.example/feed" {
		t.Errorf("target %q", got)
	}
	if b.WebSocket.ExpectRegex.String() != "^pong" || string(b.WebSocket.Headers["Authorization"]) != "Bearer token-from-the-environment" {
		t.Errorf("websocket %+v", *b.WebSocket)
	}
}

func TestWebSocketCheckInvalid(t *testing.T) {
	for _, tc := range []struct{ check, want string }{
		{`websocket: {send: x}`, `components[0].checks[0].websocket.url: is required`},
		{`websocket: {url: "https://h.example/"}`, `websocket.url: "https://h.example/" is not a ws or wss URL`},
		{`websocket: {url: "ws://h.example:0/"}`, `has a port outside 1 to 65535`},
		{`websocket: {url: "ws://h.example/", tls_skip_verify: true}`, `websocket.tls_skip_verify: only applies to a wss:// URL`},
		{`websocket: {url: "ws://h.example/", ca_file: ca.pem}`, `websocket.ca_file: only applies to a wss:// URL`},
		{`websocket: {url: "ws://h.example/", cert_file: c.pem, key_file: k.pem}`, `websocket.cert_file: only applies to a wss:// URL`},
		{`websocket: {url: "wss://h.example/", ca_file: /nonexistent/ca.pem}`, `websocket.ca_file: cannot read /nonexistent/ca.pem`},
		{`websocket: {url: "wss://h.example/", cert_file: /nonexistent/c.pem}`, `websocket.cert_file: needs key_file`},
		{`websocket: {url: "ws://h.example/", expect: a, expect_regex: b}`, `websocket.expect_regex: a check has expect or expect_regex, not both`},
		{`websocket: {url: "ws://h.example/", expect_regex: "("}`, `websocket.expect_regex: invalid regular expression`},
		{`websocket: {url: "ws://h.example/", headers: {"a b": x}}`, `"a b" is not a valid header name`},
		{`websocket: {url: "ws://h.example/", headers: {sec-websocket-key: x}}`, `the WebSocket handshake sets Sec-Websocket-Key itself`},
		{`{tls_expiry_warn: 1d, websocket: {url: "ws://h.example/"}}`, `tls_expiry_warn: only applies to checks that use TLS`},
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
