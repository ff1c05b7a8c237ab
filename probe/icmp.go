package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	probing "github.com/prometheus-community/pro-bing"

	"github.com/up-status/up/config"
)

// ICMPNotPermitted is the Result.Err of an ICMP probe that may open
// neither a raw nor a datagram ICMP socket. It names every way to fix it,
// because whoever reads it is usually not the one who started the daemon.
const ICMPNotPermitted = `ICMP not permitted for this user: run as root, grant CAP_NET_RAW (setcap cap_net_raw+ep "$(command -v up)"), ` +
	`or allow unprivileged ping (sysctl -w net.ipv4.ping_group_range="0 2147483647")`

// ErrICMPNotPermitted is the LocalCause of an ICMP probe that may open
// neither a raw nor a datagram ICMP socket. Its text is ICMPNotPermitted.
// Every ICMP check fails alike until the permission is granted, so the
// daemon can match it with errors.Is and say so once rather than per run.
var ErrICMPNotPermitted = errors.New(ICMPNotPermitted)

// maxICMPSpacing is the longest gap between two echo requests of a
// probe. Pings are spaced a little rather than sent in one burst so that
// one dropped burst does not read as total loss, but a probe is not a
// ping session: it should end in well under a second on a healthy path.
const maxICMPSpacing = 250 * time.Millisecond

// icmpProber pings one host. Success means at least one reply: the loss
// ratio is reported as a metric and alerted on there, since a single
// lost packet says more about the path than about the host.
type icmpProber struct {
	identity
	host     string
	ip       netip.Addr // valid when host is an IP literal
	network  string     // ip, ip4 or ip6: what resolution may return
	count    int
	spacing  time.Duration
	resolver *net.Resolver

	// privileged lists the socket kinds to try, in order: raw sockets
	// (root or CAP_NET_RAW) and datagram sockets (ping_group_range).
	privileged []bool
	// works is the index in privileged that last opened a socket, so a
	// run does not repeat a refused attempt every time.
	works atomic.Int32
}

func newICMP(check *config.Check, opts Options) (Prober, error) {
	c := check.ICMP
	if c.Host == "" {
		return nil, errors.New("missing host")
	}
	p := &icmpProber{identity: identityOf(check), host: c.Host, count: c.Count, resolver: resolverOr(opts.Resolver)}
	switch c.IPVersion {
	case "":
		p.network = "ip"
	case "4", "6":
		p.network = "ip" + c.IPVersion
	default:
		return nil, fmt.Errorf("ip_version %q: want 4 or 6", c.IPVersion)
	}
	if ip, err := netip.ParseAddr(c.Host); err == nil {
		ip = ip.Unmap()
		if (p.network == "ip4" && !ip.Is4()) || (p.network == "ip6" && !ip.Is6()) {
			return nil, fmt.Errorf("host %s is not an IPv%s address", c.Host, c.IPVersion)
		}
		p.ip = ip
	}
	if p.count <= 0 { // a check built in code; config.Load sets a count
		p.count = config.DefaultICMPCount
	}
	// Send every request in the first half of the budget so that the
	// last one still has time to be answered.
	p.spacing = max(time.Millisecond, min(maxICMPSpacing, p.timeout/time.Duration(2*p.count)))
	// Root gets raw sockets; others try datagram sockets first, then raw
	// ones, which work with CAP_NET_RAW. Root falls back to datagram
	// sockets for containers that drop CAP_NET_RAW.
	if os.Geteuid() == 0 {
		p.privileged = []bool{true, false}
	} else {
		p.privileged = []bool{false, true}
	}
	return p, nil
}

// Probe resolves the host and sends count echo requests, returning when
// every reply is in or the budget is spent.
func (p *icmpProber) Probe(ctx context.Context) Result {
	start := time.Now()
	res := p.result(start)
	ctx, cancel, limit := p.budget(ctx, start)
	defer cancel()
	ir := &ICMPResult{}
	res.ICMP = ir
	res.Err = p.run(ctx, &res, ir, limit)
	res.Success = res.Err == ""
	res.Duration = time.Since(start)
	// The wall clock of a ping is mostly the pauses between its echo
	// requests, which are ours: with replies, the host's latency is the
	// average round trip, and that is what degraded_latency is about.
	if ir.Received > 0 {
		res.Duration = ir.RTT
	}
	return res
}

