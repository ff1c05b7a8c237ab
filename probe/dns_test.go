package probe

import (
	"context"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/up-status/up/config"
)

// zone is what the test DNS server knows. Names not in it are NXDOMAIN;
// silent.up.test. gets no answer at all.
var zone = map[string][]string{
	"acme.up.test. A":    {"acme.up.test. 60 IN A 10.0.0.1", "acme.up.test. 60 IN A 10.0.0.2"},
	"acme.up.test. MX":   {"acme.up.test. 60 IN MX 10 mx1.acme.up.test.", "acme.up.test. 60 IN MX 20 mx2.acme.up.test."},
	"acme.up.test. TXT":  {`acme.up.test. 60 IN TXT "v=spf1 " "-all"`},
	"acme.up.test. SOA":  {"acme.up.test. 60 IN SOA ns1.acme.up.test. admin.acme.up.test. 2026010101 3600 600 86400 60"},
	"www.up.test. A":     {"www.up.test. 60 IN CNAME acme.up.test.", "acme.up.test. 60 IN A 10.0.0.1"},
	"acme.up.test. AAAA": {},
}

// dnsHandler answers from zone, with one authority and one additional
// record on every answer so that the section counts can be checked, and
// cuts UDP answers to the client's buffer as real servers do.
func dnsHandler(w dns.ResponseWriter, q *dns.Msg) {
	name := q.Question[0].Name
	if name == "silent.up.test." {
		return
	}
	m := new(dns.Msg)
	m.SetReply(q)
	if name == "big.up.test." {
		for i := range 40 {
			rr, _ := dns.NewRR("big.up.test. 60 IN TXT \"" + strings.Repeat("x", 60) + string(rune('a'+i%26)) + "\"")
			m.Answer = append(m.Answer, rr)
		}
	} else {
		rrs, ok := zone[name+" "+dns.TypeToString[q.Question[0].Qtype]]
		if !ok {
			m.Rcode = dns.RcodeNameError
		}
		for _, s := range rrs {
			rr, err := dns.NewRR(s)
			if err != nil {
				panic(err)
			}
			m.Answer = append(m.Answer, rr)
		}
		ns, _ := dns.NewRR("up.test. 60 IN NS ns1.up.test.")
		glue, _ := dns.NewRR("ns1.up.test. 60 IN A 127.0.0.1")
		m.Ns, m.Extra = []dns.RR{ns}, []dns.RR{glue}
	}
	if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
		size := dns.MinMsgSize
		if opt := q.IsEdns0(); opt != nil {
			size = int(opt.UDPSize())
			m.SetEdns0(opt.UDPSize(), false)
		}
		m.Truncate(size)
	}
	w.WriteMsg(m)
}

// dnsServers runs the test zone on 127.0.0.1 over UDP, TCP and, when
// cert is given, TLS, and returns their addresses.
type dnsServers struct{ udp, tcp, tls string }

func serveZone(t testing.TB, cert *tls.Certificate) dnsServers {
	t.Helper()
	var out dnsServers
	start := func(srv *dns.Server) {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		srv.Handler = dns.HandlerFunc(dnsHandler)
		go srv.ActivateAndServe()
		select {
		case <-started:
		case <-time.After(10 * time.Second):
			t.Fatal("dns server did not start")
		}
		t.Cleanup(func() { srv.Shutdown() })
	}
	// UDP and TCP share the port, as on real servers: a truncated UDP
	// answer is asked again over TCP at the same address.
	var (
		pc  net.PacketConn
		ln  net.Listener
		err error
	)
	for range 20 {
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	start(&dns.Server{PacketConn: pc})
	out.udp = pc.LocalAddr().String()
	start(&dns.Server{Listener: ln, ReadTimeout: 5 * time.Second})
	out.tcp = ln.Addr().String()
	if cert != nil {
		tl, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{*cert}})
		if err != nil {
			t.Fatal(err)
		}
		start(&dns.Server{Listener: tl, Net: "tcp-tls", ReadTimeout: 5 * time.Second})
		out.tls = tl.Addr().String()
	}
	return out
}

func dnsCheck(server string, timeout time.Duration, mod func(*config.DNSCheck)) *config.Check {
	c := &config.Check{ID: "dns.q", Component: "dns", Name: "q", Timeout: timeout,
		DNS: &config.DNSCheck{Server: server, Name: "acme.up.test", Type: "A", Transport: "udp", Rcode: "NOERROR"}}
	if mod != nil {
		mod(c.DNS)
	}
	return c
}

