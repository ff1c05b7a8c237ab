package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/up-status/up/config"
)

// DNSResult holds DNS facts of a probe.
type DNSResult struct {
	// Resolve is the lookup of the server's own name (0 for an IP),
	// Connect opening the connection (with the TLS handshake for DNS over
	// TLS), Request the question and its answer. A UDP answer cut short
	// is asked again over TCP; both attempts count.
	Resolve, Connect, Request time.Duration
	Server                    string // host:port asked
	Rcode                     string // "NOERROR"; "" when no answer came
	// Record counts of the answer's sections, the EDNS OPT pseudo-record
	// left out of Additional.
	Answer, Authority, Additional int
	// Serial is the SOA serial of the answer, when it has a SOA record.
	Serial    uint32
	HasSerial bool
	// Values are the values of the answer records of the asked type
	// ("10 mx.acme.example." for MX), the first maxShownValues of them.
	Values []string
	// Passed lists the assertions that held, in the check's words:
	// `answer_contains "10.0.0.1"`. A failed one is in Result.Err.
	Passed []string
}

// maxShownValues caps the values a result keeps: enough to see what the
// server said, bounded for a name with thousands of records.
const maxShownValues = 20

// maxSeen caps what an assertion error quotes of the answer.
const maxSeen = 200

// dnsEDNSSize is the UDP payload size offered (the DNS flag day 2020
// value): large enough that most answers need no TCP retry, small enough
// to avoid IP fragmentation.
const dnsEDNSSize = 1232

// dnsProber asks one question of one server and judges the answer.
type dnsProber struct {
	identity
	server     endpoint
	serverText string // host:port, for messages
	conn       connector
	transport  string // udp | tcp | tls
	tlsConf    *tls.Config
	client     dns.Client
	qname      string
	qtype      uint16
	rcode      int
	rcodeName  string
	asserts    []assertion
}

// assertion is one test of the answer values; desc names it as the
// check's file does, for Passed and errors.
type assertion struct {
	desc string
	test func(d *DNSResult, values []string) string // "" when it holds
}

func newDNS(check *config.Check, opts Options) (Prober, error) {
	c := check.DNS
	server := c.Server
	if server == "" {
		s, err := systemServer(opts.ResolvConf)
		if err != nil {
			return nil, err
		}
		server = s
	}
	ep, err := parseEndpoint(server)
	if err != nil {
		return nil, err
	}
	p := &dnsProber{identity: identityOf(check), server: ep, serverText: server, conn: *newConnector(opts.Resolver), transport: c.Transport}
	p.client.Timeout = p.timeout
	switch c.Transport {
	case "", "udp":
		p.transport = "udp"
	case "tcp":
	case "tls":
		name := c.ServerName
		if name == "" {
			name = ep.host
		}
		p.tlsConf = clientTLSConfig(name, c.TLSSkipVerify, opts.RootCAs)
	default:
		return nil, fmt.Errorf("transport %q: want udp, tcp or tls", c.Transport)
	}
	typ := c.Type
	if typ == "" {
		typ = config.DefaultDNSType
	}
	qtype, ok := dns.StringToType[typ]
	if !ok {
		return nil, fmt.Errorf("type %q: not a record type", typ)
	}
	p.qtype = qtype
	p.qname = dns.Fqdn(c.Name)
	if _, ok := dns.IsDomainName(p.qname); !ok {
		return nil, fmt.Errorf("name %q: not a domain name", c.Name)
	}
	p.rcodeName = c.Rcode
	if p.rcodeName == "" {
		p.rcodeName = config.DefaultDNSRcode
	}
	if p.rcode, ok = dns.StringToRcode[p.rcodeName]; !ok {
		return nil, fmt.Errorf("rcode %q: not a response code", p.rcodeName)
	}
	p.asserts = assertionsOf(c, typ)
	return p, nil
}

// systemServer is the first nameserver of the resolver configuration at
// path (/etc/resolv.conf when empty), as host:port.
func systemServer(path string) (string, error) {
	if path == "" {
		path = "/etc/resolv.conf"
	}
	cc, err := dns.ClientConfigFromFile(path)
	if err != nil {
		return "", fmt.Errorf("no server set and %s cannot be read: %w", path, err)
	}
	if len(cc.Servers) == 0 {
		return "", fmt.Errorf("no server set and %s names no nameserver", path)
	}
	return net.JoinHostPort(cc.Servers[0], cc.Port), nil
}

