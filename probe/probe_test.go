package probe

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/up-status/up/config"
)

// margin is how late a probe may return after its timeout before a test
// calls it a hang. It is generous on purpose: CI machines stall, and a
// real hang takes forever, not a few seconds.
const margin = 5 * time.Second

// timeoutFor gives a test case a short timeout when the case is about
// timing out and a roomy one otherwise, so that a slow CI machine cannot
// turn an expected success or error into a timeout.
func timeoutFor(want string) time.Duration {
	if strings.HasPrefix(want, "timeout") {
		return 300 * time.Millisecond
	}
	return 10 * time.Second
}

func mustNew(t *testing.T, c *config.Check, opts Options) Prober {
	t.Helper()
	p, err := New(c, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

// probeWithin runs one probe and fails the test if it outlives the
// check's timeout by more than margin: no probe may hang.
func probeWithin(t *testing.T, p Prober, timeout time.Duration) Result {
	t.Helper()
	start := time.Now()
	r := p.Probe(context.Background())
	if took := time.Since(start); took > timeout+margin {
		t.Fatalf("probe took %v, timeout %v", took, timeout)
	}
	return r
}

// testResolver returns a resolver that asks only a DNS server on
// loopback, which knows the names in hosts and answers NXDOMAIN for the
// rest. Tests use it everywhere so that no lookup leaves the machine.
func testResolver(t *testing.T, hosts map[string][]netip.Addr) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		serveDNS(pc, hosts)
	}()
	t.Cleanup(func() {
		pc.Close()
		<-done
	})
	addr := pc.LocalAddr().String()
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "udp", addr)
		},
	}
}

// hangingResolver never answers, for timeouts while resolving.
func hangingResolver() *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		},
	}
}

// serveDNS answers A and AAAA questions from hosts until pc is closed.
func serveDNS(pc net.PacketConn, hosts map[string][]netip.Addr) {
	buf := make([]byte, 1500)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if answer, err := dnsAnswer(buf[:n], hosts); err == nil {
			pc.WriteTo(answer, from)
		}
	}
}

func dnsAnswer(query []byte, hosts map[string][]netip.Addr) ([]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, err
	}
	q, err := p.Question()
	if err != nil {
		return nil, err
	}
	name := strings.ToLower(strings.TrimSuffix(q.Name.String(), "."))
	ips, known := hosts[name]
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired}
	if !known {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(q); err != nil {
		return nil, err
	}
	if err := b.StartAnswers(); err != nil {
		return nil, err
	}
	rr := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}
	for _, ip := range ips {
		switch {
		case q.Type == dnsmessage.TypeA && ip.Is4():
			err = b.AResource(rr, dnsmessage.AResource{A: ip.As4()})
		case q.Type == dnsmessage.TypeAAAA && ip.Is6():
			err = b.AAAAResource(rr, dnsmessage.AAAAResource{AAAA: ip.As16()})
		}
		if err != nil {
			return nil, err
		}
	}
	return b.Finish()
}

// testOptions wires a loopback DNS server that knows app.up.test.
func testOptions(t *testing.T) Options {
	return Options{
		Resolver: testResolver(t, map[string][]netip.Addr{"app.up.test": {netip.MustParseAddr("127.0.0.1")}}),
		Version:  "1.2.3",
	}
}

// tcpServer accepts on loopback and runs handle for each connection.
// Cleanup closes the listener and every connection and waits for the
// handlers, so none outlives its test.
type tcpServer struct {
	ln    net.Listener
	addr  string
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
}

func serveTCP(t *testing.T, handle func(net.Conn)) *tcpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveListener(t, ln, handle)
}

// serveListener is serveTCP for a listener made elsewhere (TLS).
func serveListener(t *testing.T, ln net.Listener, handle func(net.Conn)) *tcpServer {
	s := &tcpServer{ln: ln, addr: ln.Addr().String()}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

// silent holds a connection open without a word until it is closed.
func silent(c net.Conn) {
	buf := make([]byte, 1024)
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}

// closedPort returns a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// testPKI is a certificate authority made for one test.
type testPKI struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
	pool *x509.CertPool
}

