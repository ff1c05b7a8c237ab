package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRunningAddrsReadsTextAndJSONLogs(t *testing.T) {
	tests := []struct{ log, api, ws string }{
		{"time=x level=INFO msg=\"checks scheduled\" added=1\ntime=x level=INFO msg=\"up is running\" api=http://127.0.0.1:40123 websocket=ws://127.0.0.1:40124/ws checks=1 version=dev\n",
			"127.0.0.1:40123", "127.0.0.1:40124"},
		{`{"time":"x","level":"INFO","msg":"up is running","api":"http://[::1]:5010","checks":0,"version":"dev"}` + "\n",
			"[::1]:5010", ""},
	}
	for _, tt := range tests {
		api, ws, ok := runningAddrs(tt.log)
		if !ok || api != tt.api || ws != tt.ws {
			t.Errorf("runningAddrs(%q) = %q, %q, %v; want %q, %q", tt.log, api, ws, ok, tt.api, tt.ws)
		}
	}
	if _, _, ok := runningAddrs("level=INFO msg=\"no config given\" api=127.0.0.1:5010\n"); ok {
		t.Error("found addresses without an \"up is running\" line")
	}
}

// An up whose log level hides the "up is running" line still starts:
// StartUp finds its two listeners and tells the API from the WebSocket.
func TestStartUpFindsTheListenersOfAQuietUp(t *testing.T) {
	// Only with -short, which CI never passes: building up takes a while.
	if testing.Short() {
		t.Skip("builds up")
	}
	dir := t.TempDir()
	bin, err := BuildUp(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "up.yaml")
	text := "page: {url: \"http://127.0.0.1\"}\nlisten: {api: \"127.0.0.1:0\", websocket: \"127.0.0.1:0\"}\nstorage: {path: " + filepath.Join(dir, "up.db") + "}\n"
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	u := StartUp(t, bin, "run", "--config", cfg, "--log-level", "warn")
	if err := Answers(u.URL("/healthz")); err != nil {
		t.Fatal(err)
	}
	if u.WebSocket == "" || u.WebSocket == u.API {
		t.Fatalf("API %s, WebSocket %q: want two listeners", u.API, u.WebSocket)
	}
	if err := Answers("http://" + u.WebSocket + "/healthz"); err == nil {
		t.Fatalf("%s, taken for the WebSocket listener, answers /healthz", u.WebSocket)
	}
}