// assertionsOf builds the tests a check asks for, in a fixed order.
func assertionsOf(c *config.DNSCheck, typ string) []assertion {
	var out []assertion
	if c.MinAnswers > 0 {
		n := c.MinAnswers
		out = append(out, assertion{"min_answers " + strconv.Itoa(n), func(_ *DNSResult, v []string) string {
			if len(v) >= n {
				return ""
			}
			return "got " + strconv.Itoa(len(v)) + " " + typ + " records"
		}})
	}
	if s := c.AnswerContains; s != "" {
		out = append(out, assertion{"answer_contains " + strconv.Quote(s), func(_ *DNSResult, v []string) string {
			for _, x := range v {
				if strings.Contains(x, s) {
					return ""
				}
			}
			return "no " + typ + " record contains it; got " + seen(v)
		}})
	}
	if c.AnswerMatches != nil {
		re := c.AnswerMatches.Regexp
		out = append(out, assertion{"answer_matches " + strconv.Quote(re.String()), func(_ *DNSResult, v []string) string {
			for _, x := range v {
				if re.MatchString(x) {
					return ""
				}
			}
			return "no " + typ + " record matches; got " + seen(v)
		}})
	}
	if c.AllMatch != nil {
		re := c.AllMatch.Regexp
		out = append(out, assertion{"all_match " + strconv.Quote(re.String()), allMatch(re, typ)})
	}
	if c.SOASerialMin > 0 {
		lowest := c.SOASerialMin
		out = append(out, assertion{"soa_serial_min " + strconv.FormatInt(lowest, 10), func(d *DNSResult, _ []string) string {
			switch {
			case !d.HasSerial:
				return "the answer has no SOA record"
			case int64(d.Serial) < lowest:
				return "serial is " + strconv.FormatUint(uint64(d.Serial), 10)
			}
			return ""
		}})
	}
	return out
}

func allMatch(re *regexp.Regexp, typ string) func(*DNSResult, []string) string {
	return func(_ *DNSResult, v []string) string {
		if len(v) == 0 {
			return "no " + typ + " records"
		}
		for _, x := range v {
			if !re.MatchString(x) {
				return "record " + truncate(strconv.Quote(x), maxSeen) + " does not match"
			}
		}
		return ""
	}
}

// Probe asks the question and judges the answer.
func (p *dnsProber) Probe(ctx context.Context) Result {
	start := time.Now()
	res := p.result(start)
	ctx, cancel, limit := p.budget(ctx, start)
	defer cancel()
	d := &DNSResult{Server: p.serverText}
	res.DNS = d
	res.Err = p.run(ctx, &res, d, limit)
	res.Success = res.Err == ""
	res.Duration = time.Since(start)
	p.expiry.judge(&res, start)
	return res
}

func (p *dnsProber) run(ctx context.Context, res *Result, d *DNSResult, limit time.Duration) string {
	m := new(dns.Msg)
	m.SetQuestion(p.qname, p.qtype)
	transport := p.transport
	if transport == "udp" {
		m.SetEdns0(dnsEDNSSize, false)
	}
	r, err := p.exchange(ctx, res, d, m, transport, limit)
	if err == nil && r.Truncated && transport == "udp" {
		// Records would be missing: ask again where they fit.
		m.Id = dns.Id()
		r, err = p.exchange(ctx, res, d, m, "tcp", limit)
	}
	if err != nil {
		return err.Error()
	}
	return p.judge(r, d)
}

// stageError is a failure already put in words.
type stageError string

func (e stageError) Error() string { return string(e) }

// exchange opens a connection over transport, asks m and reads the
// answer, adding each phase's time to d.
func (p *dnsProber) exchange(ctx context.Context, res *Result, d *DNSResult, m *dns.Msg, transport string, limit time.Duration) (*dns.Msg, error) {
	conn, err := p.dial(ctx, res, d, transport, limit)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := bind(ctx, conn)
	defer stop()
	co := &dns.Conn{Conn: conn}
	r, rtt, err := p.client.ExchangeWithConnContext(ctx, m, co)
	d.Request += rtt
	if err != nil {
		return nil, stageError(res.failure(ctx, err, limit, "waiting for the answer from "+d.Server))
	}
	return r, nil
}

