package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"
)

// endpoint is a host:port split once per check, so that the runs of a
// check on an IP literal skip resolution and parsing altogether.
type endpoint struct {
	host string     // as written: TLS server name and error messages use it
	port uint16     //
	ip   netip.Addr // valid when host is an IP literal
	addr string     // host:port to dial when ip is valid
}

func parseEndpoint(hostport string) (endpoint, error) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return endpoint{}, err
	}
	if host == "" {
		return endpoint{}, fmt.Errorf("address %q: missing host", hostport)
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 {
		return endpoint{}, fmt.Errorf("address %q: port must be a number from 1 to 65535", hostport)
	}
	ep := endpoint{host: host, port: uint16(n)}
	if ip, err := netip.ParseAddr(host); err == nil {
		ep.ip = ip
		ep.addr = netip.AddrPortFrom(ip, ep.port).String()
	}
	return ep, nil
}

// connector opens the TCP connections of TCP and HTTP probes, timing
// resolution and connection separately. It resolves itself, instead of
// leaving it to net.Dialer, so that the two phases are measured without
// trace hooks and the injected resolver is the only one ever asked.
type connector struct {
	resolver *net.Resolver
	family   ipFamily
}

func newConnector(r *net.Resolver) *connector {
	return &connector{resolver: resolverOr(r)}
}

// dial opens one TCP connection. The dialer is made per call, on the
// stack, rather than kept by every prober: it is bigger than the rest of
// a prober's state.
func dial(ctx context.Context, addr string) (net.Conn, error) {
	// Probe connections live for one exchange: TCP keep-alive would only
	// cost a setsockopt per probe. Multipath TCP is said no to outright,
	// which is the default anyway, because asking the GODEBUG setting
	// on every dial is a measurable part of a probe's CPU time.
	d := net.Dialer{KeepAlive: -1}
	d.SetMultipathTCP(false)
	return d.DialContext(ctx, "tcp", addr)
}

// connect resolves ep (unless it is a literal) and tries its addresses in
// the resolver's order until one accepts. The loop is bounded by the
// number of addresses and by ctx. resolved, when not nil, hears the
// lookup time as soon as it is known, for callers that report the stage
// a timeout hit.
func (c *connector) connect(ctx context.Context, ep endpoint, resolved func(time.Duration)) (conn net.Conn, resolve, connect time.Duration, err error) {
	if ep.ip.IsValid() {
		if !c.family.allows(ep.ip) {
			return nil, 0, 0, fmt.Errorf("%s is not an IPv%d address (ip_version)", ep.host, c.family.version)
		}
		start := time.Now()
		conn, err = dial(ctx, ep.addr)
		return conn, 0, time.Since(start), err
	}
	start := time.Now()
	ips, err := c.resolver.LookupNetIP(ctx, c.family.network(), ep.host)
	resolve = time.Since(start)
	if err != nil {
		return nil, resolve, 0, err
	}
	if len(ips) == 0 {
		return nil, resolve, 0, &net.DNSError{Err: "no addresses", Name: ep.host, IsNotFound: true}
	}
	if resolved != nil {
		resolved(resolve)
	}
	start = time.Now()
	for _, ip := range c.family.choose(ips) {
		addr := netip.AddrPortFrom(ip.Unmap(), ep.port).String()
		conn, err = dial(ctx, addr)
		if err == nil || ctx.Err() != nil {
			break
		}
	}
	return conn, resolve, time.Since(start), err
}

// bind bounds every read and write on conn by ctx's deadline and makes
// them return at once when ctx is cancelled earlier. Socket deadlines
// cost no goroutine per probe, unlike context-aware I/O; a cancelled
// caller therefore shows up as a passed deadline, which failureText
// tells apart from a timeout. Call stop once conn is done with.
func bind(ctx context.Context, conn net.Conn) (stop func() bool) {
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	return context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
}

// connectFailure words a connection that could not be made: a name that
// did not resolve says so with the host, anything else is a failure
// while connecting.
func (r *Result) connectFailure(ctx context.Context, err error, limit time.Duration, host string) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return r.failure(ctx, err, limit, "while resolving "+host)
	}
	return r.failure(ctx, err, limit, "while connecting")
}
