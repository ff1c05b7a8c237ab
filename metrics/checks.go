package metrics

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/up-status/up/config"
	"github.com/up-status/up/probe"
)

// checkSeries holds every per-check value in plain fields. Per-check
// series are most of the exposition (10 000 checks make some 200 000
// lines), and client_golang's generic path costs about a kilobyte of heap
// per series and builds a protobuf message for each on every scrape. Kept
// here and written out by hand, a check costs a few hundred bytes and a
// scrape of 5 000 checks takes milliseconds.
type checkSeries struct {
	id, typ string
	// Label sets, rendered once with values escaped, names in order:
	// pre+post is {check, component, target, type}; a phase or result
	// label goes between them, a version label after post.
	pre, post, short string
	typeLabel        string // `,type="<typ>"`

	mu         sync.Mutex
	success    float64
	duration   float64
	status     float64
	version    float64 // HTTP version of the last response, 0 without one
	dns        float64
	phases     [5]float64 // resolve, connect, tls, processing, transfer
	icmp       [3]float64 // resolve, setup, rtt
	dnsPhases  [3]float64 // resolve, connect, request
	dnsRRs     [3]float64 // answer, authority, additional
	serial     float64
	hasSerial  bool
	lastChain  float64 // unix time; 0 until a chain verified
	loss       float64
	up         float64
	ok, failed float64
	sslExpiry  float64
	hasSSL     bool
	tlsVersion string
	// versionLabel is `,version="<tlsVersion>"`, rebuilt when it changes.
	versionLabel string
	// chainLabel is the labels of probe_ssl_last_chain_info, rebuilt
	// when chainLeaf, the DER of the leaf they describe, changes; tls
	// checks only.
	chainLabel string
	chainLeaf  []byte
	buckets    []uint64 // cumulative counts are built when written
	sum        float64
	count      uint64
}

func newCheckSeries(c *config.Check, histogram bool) *checkSeries {
	s := &checkSeries{
		id:        c.ID,
		typ:       c.Type(),
		pre:       `check="` + escape(c.Name) + `",component="` + escape(c.Component) + `",`,
		post:      `target="` + escape(c.Target()) + `",type="` + c.Type() + `"`,
		short:     `check="` + escape(c.Name) + `",component="` + escape(c.Component) + `"`,
		typeLabel: `,type="` + c.Type() + `"`,
	}
	if histogram {
		s.buckets = make([]uint64, len(LatencyBuckets))
	}
	return s
}

func (s *checkSeries) observe(r probe.Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Success {
		s.success = 1
		s.ok++
	} else {
		s.success = 0
		s.failed++
	}
	secs := r.Duration.Seconds()
	s.duration = secs
	if s.buckets != nil {
		for i, b := range LatencyBuckets {
			if secs <= b {
				s.buckets[i]++
				break
			}
		}
		s.sum += secs
		s.count++
	}
	if h := r.HTTP; h != nil {
		s.status = float64(h.StatusCode)
		s.version = httpVersion(h.Proto)
		s.dns = h.Resolve.Seconds()
		for i, d := range [...]time.Duration{h.Resolve, h.Connect, h.TLS, h.Processing, h.Transfer} {
			s.phases[i] = d.Seconds()
		}
	}
	if t := r.TCP; t != nil {
		s.dns = t.Resolve.Seconds()
	}
	if d := r.DNS; d != nil {
		for i, v := range [...]time.Duration{d.Resolve, d.Connect, d.Request} {
			s.dnsPhases[i] = v.Seconds()
		}
		s.dnsRRs = [3]float64{float64(d.Answer), float64(d.Authority), float64(d.Additional)}
		if d.HasSerial {
			s.serial, s.hasSerial = float64(d.Serial), true
		}
	}
	if ic := r.ICMP; ic != nil {
		s.loss = ic.LossRatio
		for i, d := range [...]time.Duration{ic.Resolve, ic.Setup, ic.RTT} {
			s.icmp[i] = d.Seconds()
		}
	}
	if t := r.TLS; t != nil {
		s.hasSSL = true
		if !t.EarliestCertExpiry.IsZero() {
			s.sslExpiry = float64(t.EarliestCertExpiry.Unix())
		}
		if !t.LastChainExpiry.IsZero() {
			s.lastChain = float64(t.LastChainExpiry.Unix())
		}
		if t.Version != "" && t.Version != s.tlsVersion {
			s.tlsVersion = t.Version
			s.versionLabel = `,version="` + escape(t.Version) + `"`
		}
		if l := t.Leaf; l != nil && s.typ == "tls" && !bytes.Equal(l.Raw, s.chainLeaf) {
			s.chainLeaf, s.chainLabel = l.Raw, chainLabels(l)
		}
	}
}