func newPKI(t testing.TB) *testPKI {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "up test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testPKI{key: key, cert: cert, pool: pool}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// certSpec says what to issue; zero times mean "valid for a year".
type certSpec struct {
	names               []string // DNS names or IP addresses
	notBefore, notAfter time.Time
	// intermediateNotAfter, when set, issues the leaf through an
	// intermediate CA with that expiry and presents both.
	intermediateNotAfter time.Time
	client               bool // a client certificate rather than a server's
}

// issue returns a server certificate chain signed by the test CA.
func (ca *testPKI) issue(t testing.TB, spec certSpec) tls.Certificate {
	t.Helper()
	if spec.notBefore.IsZero() {
		spec.notBefore = time.Now().Add(-time.Hour)
	}
	if spec.notAfter.IsZero() {
		spec.notAfter = time.Now().Add(365 * 24 * time.Hour)
	}
	signer, signerKey := ca.cert, ca.key
	var chain [][]byte
	if !spec.intermediateNotAfter.IsZero() {
		ikey := newKey(t)
		itmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(2),
			Subject:               pkix.Name{CommonName: "up test intermediate"},
			NotBefore:             spec.notBefore,
			NotAfter:              spec.intermediateNotAfter,
			IsCA:                  true,
			BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageCertSign,
		}
		der, err := x509.CreateCertificate(rand.Reader, itmpl, ca.cert, &ikey.PublicKey, ca.key)
		if err != nil {
			t.Fatal(err)
		}
		inter, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		signer, signerKey = inter, ikey
		chain = append(chain, der)
	}
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(3),
		Subject:      pkix.Name{CommonName: "up test server"},
		NotBefore:    spec.notBefore,
		NotAfter:     spec.notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if spec.client {
		tmpl.Subject.CommonName = "up test client"
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	for _, n := range spec.names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: append([][]byte{der}, chain...), PrivateKey: key, Leaf: leaf}
}

func TestNewRefusesWhatItCannotProbe(t *testing.T) {
	tests := []struct {
		name  string
		check *config.Check
		want  string
	}{
		{"nil", nil, "nil check"},
		{"no type", &config.Check{ID: "a.b"}, "probe a.b: no probe type set"},
		{"bad scheme", &config.Check{ID: "a.b", HTTP: &config.HTTPCheck{URL: "ftp://x/"}}, "scheme must be http or https"},
		{"no host", &config.Check{ID: "a.b", HTTP: &config.HTTPCheck{URL: "http:///path"}}, "missing host"},
		{"bad url", &config.Check{ID: "a.b", HTTP: &config.HTTPCheck{URL: "http://[::1"}}, "missing ']'"},
		{"tcp no port", &config.Check{ID: "a.b", TCP: &config.TCPCheck{Address: "example.com"}}, "missing port"},
		{"tcp bad port", &config.Check{ID: "a.b", TCP: &config.TCPCheck{Address: "example.com:http"}}, "port must be a number"},
		{"tcp port 0", &config.Check{ID: "a.b", TCP: &config.TCPCheck{Address: "127.0.0.1:0"}}, "port must be a number"},
		{"icmp no host", &config.Check{ID: "a.b", ICMP: &config.ICMPCheck{}}, "missing host"},
		{"icmp ip version", &config.Check{ID: "a.b", ICMP: &config.ICMPCheck{Host: "h", IPVersion: "5"}}, `ip_version "5"`},
		{"icmp wrong family", &config.Check{ID: "a.b", ICMP: &config.ICMPCheck{Host: "::1", IPVersion: "4"}}, "not an IPv4 address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.check, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New = %v, %v; want error containing %q", p, err, tt.want)
			}
		})
	}
}

func TestNewPicksProberByType(t *testing.T) {
	checks := map[string]*config.Check{
		"http": {HTTP: &config.HTTPCheck{URL: "http://127.0.0.1/"}},
		"tcp":  {TCP: &config.TCPCheck{Address: "127.0.0.1:80"}},
		"icmp": {ICMP: &config.ICMPCheck{Host: "127.0.0.1"}},
	}
	for typ, c := range checks {
		p := mustNew(t, c, Options{})
		var ok bool
		switch typ {
		case "http":
			_, ok = p.(*httpProber)
		case "tcp":
			_, ok = p.(*tcpProber)
		case "icmp":
			_, ok = p.(*icmpProber)
		}
		if !ok {
			t.Errorf("New(%s check) = %T", typ, p)
		}
	}
}

func TestBudgetTakesTheEarlierDeadline(t *testing.T) {
	id := identityOf(&config.Check{Timeout: time.Hour})
	start := time.Now()
	parent, cancel := context.WithDeadline(context.Background(), start.Add(1500*time.Millisecond))
	defer cancel()
	ctx, cancel2, limit := id.budget(parent, start)
	defer cancel2()
	if limit != 1500*time.Millisecond {
		t.Errorf("limit = %v, want the caller's 1.5s", limit)
	}
	if d, _ := ctx.Deadline(); !d.Equal(start.Add(1500 * time.Millisecond)) {
		t.Errorf("deadline = %v", d)
	}

	id = identityOf(&config.Check{})
	_, cancel3, limit := id.budget(context.Background(), start)
	defer cancel3()
	if limit != config.DefaultTimeout {
		t.Errorf("no timeout: limit = %v, want %v", limit, config.DefaultTimeout)
	}
}
