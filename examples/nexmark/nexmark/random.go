package nexmark

import (
	"math"
	"math/bits"
)

// rng is SplitMix64: tiny, fast, and seeded per event, so that event n's
// draws depend on nothing but the seed and n.
type rng struct{ s uint64 }

const golden = 0x9e3779b97f4a7c15

// mix is SplitMix64's finaliser, a bijection that scatters its input.
func mix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// eventRNG returns the random stream of event n.
func eventRNG(seed uint64, n int64) rng { return rng{s: mix(seed ^ mix(uint64(n)+golden))} }

func (r *rng) next() uint64 {
	r.s += golden
	return mix(r.s)
}

// intn returns a number in [0, n), n > 0.
func (r *rng) intn(n int64) int64 {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int64(hi)
}

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) * 0x1p-53 }

// price returns a price in cents from 100 to 100,000,000, log-uniform, as
// the benchmark's PriceGenerator: round(10^(6u) × 100) for a uniform u.
// 10^(6u) is a table entry times a cubic in the small remainder (relative
// error below 1e-11), five times faster than math.Pow.
func (r *rng) price() int64 {
	x := r.float() * 6 * priceSteps // in [0, 6 × priceSteps)
	j := int(x)
	d := float64((x - float64(j)) * (math.Ln10 / priceSteps)) // in [0, ln 10 / priceSteps)
	exp := 1 + d*(1+d*(0.5+d*(1.0/6)))                        // e^d
	return int64(math.Round(float64(priceTable[j] * exp)))
}

// priceSteps is the number of price table entries per power of ten.
const priceSteps = 4096

// priceTable[j] is 100 × 10^(j / priceSteps).
var priceTable = func() []float64 {
	t := make([]float64, 6*priceSteps)
	for j := range t {
		t[j] = 100 * math.Pow(10, float64(j)/priceSteps)
	}
	return t
}()