// family is one metric family written from checkSeries.
type family struct {
	name, help, typ string
	// write appends the family's lines for one check (called with the
	// check's lock held); nil output means the check has none.
	write func(b []byte, name string, s *checkSeries, o Options) []byte
}

// line appends `name{a b c} v`: the label set comes in pieces so that no
// string is built per line.
func line(b []byte, name, a, bb, c string, v float64) []byte {
	b = append(b, name...)
	b = append(b, '{')
	b = append(b, a...)
	b = append(b, bb...)
	b = append(b, c...)
	b = append(b, '}', ' ')
	b = appendFloat(b, v)
	return append(b, '\n')
}

func appendFloat(b []byte, v float64) []byte {
	// Most values are small whole numbers (0, 1, status codes, counts):
	// written as integers they read the same as 'g' writes them below
	// 1e6, for a fraction of the cost.
	if v >= 0 && v < 1e6 && v == float64(int64(v)) {
		return strconv.AppendInt(b, int64(v), 10)
	}
	switch {
	case math.IsInf(v, 1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(v):
		return append(b, "NaN"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// Label pieces rendered once.
var (
	httpPhases = phaseLabels("resolve", "connect", "tls", "processing", "transfer")
	icmpPhases = phaseLabels("resolve", "setup", "rtt")
	dnsPhases  = phaseLabels("resolve", "connect", "request")
	leLabels   = func() []string {
		out := make([]string, len(LatencyBuckets))
		for i, le := range LatencyBuckets {
			out[i] = `,le="` + strconv.FormatFloat(le, 'g', -1, 64) + `"`
		}
		return out
	}()
)

func phaseLabels(phases ...string) []string {
	out := make([]string, len(phases))
	for i, p := range phases {
		out[i] = `phase="` + p + `",`
	}
	return out
}

// checkFamilies are the per-check families, in exposition order.
var checkFamilies = []family{
	{"probe_success", "Whether the last probe succeeded (1) or failed (0).", "gauge",
		func(b []byte, n string, s *checkSeries, _ Options) []byte {
			return line(b, n, s.pre, s.post, "", s.success)
		}},
	{"probe_duration_seconds", "How long the last probe took.", "gauge",
		func(b []byte, n string, s *checkSeries, _ Options) []byte {
			return line(b, n, s.pre, s.post, "", s.duration)
		}},
	{"probe_http_status_code", "HTTP status code of the last probe (0 when no response).", "gauge",
		func(b []byte, n string, s *checkSeries, _ Options) []byte {
			if s.typ != "http" {
				return b
			}
			return line(b, n, s.pre, s.post, "", s.status)
		}},
	{"probe_http_version", "HTTP version of the last probe's response: 1.1, 2 (0 when no response).", "gauge",
		func(b []byte, n string, s *checkSeries, _ Options) []byte {
			if s.typ != "http" {
				return b
			}
			return line(b, n, s.pre, s.post, "", s.version)
		}},
	{"probe_http_duration_seconds", "Duration of each phase of the last HTTP probe.", "gauge",
		func(b []byte, n string, s *checkSeries, o Options) []byte {
			if s.typ != "http" || !o.HTTPPhases {
				return b
			}
			for i, p := range httpPhases {
				b = line(b, n, s.pre, p, s.post, s.phases[i])
			}
			return b
		}},
	{"probe_dns_lookup_time_seconds", "Time the last probe spent resolving the target's name.", "gauge",
		func(b []byte, n string, s *checkSeries, _ Options) []byte {
			// A DNS check's server is nearly always an IP address, and
			// probe_dns_duration_seconds{phase="resolve"} has its lookup.
			if s.typ == "icmp" || s.typ == "dns" {
				return b
			}
			return line(b, n, s.pre, s.post, "", s.dns)
		}},
	{"probe_ssl_earliest_cert_expiry", "Unix time at which the first certificate of the presented chain expires.", "gauge",
		func(b []byte, n string, s *checkSeries, _ Options) []byte {
			if !s.hasSSL || s.sslExpiry == 0 {
				return b
			}
			return line(b, n, s.pre, s.post, "", s.sslExpiry)
		}},
	// Only tls checks, which are about certificates, export the chain's
	// expiry: on every HTTPS check it would break the exposition budget,
	// and probe_ssl_earliest_cert_expiry already says when to act.
	{"probe_ssl_last_chain_expiry_timestamp_seconds", "Unix time at which the verified chain that lasts longest stops being valid.", "gauge",
		func(b []byte, n string, s *checkSeries, _ Options) []byte {
			if s.typ != "tls" || s.lastChain == 0 {
				return b
			}
			return line(b, n, s.pre, s.post, "", s.lastChain)
		}},
	// As the chain's expiry, for tls checks only; and even there optional,
	// as its five labels cost more than the rest of a check's series.
	{"probe_ssl_last_chain_info", "Contains SSL leaf certificate information.", "gauge",
		func(b []byte, n string, s *checkSeries, o Options) []byte {
			if !o.TLSChainInfo || s.chainLabel == "" {
				return b
			}
			return line(b, n, s.pre, s.post, s.chainLabel, 1)
		}},
	{"probe_tls_version_info", "TLS version of the last probe's connection.", "gauge",
		func(b []byte, n string, s *checkSeries, _ Options) []byte {
			if s.tlsVersion == "" {
				return b
			}
			return line(b, n, s.pre, s.post, s.versionLabel, 1)
		}},
	{"probe_icmp_duration_seconds", "Duration of each phase of the last ICMP probe.", "gauge",
		func(b []byte, n string, s *checkSeries, _ Options) []byte {
			if s.typ != "icmp" {
				return b
			}
			for i, p := range icmpPhases {
				b = line(b, n, s.pre, p, s.post, s.icmp[i])
			}
			return b
		}},
	{"probe_icmp_packet_loss_ratio", "Share of echo requests of the last ICMP probe that got no reply.", "gauge",
		func(b []byte, n string, s *checkSeries, _ Options) []byte {
			if s.typ != "icmp" {
				return b
			}
			return line(b, n, s.pre, s.post, "", s.loss)
		}},
	{"probe_dns_duration_seconds", "Duration of each phase of the last DNS probe.", "gauge",
		func(b []byte, n string, s *checkSeries, o Options) []byte {
			if s.typ != "dns" || !o.DNSPhases {
				return b
			}
			for i, p := range dnsPhases {
				b = line(b, n, s.pre, p, s.post, s.dnsPhases[i])
			}
			return b
		}},
	{"probe_dns_answer_rrs", "Records in the answer section of the last DNS probe's response.", "gauge", dnsSection(0)},
	{"probe_dns_authority_rrs", "Records in the authority section of the last DNS probe's response.", "gauge", dnsSection(1)},
	{"probe_dns_additional_rrs", "Records in the additional section of the last DNS probe's response, the EDNS OPT record left out.", "gauge", dnsSection(2)},
	{"probe_dns_serial", "SOA serial of the last answer that had one.", "gauge",
		func(b []byte, n string, s *checkSeries, _ Options) []byte {
			if !s.hasSerial {
				return b
			}
			return line(b, n, s.pre, s.post, "", s.serial)
		}},
	{"uptime_probes_total", "Probes run, by result.", "counter",
		func(b []byte, n string, s *checkSeries, _ Options) []byte {
			b = line(b, n, s.short, `,result="failure"`, s.typeLabel, s.failed)
			return line(b, n, s.short, `,result="success"`, s.typeLabel, s.ok)
		}},
	{"uptime_probe_latency_seconds", "Duration of probes, per check.", "histogram",
		func(b []byte, n string, s *checkSeries, _ Options) []byte {
			if s.buckets == nil {
				return b
			}
			var cum uint64
			for i, le := range leLabels {
				cum += s.buckets[i]
				b = line(b, "uptime_probe_latency_seconds_bucket", s.short, le, "", float64(cum))
			}
			b = line(b, "uptime_probe_latency_seconds_bucket", s.short, `,le="+Inf"`, "", float64(s.count))
			b = line(b, "uptime_probe_latency_seconds_sum", s.short, "", "", s.sum)
			return line(b, "uptime_probe_latency_seconds_count", s.short, "", "", float64(s.count))
		}},
	{"uptime_check_up", "Whether the check is up after failure and success thresholds (1), or down (0).", "gauge",
		func(b []byte, n string, s *checkSeries, _ Options) []byte { return line(b, n, s.short, "", "", s.up) }},
}

// httpVersion is proto ("HTTP/1.1") as blackbox_exporter's
// probe_http_version has it: major plus minor tenths, 1.1 or 2.
func httpVersion(proto string) float64 {
	switch proto {
	case "HTTP/2.0":
		return 2
	case "HTTP/1.1":
		return 1.1
	case "":
		return 0
	}
	major, minor, ok := http.ParseHTTPVersion(proto)
	if !ok {
		return 0
	}
	return float64(major) + float64(minor)/10
}

// dnsSection writes the record count of one section of DNS checks'
// answers.
func dnsSection(section int) func([]byte, string, *checkSeries, Options) []byte {
	return func(b []byte, n string, s *checkSeries, _ Options) []byte {
		if s.typ != "dns" {
			return b
		}
		return line(b, n, s.pre, s.post, "", s.dnsRRs[section])
	}
}

// familyNames lists the per-check family names, for tests and the
// exposition budget.
func familyNames() []string {
	names := make([]string, len(checkFamilies))
	for i, f := range checkFamilies {
		names[i] = f.name
	}
	return names
}

// writeChecks writes every per-check family for the checks in order,
// handing the text to out a family at a time so that a large exposition
// never sits whole in memory. With openMetrics the families are written
// as OpenMetrics 1.0 wants them: a counter's HELP and TYPE name it
// without the _total its samples carry. The lines are otherwise the same
// in both formats; the caller ends an OpenMetrics exposition with # EOF.
// b is the buffer to write into (its contents are discarded): a small
// buffer handed on whenever it fills, since growing one buffer to the
// whole family's size costs more in copying than writing does.
func writeChecks(out func([]byte) error, b []byte, checks []*checkSeries, o Options, openMetrics bool) error {
	const chunk = scrapeChunk
	b = b[:0]
	for _, f := range checkFamilies {
		if f.name == "probe_http_duration_seconds" && !o.HTTPPhases {
			continue
		}
		if f.name == "probe_dns_duration_seconds" && !o.DNSPhases {
			continue
		}
		if f.name == "probe_ssl_last_chain_info" && !o.TLSChainInfo {
			continue
		}
		if f.name == "uptime_probe_latency_seconds" && !o.LatencyHistogram {
			continue
		}
		header := len(b)
		name := f.name
		if openMetrics && f.typ == "counter" {
			name = strings.TrimSuffix(name, "_total")
		}
		b = append(b, "# HELP "...)
		b = append(b, name...)
		b = append(b, ' ')
		b = append(b, f.help...)
		b = append(b, "\n# TYPE "...)
		b = append(b, name...)
		b = append(b, ' ')
		b = append(b, f.typ...)
		b = append(b, '\n')
		body, wrote := len(b), false
		for _, s := range checks {
			s.mu.Lock()
			b = f.write(b, f.name, s, o)
			s.mu.Unlock()
			if len(b) > body {
				wrote = true
			}
			if len(b) >= chunk {
				if err := out(b); err != nil {
					return err
				}
				b, body = b[:0], 0
			}
		}
		if !wrote {
			b = b[:header] // a family without series is left out
		}
	}
	if len(b) > 0 {
		return out(b)
	}
	return nil
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)

func escape(s string) string { return labelEscaper.Replace(s) }

// scrapeChunk is how much text a scrape gathers before handing it on.
const scrapeChunk = 64 << 10

// checksInOrder returns the series in check id order, for a stable
// exposition, sorted once per change of the set rather than per scrape.
func (m *Metrics) checksInOrder() []*checkSeries {
	m.mu.RLock()
	out, n := m.sortedChecks, len(m.checks)
	m.mu.RUnlock()
	if out != nil || n == 0 {
		return out
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sortedChecks == nil {
		out := make([]*checkSeries, 0, len(m.checks))
		for _, s := range m.checks {
			out = append(out, s)
		}
		slices.SortFunc(out, func(a, b *checkSeries) int { return strings.Compare(a.id, b.id) })
		m.sortedChecks = out
	}
	return m.sortedChecks
}

// chainLabels renders the labels blackbox_exporter gives
// probe_ssl_last_chain_info, from the leaf every chain starts with.
func chainLabels(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return `,fingerprint_sha256="` + hex.EncodeToString(sum[:]) +
		`",subject="` + escape(c.Subject.String()) +
		`",issuer="` + escape(c.Issuer.String()) +
		`",subjectalternative="` + escape(strings.Join(c.DNSNames, ",")) +
		`",serialnumber="` + c.SerialNumber.Text(16) + `"`
}
