package nexmark

import (
	"errors"
	"fmt"
	"hash/fnv"
)

// ErrInvalidConfig reports a Config the generator cannot run with.
var ErrInvalidConfig = errors.New("nexmark: invalid config")

// Config is the configuration of a Generator. Its zero value means the
// benchmark's defaults; a field left zero takes its default (see
// DefaultConfig), so set only what differs.
type Config struct {
	// Seed seeds every event's random draws: the same Seed gives the
	// same events.
	Seed uint64
	// BaseTime is the event time of event 0, in milliseconds since the
	// epoch, from 0 to MaxBaseTime. Zero is the epoch itself (the
	// benchmark takes the wall clock at start, which no test could
	// repeat).
	BaseTime int64
	// EventsPerSecond is the event-time rate: event n happens at
	// BaseTime + n*1000/EventsPerSecond ms (rounded down). Default 10,000,
	// the benchmark's firstEventRate.
	EventsPerSecond int64
	// PersonProportion, AuctionProportion and BidProportion are the
	// proportions of the three kinds in every run of their sum of events
	// (persons first, then auctions, then bids). Default 1, 3 and 46.
	PersonProportion, AuctionProportion, BidProportion int
	// HotAuctionRatio, HotSellersRatio and HotBiddersRatio: a bid is for
	// a hot auction with probability 1 − 1/HotAuctionRatio, an auction's
	// seller and a bid's bidder are hot with probability
	// 1 − 1/HotSellersRatio and 1 − 1/HotBiddersRatio. Default 2, 4 and 4.
	HotAuctionRatio, HotSellersRatio, HotBiddersRatio int
	// NumInFlightAuctions is how many of the latest auctions a bid for a
	// cold auction picks from, and sets the auctions' mean length (the
	// event time in which that many auctions are created). Default 100.
	NumInFlightAuctions int
	// NumActivePeople is how many of the latest persons a cold seller or
	// bidder is picked from. Default 1,000.
	NumActivePeople int
	// PadExtra pads every event's Extra field so that the event's size
	// is on average AvgPersonByteSize, AvgAuctionByteSize or
	// AvgBidByteSize bytes, as the benchmark does. Off by default: Extra
	// is empty.
	PadExtra bool
	// AvgPersonByteSize, AvgAuctionByteSize and AvgBidByteSize are the
	// mean event sizes that PadExtra pads to, at most MaxAvgByteSize.
	// Default 200, 500 and 100.
	AvgPersonByteSize, AvgAuctionByteSize, AvgBidByteSize int
}

// Bounds of Config's fields.
const (
	// MaxBaseTime bounds Config.BaseTime, so that no timestamp overflows.
	MaxBaseTime = int64(1) << 52
	// MaxEventsPerSecond bounds Config.EventsPerSecond.
	MaxEventsPerSecond = int64(1) << 40
	// MaxProportion bounds each of Config's proportions.
	MaxProportion = 1 << 20
	// MaxRatio bounds Config's hot ratios.
	MaxRatio = 1 << 20
	// MaxInFlight bounds NumInFlightAuctions and NumActivePeople.
	MaxInFlight = 1 << 30
	// MaxAvgByteSize bounds Config's average byte sizes.
	MaxAvgByteSize = 1 << 16
	// MaxEventNumber is one past the highest event number a Generator
	// generates: 2^52, beyond any run.
	MaxEventNumber = int64(1) << 52
)

// DefaultConfig returns the configuration a zero Config means: the
// Nexmark benchmark's defaults (NexmarkConfiguration), with BaseTime 0
// and Seed 0.
func DefaultConfig() Config { return Config{}.withDefaults() }

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	if c.EventsPerSecond == 0 {
		c.EventsPerSecond = 10_000
	}
	def(&c.PersonProportion, 1)
	def(&c.AuctionProportion, 3)
	def(&c.BidProportion, 46)
	def(&c.HotAuctionRatio, 2)
	def(&c.HotSellersRatio, 4)
	def(&c.HotBiddersRatio, 4)
	def(&c.NumInFlightAuctions, 100)
	def(&c.NumActivePeople, 1000)
	def(&c.AvgPersonByteSize, 200)
	def(&c.AvgAuctionByteSize, 500)
	def(&c.AvgBidByteSize, 100)
	return c
}

// validate checks a config with its defaults filled in.
func (c Config) validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...))
		}
	}
	check(c.BaseTime >= 0 && c.BaseTime <= MaxBaseTime, "BaseTime %d outside [0, %d]", c.BaseTime, MaxBaseTime)
	check(c.EventsPerSecond > 0 && c.EventsPerSecond <= MaxEventsPerSecond, "EventsPerSecond %d outside [1, %d]", c.EventsPerSecond, MaxEventsPerSecond)
	for _, f := range []struct {
		name  string
		v, hi int
	}{
		{"PersonProportion", c.PersonProportion, MaxProportion},
		{"AuctionProportion", c.AuctionProportion, MaxProportion},
		{"BidProportion", c.BidProportion, MaxProportion},
		{"HotAuctionRatio", c.HotAuctionRatio, MaxRatio},
		{"HotSellersRatio", c.HotSellersRatio, MaxRatio},
		{"HotBiddersRatio", c.HotBiddersRatio, MaxRatio},
		{"NumInFlightAuctions", c.NumInFlightAuctions, MaxInFlight},
		{"NumActivePeople", c.NumActivePeople, MaxInFlight},
		{"AvgPersonByteSize", c.AvgPersonByteSize, MaxAvgByteSize},
		{"AvgAuctionByteSize", c.AvgAuctionByteSize, MaxAvgByteSize},
		{"AvgBidByteSize", c.AvgBidByteSize, MaxAvgByteSize},
	} {
		check(f.v > 0 && f.v <= f.hi, "%s %d outside [1, %d]", f.name, f.v, f.hi)
	}
	return errors.Join(errs...)
}

// fingerprint identifies a config with its defaults filled in, so that a
// snapshot of one source's splits is not read by a source of other events.
func (c Config) fingerprint() uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%+v", c)
	return h.Sum64()
}
