package probe

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Summary describes the result for a person at a terminal (`up probe`):
// verdict, status and total time first, then the error and the phases.
//
//	success  http 200  total 12.3ms  https://acme.example/
//	  resolve 1.20ms  connect 0.31ms  tls 4.10ms  processing 5.6ms  transfer 0.12ms
//	  HTTP/2.0  redirects 0  body 5123 bytes
//	  TLS 1.3  earliest certificate expiry 2027-03-01T00:00:00Z (in 95 days)
func (r Result) Summary() string {
	var b strings.Builder
	if r.Success {
		b.WriteString("success  ")
	} else {
		b.WriteString("failure  ")
	}
	b.WriteString(r.Type)
	if r.HTTP != nil && r.HTTP.StatusCode != 0 {
		b.WriteString(" " + strconv.Itoa(r.HTTP.StatusCode))
	}
	if r.DNS != nil && r.DNS.Rcode != "" {
		b.WriteString(" " + r.DNS.Rcode)
	}
	if r.WebSocket != nil && r.WebSocket.StatusCode != 0 {
		b.WriteString(" " + strconv.Itoa(r.WebSocket.StatusCode))
	}
	if r.GRPC != nil && r.GRPC.Status != "" {
		b.WriteString(" " + r.GRPC.Status)
	}
	if i := r.ICMP; i != nil && i.Received > 0 {
		// Duration is the round trip then, not the probe's wall clock.
		b.WriteString("  rtt " + shortDuration(r.Duration))
	} else {
		b.WriteString("  total " + shortDuration(r.Duration))
	}
	if r.Target != "" {
		b.WriteString("  " + r.Target)
	}
	b.WriteByte('\n')
	if r.Err != "" {
		b.WriteString("  error: " + r.Err + "\n")
	}
	if r.Local {
		b.WriteString("  this is a problem of up's machine, not of the target\n")
	}
	if r.Degraded != "" {
		b.WriteString("  degraded: " + r.Degraded + "\n")
	}
	if h := r.HTTP; h != nil {
		fmt.Fprintf(&b, "  resolve %s  connect %s  tls %s  processing %s  transfer %s\n",
			shortDuration(h.Resolve), shortDuration(h.Connect), shortDuration(h.TLS),
			shortDuration(h.Processing), shortDuration(h.Transfer))
		b.WriteString(" ")
		if h.Proto != "" {
			b.WriteString(" " + h.Proto)
		}
		fmt.Fprintf(&b, "  redirects %d  body %d bytes\n", h.Redirects, h.BodyBytes)
		if len(h.Passed) > 0 {
			b.WriteString("  passed: " + strings.Join(h.Passed, ", ") + "\n")
		}
	}
	if t := r.TCP; t != nil {
		fmt.Fprintf(&b, "  resolve %s  connect %s  tls %s  exchange %s\n",
			shortDuration(t.Resolve), shortDuration(t.Connect), shortDuration(t.TLS), shortDuration(t.Exchange))
	}
	if i := r.ICMP; i != nil {
		fmt.Fprintf(&b, "  sent %d  received %d  loss %s%%  rtt %s  resolve %s  setup %s\n",
			i.Sent, i.Received, strconv.FormatFloat(i.LossRatio*100, 'f', -1, 64),
			shortDuration(i.RTT), shortDuration(i.Resolve), shortDuration(i.Setup))
	}
	if d := r.DNS; d != nil {
		summarizeDNS(&b, d)
	}
	if t := r.TLS; t != nil {
		b.WriteString(" ")
		if t.Version != "" {
			b.WriteString(" " + t.Version)
		}
		if !t.EarliestCertExpiry.IsZero() {
			b.WriteString("  earliest certificate expiry " + t.EarliestCertExpiry.UTC().Format(time.RFC3339))
			b.WriteString(" (" + daysLeft(t.EarliestCertExpiry.Sub(r.Start)))
			if t.EarliestCertName != "" {
				b.WriteString(", " + t.EarliestCertName)
			}
			b.WriteString(")")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// summarizeDNS writes the phases, the section counts, the answer values
// and the assertions that held.
//
//	server 127.0.0.1:53  resolve 0.00ms  connect 0.05ms  request 0.31ms
//	answer 2  authority 0  additional 0
//	values: 10.0.0.1, 10.0.0.2
//	passed: min_answers 2, answer_contains "10.0.0.2"
func summarizeDNS(b *strings.Builder, d *DNSResult) {
	fmt.Fprintf(b, "  server %s  resolve %s  connect %s  request %s\n",
		d.Server, shortDuration(d.Resolve), shortDuration(d.Connect), shortDuration(d.Request))
	fmt.Fprintf(b, "  answer %d  authority %d  additional %d", d.Answer, d.Authority, d.Additional)
	if d.HasSerial {
		b.WriteString("  serial " + strconv.FormatUint(uint64(d.Serial), 10))
	}
	b.WriteByte('\n')
	if len(d.Values) > 0 {
		b.WriteString("  values: " + strings.Join(d.Values, ", "))
		if d.Answer > len(d.Values) && len(d.Values) == maxShownValues {
			b.WriteString(", ...")
		}
		b.WriteByte('\n')
	}
	if len(d.Passed) > 0 {
		b.WriteString("  passed: " + strings.Join(d.Passed, ", ") + "\n")
	}
}

// shortDuration keeps three significant digits or so: sub-millisecond
// phases matter on loopback and LANs, seconds only on broken paths.
func shortDuration(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case d < 10*time.Millisecond:
		return strconv.FormatFloat(ms, 'f', 2, 64) + "ms"
	case d < time.Second:
		return strconv.FormatFloat(ms, 'f', 1, 64) + "ms"
	default:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
	}
}

// daysLeft is measured from the probe's start, so a summary reads the
// same whenever it is printed.
func daysLeft(d time.Duration) string {
	days := int(d / (24 * time.Hour))
	switch {
	case d < 0 && days == 0:
		return "expired"
	case d < 0:
		return "expired " + strconv.Itoa(-days) + " days ago"
	case days == 1:
		return "in 1 day"
	}
	return "in " + strconv.Itoa(days) + " days"
}
