package testenv

import (
	"errors"
	"net"
	"syscall"
	"testing"
)

func TestClosedAddrRefusesAndStaysTaken(t *testing.T) {
	addr := ClosedAddr(t)
	if _, err := net.Dial("tcp", addr); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dialing %s: %v, want connection refused", addr, err)
	}
	if ln, err := net.Listen("tcp", addr); err == nil {
		ln.Close()
		t.Fatalf("%s could be taken by another listener", addr)
	}
}
