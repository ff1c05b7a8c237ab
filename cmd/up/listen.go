package main

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"

	"github.com/up-status/up/config"
)

// checkListenFlag refuses a --listen value no listener could take.
func checkListenFlag(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q is not host:port (for example 127.0.0.1:5020)", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("--listen %q: the port must be a number from 1 to 65535", addr)
	}
	return nil
}

// withListen points both listeners of cfg at addr, as --listen asks.
func withListen(cfg *config.Config, addr string) {
	if addr != "" {
		cfg.Listen.API, cfg.Listen.WebSocket = addr, addr
	}
}

// checkListeners binds every listen address of cfg and lets go again.
// The daemon opens its state before it listens; binding first makes a
// taken port stop the start before anything (the data directory, the
// database, its lock) is created on disk. A port taken in between still
// fails the daemon's own bind, with the same message.
func checkListeners(cfg *config.Config) error {
	addrs := []struct{ key, addr string }{{"listen.api", cfg.Listen.API}}
	if cfg.Listen.WebSocket != cfg.Listen.API {
		addrs = append(addrs, struct{ key, addr string }{"listen.websocket", cfg.Listen.WebSocket})
	}
	var bound []net.Listener
	defer func() {
		for _, ln := range bound {
			ln.Close()
		}
	}()
	for _, a := range addrs {
		ln, err := net.Listen("tcp", a.addr)
		if err != nil {
			return listenError(a.key, a.addr, err)
		}
		bound = append(bound, ln)
	}
	return nil
}

// listenError says what to do about a listener that cannot bind: a port
// in use is the common case at a first start, and --listen the way out.
func listenError(key, addr string, err error) error {
	if !errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%s %s: %w", key, addr, err)
	}
	return fmt.Errorf("address in use: %s %s — run with --listen %s or stop what uses it", key, addr, otherPort(addr))
}

// otherPort suggests an address next to addr: the same host, ten ports on.
func otherPort(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil {
		return "127.0.0.1:5020"
	}
	if n += 10; n > 65535 {
		n -= 20
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, strconv.Itoa(n))
}

// healthzOf is the /healthz URL of the daemon the config file at path
// describes, reached from this machine: what a container's health check
// probes, so that it follows the configured port.
func healthzOf(path string) (string, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return "", err
	}
	addr, err := config.LocalAddr(cfg.Listen.API)
	if err != nil {
		return "", fmt.Errorf("%s: listen.api: %w", path, err)
	}
	return "http://" + addr + "/healthz", nil
}
