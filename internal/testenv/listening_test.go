package testenv

import (
	"net"
	"os"
	"slices"
	"testing"
)

// Listening finds this process's own listeners on 127.0.0.1 and ::1,
// and not a socket that is bound but does not listen.
func TestListeningFindsBoundPorts(t *testing.T) {
	var want []string
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			if addr == "[::1]:0" {
				t.Logf("no IPv6 loopback here: %v", err)
				continue
			}
			t.Fatal(err)
		}
		defer ln.Close()
		want = append(want, ln.Addr().String())
	}
	closed := ClosedAddr(t)
	got, err := Listening(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("Listening = %v, want it to hold %s", got, w)
		}
	}
	if slices.Contains(got, closed) {
		t.Errorf("Listening = %v holds %s, which is bound but not listening", got, closed)
	}
}

func TestProcAddrDecodesTheKernelsHex(t *testing.T) {
	tests := map[string]string{
		"0100007F:1F90":                         "127.0.0.1:8080",
		"00000000000000000000000001000000:0050": "[::1]:80",
		"00000000:0016":                         "0.0.0.0:22",
	}
	for in, want := range tests {
		if got, err := procAddr(in); err != nil || got != want {
			t.Errorf("procAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0100007F", "zz00007F:0050", "0100007F:fffff"} {
		if got, err := procAddr(bad); err == nil {
			t.Errorf("procAddr(%q) = %q, want an error", bad, got)
		}
	}
}