func (p *icmpProber) run(ctx context.Context, res *Result, ir *ICMPResult, limit time.Duration) string {
	ip := p.ip
	if !ip.IsValid() {
		t := time.Now()
		var err error
		ip, err = p.resolve(ctx)
		ir.Resolve = time.Since(t)
		if err != nil {
			return res.failure(ctx, err, limit, "while resolving "+p.host)
		}
	}
	first := int(p.works.Load())
	for i := range p.privileged {
		k := (first + i) % len(p.privileged)
		st, setup, err := p.ping(ctx, ip, p.privileged[k])
		if notPermitted(err) {
			continue
		}
		p.works.Store(int32(k))
		ir.Setup = setup
		ir.Sent, ir.Received, ir.RTT = st.PacketsSent, st.PacketsRecv, st.AvgRtt
		if ir.Sent > 0 {
			ir.LossRatio = float64(ir.Sent-ir.Received) / float64(ir.Sent)
		}
		switch {
		case ir.Received > 0:
			return ""
		case errors.Is(err, context.Canceled):
			return "canceled"
		case err != nil && !errors.Is(err, context.DeadlineExceeded):
			res.noteLocal(err)
			return describe(err)
		}
		return timeoutText(limit, "") + ": no reply to " + strconv.Itoa(ir.Sent) + " echo requests"
	}
	// The target is not at fault: this machine forbids us to ping.
	res.Local, res.LocalCause = true, ErrICMPNotPermitted
	return ICMPNotPermitted
}

// resolve looks the host up with the injected resolver (pro-bing would
// use the default one). Without an IP version, IPv4 is preferred as
// ping(8) does.
func (p *icmpProber) resolve(ctx context.Context) (netip.Addr, error) {
	ips, err := p.resolver.LookupNetIP(ctx, p.network, p.host)
	if err != nil {
		return netip.Addr{}, err
	}
	if len(ips) == 0 {
		return netip.Addr{}, &net.DNSError{Err: "no addresses", Name: p.host, IsNotFound: true}
	}
	for _, ip := range ips {
		if ip.Unmap().Is4() {
			return ip.Unmap(), nil
		}
	}
	return ips[0], nil
}

// ping runs one pro-bing session. It returns the statistics, the time to
// open the socket, and the session's error (the context's when the
// budget ran out, which is how a lossy probe ends).
func (p *icmpProber) ping(ctx context.Context, ip netip.Addr, privileged bool) (*probing.Statistics, time.Duration, error) {
	pinger := probing.New("")
	pinger.SetIPAddr(&net.IPAddr{IP: ip.AsSlice(), Zone: ip.Zone()})
	pinger.SetPrivileged(privileged)
	pinger.SetLogger(probing.NoopLogger{})
	pinger.Count = p.count
	pinger.Interval = p.spacing
	pinger.RecordRtts = false
	pinger.RecordTTLs = false
	deadline, _ := ctx.Deadline()
	pinger.Timeout = time.Until(deadline)
	if pinger.Timeout <= 0 {
		return pinger.Statistics(), 0, context.DeadlineExceeded
	}
	var setup time.Duration
	begin := time.Now()
	pinger.OnSetup = func() { setup = time.Since(begin) }
	err := pinger.RunWithContext(ctx)
	return pinger.Statistics(), setup, err
}

// notPermitted reports whether err is the kernel refusing to open an
// ICMP socket: EPERM for raw sockets without CAP_NET_RAW, EACCES for
// datagram sockets outside net.ipv4.ping_group_range. The same errnos
// from sendto (a firewall) are not this and stay as they are.
func notPermitted(err error) bool {
	var se *os.SyscallError
	if !errors.As(err, &se) || se.Syscall != "socket" {
		return false
	}
	return errors.Is(se.Err, syscall.EPERM) || errors.Is(se.Err, syscall.EACCES)
}