func regexpOf(t *testing.T, expr string) *config.Regexp {
	t.Helper()
	r, err := config.NewRegexp(expr)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDNSAnswersAndAssertions(t *testing.T) {
	srv := serveZone(t, nil)
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			addr := srv.udp
			if transport == "tcp" {
				addr = srv.tcp
			}
			c := dnsCheck(addr, 10*time.Second, func(d *config.DNSCheck) {
				d.Transport = transport
				d.MinAnswers = 2
				d.AnswerContains = "10.0.0.2"
				d.AnswerMatches = regexpOf(t, `^10\.0\.0\.1$`)
				d.AllMatch = regexpOf(t, `^10\.`)
			})
			r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
			if !r.Success || r.Err != "" || r.Type != "dns" {
				t.Fatalf("Success=%v Err=%q type %q", r.Success, r.Err, r.Type)
			}
			d := r.DNS
			if d.Rcode != "NOERROR" || d.Answer != 2 || d.Authority != 1 || d.Additional != 1 || d.Server != addr {
				t.Errorf("DNS = %+v", *d)
			}
			if !slices.Equal(d.Values, []string{"10.0.0.1", "10.0.0.2"}) {
				t.Errorf("values = %q", d.Values)
			}
			want := []string{"min_answers 2", `answer_contains "10.0.0.2"`, `answer_matches "^10\\.0\\.0\\.1$"`, `all_match "^10\\."`}
			if !slices.Equal(d.Passed, want) {
				t.Errorf("passed = %q, want %q", d.Passed, want)
			}
			if d.Request <= 0 || d.Resolve != 0 {
				t.Errorf("phases: resolve %v request %v", d.Resolve, d.Request)
			}
			if transport == "tcp" && d.Connect <= 0 {
				t.Errorf("tcp connect phase %v", d.Connect)
			}
		})
	}
}

func TestDNSFailuresSayWhatWasSeen(t *testing.T) {
	srv := serveZone(t, nil)
	tests := []struct {
		name string
		mod  func(*config.DNSCheck)
		want string
	}{
		{"nxdomain", func(d *config.DNSCheck) { d.Name = "nope.up.test" }, "rcode NXDOMAIN, want NOERROR"},
		{"nxdomain wanted", func(d *config.DNSCheck) { d.Name = "nope.up.test"; d.Rcode = "NXDOMAIN" }, ""},
		{"contains", func(d *config.DNSCheck) { d.AnswerContains = "10.9.9.9" },
			`answer_contains "10.9.9.9" failed: no A record contains it; got "10.0.0.1", "10.0.0.2"`},
		{"matches", func(d *config.DNSCheck) { d.AnswerMatches = regexpOf(t, `^192\.`) },
			`answer_matches "^192\\." failed: no A record matches; got "10.0.0.1", "10.0.0.2"`},
		{"all match", func(d *config.DNSCheck) { d.AllMatch = regexpOf(t, `1$`) },
			`all_match "1$" failed: record "10.0.0.2" does not match`},
		{"min answers", func(d *config.DNSCheck) { d.MinAnswers = 3 }, "min_answers 3 failed: got 2 A records"},
		{"no records", func(d *config.DNSCheck) { d.Type = "AAAA"; d.MinAnswers = 1 }, "min_answers 1 failed: got 0 AAAA records"},
		{"empty for all_match", func(d *config.DNSCheck) { d.Type = "AAAA"; d.AllMatch = regexpOf(t, ".") }, "all_match \".\" failed: no AAAA records"},
		{"mx", func(d *config.DNSCheck) { d.Type = "MX"; d.AnswerMatches = regexpOf(t, `^20 mx2\.`) }, ""},
		{"txt joined", func(d *config.DNSCheck) { d.Type = "TXT"; d.AnswerContains = "v=spf1 -all" }, ""},
		{"cname chain", func(d *config.DNSCheck) { d.Name = "www.up.test"; d.AllMatch = regexpOf(t, `^10\.0\.0\.1$`) }, ""},
		{"soa serial", func(d *config.DNSCheck) { d.Type = "SOA"; d.SOASerialMin = 2026010101 }, ""},
		{"soa serial low", func(d *config.DNSCheck) { d.Type = "SOA"; d.SOASerialMin = 2026020100 },
			"soa_serial_min 2026020100 failed: serial is 2026010101"},
		{"no answer", func(d *config.DNSCheck) { d.Name = "silent.up.test" }, "timeout after 300ms waiting for the answer from " + srv.udp},
		{"refused", func(d *config.DNSCheck) { d.Server = closedPort(t); d.Transport = "tcp" }, "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dnsCheck(srv.udp, timeoutFor(tt.want), tt.mod)
			r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
			if r.Success != (tt.want == "") || r.Err != tt.want {
				t.Fatalf("Success=%v Err=%q\nwant %q", r.Success, r.Err, tt.want)
			}
		})
	}
}

func TestDNSSOASerialAndTruncation(t *testing.T) {
	srv := serveZone(t, nil)
	c := dnsCheck(srv.udp, 10*time.Second, func(d *config.DNSCheck) { d.Type = "SOA" })
	r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if !r.Success || !r.DNS.HasSerial || r.DNS.Serial != 2026010101 {
		t.Fatalf("SOA: Success=%v Err=%q DNS=%+v", r.Success, r.Err, *r.DNS)
	}
	// 40 TXT records of 60 bytes do not fit 1232 bytes of UDP: the probe
	// must ask again over TCP and see them all.
	c = dnsCheck(srv.udp, 10*time.Second, func(d *config.DNSCheck) { d.Name = "big.up.test"; d.Type = "TXT"; d.MinAnswers = 40 })
	r = probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if !r.Success || r.DNS.Answer != 40 || len(r.DNS.Values) != maxShownValues {
		t.Fatalf("truncated answer: Success=%v Err=%q answers %d values %d", r.Success, r.Err, r.DNS.Answer, len(r.DNS.Values))
	}
}

