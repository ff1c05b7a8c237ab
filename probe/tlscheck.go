package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	"github.com/up-status/up/config"
)

// tlsProber probes one tls check: connect, shake hands, hang up. What it
// judges is the handshake itself: version, chain, name and expiry.
type tlsProber struct {
	identity
	ep      endpoint
	conn    connector
	tlsConf *tls.Config
}

func newTLS(check *config.Check, opts Options) (Prober, error) {
	c := check.TLS
	ep, err := parseEndpoint(c.Address)
	if err != nil {
		return nil, err
	}
	name := c.ServerName
	if name == "" {
		name = ep.host
	}
	conf := clientTLSConfig(name, c.TLSSkipVerify, opts.RootCAs)
	switch c.MinVersion {
	case "", "1.2":
		conf.MinVersion = tls.VersionTLS12
	case "1.3":
		conf.MinVersion = tls.VersionTLS13
	default:
		return nil, fmt.Errorf("min_version %q: want 1.2 or 1.3", c.MinVersion)
	}
	return &tlsProber{identity: identityOf(check), ep: ep, conn: *newConnector(opts.Resolver), tlsConf: conf}, nil
}

// Probe connects and shakes hands. The phases go into Result.TCP, the
// certificate facts into Result.TLS, as for a tcp check with tls.
func (p *tlsProber) Probe(ctx context.Context) Result {
	start := time.Now()
	res := p.result(start)
	ctx, cancel, limit := p.budget(ctx, start)
	defer cancel()
	t := &TCPResult{}
	res.TCP = t
	res.Err = p.run(ctx, &res, t, limit)
	res.Success = res.Err == ""
	res.Duration = time.Since(start)
	p.expiry.judge(&res, start)
	return res
}

func (p *tlsProber) run(ctx context.Context, res *Result, t *TCPResult, limit time.Duration) string {
	conn, resolve, connect, err := p.conn.connect(ctx, p.ep, nil)
	t.Resolve, t.Connect = resolve, connect
	if err != nil {
		return res.connectFailure(ctx, err, limit, p.ep.host)
	}
	stop := bind(ctx, conn)
	defer stop()
	tc, took, facts, err := handshake(conn, p.tlsConf)
	t.TLS, res.TLS = took, facts
	if err != nil {
		return res.failure(ctx, err, limit, "during the TLS handshake")
	}
	tc.Close()
	return ""
}
