package nexmark

import (
	"testing"
)

// BenchmarkGenerate measures Fill, in batches of 256, without and with
// the Extra padding; the events/s metric is per goroutine.
func BenchmarkGenerate(b *testing.B) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{{"plain", Config{}}, {"padded", Config{PadExtra: true}}} {
		b.Run(tc.name, func(b *testing.B) {
			g, err := NewGenerator(tc.cfg)
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]Event, 256)
			b.ReportAllocs()
			n := int64(0)
			for b.Loop() {
				if err := g.Fill(buf, n); err != nil {
					b.Fatal(err)
				}
				n += int64(len(buf))
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(n), "ns/event")
		})
	}
}