func TestDNSServerByName(t *testing.T) {
	srv := serveZone(t, nil)
	_, port, _ := net.SplitHostPort(srv.udp)
	c := dnsCheck("app.up.test:"+port, 10*time.Second, nil)
	r := probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if !r.Success || r.DNS.Resolve <= 0 {
		t.Fatalf("Success=%v Err=%q resolve %v", r.Success, r.Err, r.DNS.Resolve)
	}
	c = dnsCheck("nowhere.up.test:"+port, 10*time.Second, nil)
	r = probeWithin(t, mustNew(t, c, testOptions(t)), c.Timeout)
	if r.Success || r.Err != "no such host nowhere.up.test" {
		t.Fatalf("unknown server name: Success=%v Err=%q", r.Success, r.Err)
	}
}

func TestDNSOverTLS(t *testing.T) {
	ca := newPKI(t)
	cert := ca.issue(t, certSpec{names: []string{"ns.up.test"}, notAfter: time.Now().Add(10*24*time.Hour + time.Hour)})
	srv := serveZone(t, &cert)
	opts := testOptions(t)
	opts.RootCAs = ca.pool
	c := dnsCheck(srv.tls, 10*time.Second, func(d *config.DNSCheck) {
		d.Transport, d.ServerName, d.MinAnswers = "tls", "ns.up.test", 2
	})
	c.TLSExpiryWarn, c.TLSExpiryCritical = config.DefaultTLSExpiryWarn, config.DefaultTLSExpiryCritical
	r := probeWithin(t, mustNew(t, c, opts), c.Timeout)
	if !r.Success || r.DNS.Answer != 2 || r.TLS == nil || r.TLS.Version != "TLS 1.3" {
		t.Fatalf("Success=%v Err=%q DNS=%+v TLS=%+v", r.Success, r.Err, *r.DNS, r.TLS)
	}
	if !strings.HasPrefix(r.Degraded, "certificate for ns.up.test expires in 10 days") {
		t.Errorf("Degraded = %q: a certificate 10 days from its end must degrade the probe", r.Degraded)
	}

	// The server's name is verified like any TLS peer's.
	c.DNS.ServerName = "other.up.test"
	r = probeWithin(t, mustNew(t, c, opts), c.Timeout)
	if r.Success || !strings.Contains(r.Err, "certificate is valid for ns.up.test, not other.up.test") {
		t.Fatalf("wrong name: Success=%v Err=%q", r.Success, r.Err)
	}
}

func TestDNSServerFromResolvConf(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "resolv.conf")
	if err := os.WriteFile(path, []byte("search up.test\nnameserver ::1\nnameserver 127.0.0.1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := systemServer(path); err != nil || got != "[::1]:53" {
		t.Errorf("systemServer = %q, %v; want the first nameserver on port 53", got, err)
	}
	// Built, never probed: port 53 on this machine is not the test's.
	c := dnsCheck("", time.Second, nil)
	p, err := New(c, Options{ResolvConf: path})
	if err != nil || p.(*dnsProber).serverText != "[::1]:53" {
		t.Fatalf("New = %v, %v", p, err)
	}
	os.WriteFile(path, []byte("search up.test\n"), 0o600)
	if _, err := New(c, Options{ResolvConf: path}); err == nil || !strings.Contains(err.Error(), "names no nameserver") {
		t.Errorf("resolv.conf without nameservers: %v", err)
	}
}

func TestDNSCancelledByCaller(t *testing.T) {
	srv := serveZone(t, nil)
	c := dnsCheck(srv.udp, 10*time.Second, func(d *config.DNSCheck) { d.Name = "silent.up.test" })
	p := mustNew(t, c, testOptions(t))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	r := p.Probe(ctx)
	if r.Success || r.Err != "canceled" || time.Since(start) > margin {
		t.Errorf("Success=%v Err=%q after %v", r.Success, r.Err, time.Since(start))
	}
}

// BenchmarkDNSProbe measures one UDP question to a server on loopback,
// the probe's own CPU time included in cpu-ns/op.
func BenchmarkDNSProbe(b *testing.B) {
	srv := serveZone(b, nil)
	c := dnsCheck(srv.udp, 5*time.Second, func(d *config.DNSCheck) { d.AnswerContains = "10.0.0.2" })
	p, err := New(c, Options{Resolver: &net.Resolver{PreferGo: true, Dial: refuseDNS}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	cpu := cpuTime(b)
	b.ResetTimer()
	for b.Loop() {
		if r := p.Probe(ctx); !r.Success {
			b.Fatal(r.Err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N), "cpu-ns/op")
}