// dial resolves the server (unless it is an IP) and connects, over TLS
// for transport tls.
func (p *dnsProber) dial(ctx context.Context, res *Result, d *DNSResult, transport string, limit time.Duration) (net.Conn, error) {
	var (
		conn             net.Conn
		resolve, connect time.Duration
		err              error
	)
	if transport == "udp" {
		conn, resolve, connect, err = p.dialUDP(ctx)
	} else {
		conn, resolve, connect, err = p.conn.connect(ctx, p.server, nil)
	}
	d.Resolve += resolve
	d.Connect += connect
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			return nil, stageError(res.failure(ctx, err, limit, "while resolving "+p.server.host))
		}
		return nil, stageError(res.failure(ctx, err, limit, "while connecting to "+d.Server))
	}
	if transport != "tls" {
		return conn, nil
	}
	stop := bind(ctx, conn)
	tc, took, facts, err := handshake(conn, p.tlsConf)
	stop()
	d.Connect += took
	res.TLS = facts
	if err != nil {
		return nil, stageError(res.failure(ctx, err, limit, "during the TLS handshake"))
	}
	return tc, nil
}

// dialUDP "connects" a UDP socket to the server: nothing is sent, so
// the connect phase is only the socket's setup.
func (p *dnsProber) dialUDP(ctx context.Context) (net.Conn, time.Duration, time.Duration, error) {
	addr := p.server.addr
	var resolve time.Duration
	if !p.server.ip.IsValid() {
		start := time.Now()
		ips, err := p.conn.resolver.LookupNetIP(ctx, "ip", p.server.host)
		resolve = time.Since(start)
		if err != nil {
			return nil, resolve, 0, err
		}
		if len(ips) == 0 {
			return nil, resolve, 0, &net.DNSError{Err: "no addresses", Name: p.server.host, IsNotFound: true}
		}
		addr = net.JoinHostPort(ips[0].Unmap().String(), strconv.Itoa(int(p.server.port)))
	}
	start := time.Now()
	var dl net.Dialer
	conn, err := dl.DialContext(ctx, "udp", addr)
	return conn, resolve, time.Since(start), err
}

// judge checks the answer against the check.
func (p *dnsProber) judge(r *dns.Msg, d *DNSResult) string {
	d.Rcode = rcodeName(r.Rcode)
	d.Answer, d.Authority = len(r.Answer), len(r.Ns)
	for _, rr := range r.Extra {
		if rr.Header().Rrtype != dns.TypeOPT {
			d.Additional++
		}
	}
	var values []string
	for _, rr := range r.Answer {
		if soa, ok := rr.(*dns.SOA); ok && !d.HasSerial {
			d.Serial, d.HasSerial = soa.Serial, true
		}
		if rr.Header().Rrtype == p.qtype {
			values = append(values, rrValue(rr))
		}
	}
	d.Values = values[:min(len(values), maxShownValues)]
	if r.Rcode != p.rcode {
		return "rcode " + d.Rcode + ", want " + p.rcodeName
	}
	for _, a := range p.asserts {
		if msg := a.test(d, values); msg != "" {
			return a.desc + " failed: " + msg
		}
		d.Passed = append(d.Passed, a.desc)
	}
	return ""
}

// rcodeName spells a response code as dig does.
func rcodeName(code int) string {
	if s, ok := dns.RcodeToString[code]; ok {
		return s
	}
	return "RCODE" + strconv.Itoa(code)
}

// rrValue is a record's data without its header, as assertions see it:
// "10.0.0.1" for A, "10 mx.acme.example." for MX, the joined text of
// TXT strings.
func rrValue(rr dns.RR) string {
	switch v := rr.(type) {
	case *dns.A:
		return v.A.String()
	case *dns.AAAA:
		return v.AAAA.String()
	case *dns.CNAME:
		return v.Target
	case *dns.NS:
		return v.Ns
	case *dns.PTR:
		return v.Ptr
	case *dns.MX:
		return strconv.Itoa(int(v.Preference)) + " " + v.Mx
	case *dns.TXT:
		n := 0
		for _, s := range v.Txt {
			n += len(s)
		}
		b := make([]byte, 0, n)
		for _, s := range v.Txt {
			b = append(b, s...)
		}
		return string(b)
	}
	s, h := rr.String(), rr.Header().String()
	if len(s) >= len(h) && s[:len(h)] == h {
		return s[len(h):]
	}
	return s
}

// seen lists values for an error message, cut at maxSeen bytes.
func seen(values []string) string {
	if len(values) == 0 {
		return "no records"
	}
	var b []byte
	for i, v := range values {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendQuote(b, v)
		if len(b) > maxSeen {
			break
		}
	}
	return truncate(string(b), maxSeen)
}

// truncate cuts s to n bytes, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
