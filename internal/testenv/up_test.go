package testenv

import "testing"

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
