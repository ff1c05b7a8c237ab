package config

import (
	"strings"
	"testing"
)

// TestPortZeroNeedsAnExplicitPageURL: a listener on any free port is
// fine where nothing is derived from its number. page.url is, unless the
// file sets it; the page learns the WebSocket's port from the listener.
func TestPortZeroNeedsAnExplicitPageURL(t *testing.T) {
	for _, ok := range []string{
		"page: {url: 'http://127.0.0.1'}\nlisten: {api: '127.0.0.1:0'}",
		"listen: {websocket: '127.0.0.1:0'}",
		"page: {url: 'http://127.0.0.1'}\nlisten: {api: '127.0.0.1:0', websocket: '127.0.0.1:0'}",
	} {
		if _, err := ParseWithEnv([]byte(ok), "listen.yaml", nil); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	_, err := ParseWithEnv([]byte("listen: {api: '127.0.0.1:0'}"), "listen.yaml", nil)
	if want := `listen.yaml:1:15: listen.api: "127.0.0.1:0": the port must be a number from 1 to 65535`; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("port 0 with a derived page.url: %v, want %s", err, want)
	}
}
