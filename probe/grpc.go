package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/up-status/up/config"
)

// grpcProber probes one grpc check: a fresh connection per run and one
// grpc.health.v1.Health/Check call on it.
//
// The connection is opened by our own dialer, TLS included, and handed
// to gRPC as if it were plain TCP: that way resolution goes through the
// injected resolver, the phases are timed like those of every other
// check, and the handshake yields the same certificate facts, so the
// expiry rules judge a gRPC server as they judge an HTTPS one. ALPN still
// offers h2, which gRPC servers require.
type grpcProber struct {
	identity
	ep      endpoint
	conn    connector
	service string
	tlsConf *tls.Config // nil for plaintext
	md      metadata.MD // nil when none
	ua      string
}

func newGRPC(check *config.Check, opts Options) (Prober, error) {
	c := check.GRPC
	ep, err := parseEndpoint(c.Address)
	if err != nil {
		return nil, err
	}
	p := &grpcProber{identity: identityOf(check), ep: ep, conn: *newConnector(opts.Resolver), service: c.Service, ua: "up"}
	if opts.Version != "" {
		p.ua = "up/" + opts.Version
	}
	if c.TLS {
		name := c.ServerName
		if name == "" {
			name = ep.host
		}
		p.tlsConf = clientTLSConfig(name, c.TLSSkipVerify, opts.RootCAs)
		p.tlsConf.NextProtos = []string{"h2"}
	}
	if len(c.Metadata) > 0 {
		p.md = metadata.MD{}
		for k, v := range c.Metadata {
			p.md.Set(k, string(v))
		}
	}
	return p, nil
}

// grpcDial is what the dialer of one run saw. gRPC calls the dialer on
// its own goroutine, hence the lock.
type grpcDial struct {
	mu    sync.Mutex
	done  bool
	stage string // where the dial failed
	err   error
	// current is the stage the dial is in, "" before it starts.
	current string
}

// errGRPCOneDial refuses the reconnections gRPC would make after the
// probe's one connection.
var errGRPCOneDial = errors.New("probe: one connection per run")

// Probe connects, asks the health service and judges its answer:
// SERVING passes; NOT_SERVING, UNKNOWN and an unknown service fail.
func (p *grpcProber) Probe(ctx context.Context) Result {
	start := time.Now()
	res := p.result(start)
	ctx, cancel, limit := p.budget(ctx, start)
	defer cancel()
	t := &TCPResult{}
	res.TCP = t
	res.GRPC = &GRPCResult{}
	res.Err = p.run(ctx, &res, t, limit)
	res.Success = res.Err == ""
	res.Duration = time.Since(start)
	p.expiry.judge(&res, start)
	return res
}

func (p *grpcProber) run(ctx context.Context, res *Result, t *TCPResult, limit time.Duration) string {
	var seen grpcDial
	var tlsFacts *TLSResult
	var phases [3]time.Duration
	dialer := func(_ context.Context, _ string) (net.Conn, error) {
		seen.mu.Lock()
		again := seen.done || seen.current != ""
		seen.current = "while connecting"
		seen.mu.Unlock()
		if again {
			// A probe makes one connection; gRPC reconnecting in the
			// background until Close must not dial the target again.
			return nil, errGRPCOneDial
		}
		// The probe's context, not gRPC's: the budget bounds the dial.
		conn, resolve, connect, err := p.conn.connect(ctx, p.ep, nil)
		var took time.Duration
		var facts *TLSResult
		stage := ""
		switch {
		case err != nil:
			stage = "while connecting"
			var dnsErr *net.DNSError
			if errors.As(err, &dnsErr) {
				stage = "while resolving " + p.ep.host
			}
		case p.tlsConf != nil:
			seen.mu.Lock()
			seen.current = "during the TLS handshake"
			seen.mu.Unlock()
			stop := bind(ctx, conn)
			var tc *tls.Conn
			tc, took, facts, err = handshake(conn, p.tlsConf)
			stop()
			if err != nil {
				stage = "during the TLS handshake"
			} else {
				tc.SetDeadline(time.Time{})
				conn = tc
			}
		}
		seen.mu.Lock()
		defer seen.mu.Unlock()
		phases, tlsFacts = [3]time.Duration{resolve, connect, took}, facts
		seen.done, seen.stage, seen.err = true, stage, err
		if err != nil {
			return nil, err
		}
		return conn, nil
	}
	cc, err := grpc.NewClient("passthrough:///"+p.ep.host+":"+strconv.Itoa(int(p.ep.port)),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(dialer),
		grpc.WithUserAgent(p.ua),
		grpc.WithDisableRetry(),
		grpc.WithDisableServiceConfig(),
		grpc.WithAuthority(p.authority()),
	)
	if err != nil {
		return "grpc: " + err.Error()
	}
	if p.md != nil {
		ctx = metadata.NewOutgoingContext(ctx, p.md)
	}
	rpcStart := time.Now()
	resp, err := healthpb.NewHealthClient(cc).Check(ctx, &healthpb.HealthCheckRequest{Service: p.service})
	rpcTook := time.Since(rpcStart)
	cc.Close()
	seen.mu.Lock()
	t.Resolve, t.Connect, t.TLS = phases[0], phases[1], phases[2]
	res.TLS = tlsFacts
	stage, derr, current := seen.stage, seen.err, seen.current
	dialing := !seen.done && current != ""
	seen.mu.Unlock()
	switch {
	case derr != nil:
		return res.failure(ctx, derr, limit, stage)
	case dialing:
		// The call gave up while the connection was still being made
		// (a TLS peer that never answers): that is where time ran out.
		return res.failure(ctx, context.DeadlineExceeded, limit, current)
	}
	t.Exchange = max(0, rpcTook-t.Resolve-t.Connect-t.TLS)
	if err != nil {
		return p.callFailure(ctx, res, err, limit)
	}
	res.GRPC.Status = resp.GetStatus().String()
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		return p.subject() + " is " + res.GRPC.Status
	}
	return ""
}

// authority is the :authority the call carries, as a browser sends the
// Host: the name the TLS check verifies, else the address.
func (p *grpcProber) authority() string {
	if p.tlsConf != nil && p.tlsConf.ServerName != "" && p.tlsConf.ServerName != p.ep.host {
		return net.JoinHostPort(p.tlsConf.ServerName, strconv.Itoa(int(p.ep.port)))
	}
	return net.JoinHostPort(p.ep.host, strconv.Itoa(int(p.ep.port)))
}

// subject names what was asked about, for messages.
func (p *grpcProber) subject() string {
	if p.service == "" {
		return "server"
	}
	return "service " + strconv.Quote(p.service)
}

// callFailure words a failed Check call. The health server answers
// NotFound for a service it does not know: that is SERVICE_UNKNOWN in
// the protocol's words, which are the ones operators search for.
func (p *grpcProber) callFailure(ctx context.Context, res *Result, err error, limit time.Duration) string {
	st, _ := status.FromError(err)
	switch st.Code() {
	case codes.NotFound:
		res.GRPC.Status = healthpb.HealthCheckResponse_SERVICE_UNKNOWN.String()
		return p.subject() + " is SERVICE_UNKNOWN (the server does not know it)"
	case codes.Unimplemented:
		return "the server has no health service (grpc.health.v1.Health: Unimplemented)"
	case codes.DeadlineExceeded, codes.Canceled:
		return res.failure(ctx, context.DeadlineExceeded, limit, "waiting for the health answer")
	}
	return "health check failed: " + st.Code().String() + ": " + shorten(st.Message())
}
