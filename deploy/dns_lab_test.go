package deploy

import (
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// startDNS runs a DNS server on loopback UDP that answers every question
// with the SOA of up.test, so that a SOA check fills every DNS series
// (answer, authority and additional counts, the serial). It returns the
// server's address.
func startDNS(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	soa, _ := dns.NewRR("up.test. 60 IN SOA ns1.up.test. admin.up.test. 2026120101 3600 600 86400 60")
	ns, _ := dns.NewRR("up.test. 60 IN NS ns1.up.test.")
	glue, _ := dns.NewRR("ns1.up.test. 60 IN A 127.0.0.1")
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		m.Answer, m.Ns, m.Extra = []dns.RR{soa}, []dns.RR{ns}, []dns.RR{glue}
		w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the DNS server did not start")
	}
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}
