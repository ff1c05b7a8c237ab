package testenv

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Series parses a Prometheus text exposition as a scraper would and
// returns each series as `name{label="value",...}` with its value: labels
// sorted by name as client_golang writes them, "le" and "quantile" last;
// a histogram gives its _bucket, _sum and _count series, a summary its
// quantiles, _sum and _count. A malformed exposition fails the test.
func Series(t testing.TB, exposition string) map[string]float64 {
	t.Helper()
	return flatten(t, slices.Collect(maps.Values(parse(t, exposition))))
}

// Gathered is Series for what a registry gathers, without the text
// format in between.
func Gathered(t testing.TB, g prometheus.Gatherer) map[string]float64 {
	t.Helper()
	fams, err := g.Gather()
	if err != nil {
		t.Fatalf("gathering metrics: %v", err)
	}
	return flatten(t, fams)
}

// Families lists the family names of a text exposition, sorted.
func Families(t testing.TB, exposition string) []string {
	t.Helper()
	return slices.Sorted(maps.Keys(parse(t, exposition)))
}

func parse(t testing.TB, exposition string) map[string]*dto.MetricFamily {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(exposition))
	if err != nil {
		t.Fatalf("parsing the exposition: %v", err)
	}
	return fams
}

func flatten(t testing.TB, fams []*dto.MetricFamily) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	put := func(name string, labels []*dto.LabelPair, extra string, v float64) {
		key := seriesKey(name, labels, extra)
		if _, dup := out[key]; dup {
			t.Fatalf("series %s appears twice", key)
		}
		out[key] = v
	}
	for _, mf := range fams {
		name := mf.GetName()
		for _, m := range mf.GetMetric() {
			ls := m.GetLabel()
			switch {
			case m.Counter != nil:
				put(name, ls, "", m.Counter.GetValue())
			case m.Gauge != nil:
				put(name, ls, "", m.Gauge.GetValue())
			case m.Untyped != nil:
				put(name, ls, "", m.Untyped.GetValue())
			case m.Histogram != nil:
				h := m.Histogram
				inf := false
				for _, b := range h.GetBucket() {
					inf = math.IsInf(b.GetUpperBound(), 1)
					put(name+"_bucket", ls, `le="`+formatFloat(b.GetUpperBound())+`"`, float64(b.GetCumulativeCount()))
				}
				// A registry leaves the +Inf bucket implicit; the text has it.
				if !inf {
					put(name+"_bucket", ls, `le="+Inf"`, float64(h.GetSampleCount()))
				}
				put(name+"_sum", ls, "", h.GetSampleSum())
				put(name+"_count", ls, "", float64(h.GetSampleCount()))
			case m.Summary != nil:
				s := m.Summary
				for _, q := range s.GetQuantile() {
					put(name, ls, `quantile="`+formatFloat(q.GetQuantile())+`"`, q.GetValue())
				}
				put(name+"_sum", ls, "", s.GetSampleSum())
				put(name+"_count", ls, "", float64(s.GetSampleCount()))
			}
		}
	}
	return out
}

// seriesKey writes a series as the text format does.
func seriesKey(name string, labels []*dto.LabelPair, extra string) string {
	parts := make([]string, 0, len(labels)+1)
	for _, l := range labels {
		if l.GetName() == "le" || l.GetName() == "quantile" {
			continue // the parser keeps them apart; extra says them
		}
		parts = append(parts, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
	}
	slices.Sort(parts)
	if extra != "" {
		parts = append(parts, extra)
	}
	if len(parts) == 0 {
		return name
	}
	return name + "{" + strings.Join(parts, ",") + "}"
}

// formatFloat writes a bound as client_golang does: "+Inf", "0.25", "1".
func formatFloat(f float64) string {
	return strconv.FormatFloat(f, 'g', -1, 64)
}
