package nexmark

import (
	"errors"
	"fmt"
)

// ErrEventNumber reports an event number outside [0, MaxEventNumber).
var ErrEventNumber = errors.New("nexmark: event number out of range")

// Ids start at these values, as in the benchmark, so that queries find
// matches even in small runs.
const (
	// FirstPersonID is the id of the first person.
	FirstPersonID = 1000
	// FirstAuctionID is the id of the first auction.
	FirstAuctionID = 1000
	// FirstCategoryID is the lowest auction category.
	FirstCategoryID = 10
	// NumCategories is how many categories there are.
	NumCategories = 5
)

// The benchmark's fixed generator constants.
const (
	// idLead is how many not-yet-created persons or auctions a random
	// pick may name, beyond the last created.
	idLead = 10
	// hotBatch: a hot auction, seller or bidder is the first (the
	// second, for bidders) of the latest batch of hotBatch.
	hotBatch = 100
)

// Generator generates the Nexmark event stream of a Config. Event n is a
// pure function of the config and n: any range of event numbers can be
// generated on its own, in any order, by any number of goroutines, and
// gives the same events. A Generator is safe for concurrent use.
//
// The rules are the benchmark's (NexmarkGenerator and its model
// generators): in each run of PersonProportion+AuctionProportion+
// BidProportion events, the persons come first, then the auctions, then
// the bids; persons and auctions get consecutive ids; an auction's seller
// is hot (the first of the latest 100 persons) or one of the
// NumActivePeople latest persons (or up to 10 not yet created); a bid's
// auction is hot (the first of the latest 100 auctions) or one of the
// NumInFlightAuctions latest (or up to 10 not yet created), and its
// bidder is hot (the second of the latest 100 persons) or active; an
// auction lasts 1 ms up to twice the time in which NumInFlightAuctions
// auctions are created, uniformly.
//
// Where this generator differs from the benchmark's, it is to make event n
// depend on n alone: the benchmark's parallel generators run on parallel
// timelines (each split's timestamps start at the base time), so its
// events depend on the source's parallelism, and its random draws are not
// seeded; here the whole stream is one timeline and each event's draws
// are seeded by Seed and n. The random stream differs from Java's, so the
// values do too, with the same distributions. A bid's bidder is offset by
// FirstPersonID once (the benchmark's Flink generator adds it twice, so
// its bidders match no person). Out-of-order event groups are not
// generated: timestamps never decrease.
type Generator struct {
	cfg    Config
	total  int64 // events per run of proportions
	pp, ap int64 // person and auction proportions
	// auctionSpan is the number of events in which NumInFlightAuctions
	// auctions are created.
	auctionSpan int64
	hot, cold   []channel
	pool        string // Extra's source text, with PadExtra
	fingerprint uint64
}

// NewGenerator returns the generator of cfg (zero fields take their
// defaults), or an error wrapping ErrInvalidConfig.
func NewGenerator(cfg Config) (*Generator, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	g := &Generator{
		cfg:         cfg,
		pp:          int64(cfg.PersonProportion),
		ap:          int64(cfg.AuctionProportion),
		total:       int64(cfg.PersonProportion + cfg.AuctionProportion + cfg.BidProportion),
		fingerprint: cfg.fingerprint(),
	}
	g.auctionSpan = int64(cfg.NumInFlightAuctions) * g.total / g.ap
	r := rng{s: mix(cfg.Seed ^ 0x6e65786d61726b)} // the generator's own stream, apart from every event's
	g.hot, g.cold = r.channels()
	if cfg.PadExtra {
		g.pool = r.extraPool()
	}
	return g, nil
}

// Config returns the generator's config, with its defaults filled in.
func (g *Generator) Config() Config { return g.cfg }

// Timestamp returns the event time of event n: BaseTime +
// n × 1000 / EventsPerSecond ms, rounded down.
func (g *Generator) Timestamp(n int64) int64 {
	return g.cfg.BaseTime + n*1000/g.cfg.EventsPerSecond
}

// Kind returns the kind of event n.
func (g *Generator) Kind(n int64) Kind {
	switch off := n % g.total; {
	case off < g.pp:
		return KindPerson
	case off < g.pp+g.ap:
		return KindAuction
	}
	return KindBid
}

// Event returns event n, or an error wrapping ErrEventNumber.
func (g *Generator) Event(n int64) (Event, error) {
	if n < 0 || n >= MaxEventNumber {
		return Event{}, fmt.Errorf("%w: %d", ErrEventNumber, n)
	}
	return g.event(n), nil
}

// Fill sets dst[i] to event first+i, or returns an error wrapping
// ErrEventNumber (leaving dst as it was) if any is out of range.
func (g *Generator) Fill(dst []Event, first int64) error {
	if first < 0 || first > MaxEventNumber-int64(len(dst)) {
		return fmt.Errorf("%w: [%d, %d+%d)", ErrEventNumber, first, first, len(dst))
	}
	for i := range dst {
		dst[i] = g.event(first + int64(i))
	}
	return nil
}

// Events returns events [first, first+count), or an error wrapping
// ErrEventNumber.
func (g *Generator) Events(first, count int64) ([]Event, error) {
	if count < 0 || first < 0 || first > MaxEventNumber-count {
		return nil, fmt.Errorf("%w: [%d, %d+%d)", ErrEventNumber, first, first, count)
	}
	events := make([]Event, count)
	return events, g.Fill(events, first)
}

// event returns event n, 0 <= n < MaxEventNumber.
func (g *Generator) event(n int64) Event {
	r := eventRNG(g.cfg.Seed, n)
	ts := g.Timestamp(n)
	switch g.Kind(n) {
	case KindPerson:
		return Event{Kind: KindPerson, Person: g.person(n, &r, ts)}
	case KindAuction:
		return Event{Kind: KindAuction, Auction: g.auction(n, &r, ts)}
	}
	return Event{Kind: KindBid, Bid: g.bid(n, &r, ts)}
}

func (g *Generator) person(n int64, r *rng, ts int64) *Person {
	p := &Person{ID: g.lastPerson(n) + FirstPersonID, DateTime: ts}
	p.Name = personNames[r.intn(int64(len(personNames)))]
	var buf [64]byte
	b := r.appendString(buf[:0], 7, ' ')
	b = append(b, '@')
	b = r.appendString(b, 5, ' ')
	b = append(b, ".com"...)
	at := len(b)
	b = r.appendCreditCard(b)
	s := string(b) // one allocation for both
	p.EmailAddress, p.CreditCard = s[:at], s[at:]
	p.City = usCities[r.intn(int64(len(usCities)))]
	p.State = usStates[r.intn(int64(len(usStates)))]
	if g.cfg.PadExtra {
		size := 8 + len(p.Name) + len(p.EmailAddress) + len(p.CreditCard) + len(p.City) + len(p.State)
		p.Extra = r.extra(g.pool, size, g.cfg.AvgPersonByteSize)
	}
	return p
}

func (g *Generator) auction(n int64, r *rng, ts int64) *Auction {
	a := &Auction{ID: g.lastAuction(n) + FirstAuctionID, DateTime: ts}
	if r.intn(int64(g.cfg.HotSellersRatio)) > 0 {
		a.Seller = g.lastPerson(n) / hotBatch * hotBatch
	} else {
		a.Seller = g.activePerson(n, r)
	}
	a.Seller += FirstPersonID
	a.Category = FirstCategoryID + r.intn(NumCategories)
	a.InitialBid = r.price()
	horizon := g.Timestamp(n+g.auctionSpan) - ts
	a.Expires = ts + 1 + r.intn(max(2*horizon, 1))
	var buf [128]byte
	b := r.appendString(buf[:0], 20, ' ')
	at := len(b)
	b = r.appendString(b, 100, ' ')
	s := string(b) // one allocation for both
	a.ItemName, a.Description = s[:at], s[at:]
	a.Reserve = a.InitialBid + r.price()
	if g.cfg.PadExtra {
		a.Extra = r.extra(g.pool, 8+len(a.ItemName)+len(a.Description)+40, g.cfg.AvgAuctionByteSize)
	}
	return a
}

func (g *Generator) bid(n int64, r *rng, ts int64) Bid {
	b := Bid{DateTime: ts}
	if r.intn(int64(g.cfg.HotAuctionRatio)) > 0 {
		b.Auction = g.lastAuction(n) / hotBatch * hotBatch
	} else {
		b.Auction = g.inFlightAuction(n, r)
	}
	b.Auction += FirstAuctionID
	if r.intn(int64(g.cfg.HotBiddersRatio)) > 0 {
		b.Bidder = g.lastPerson(n)/hotBatch*hotBatch + 1
	} else {
		b.Bidder = g.activePerson(n, r)
	}
	b.Bidder += FirstPersonID
	b.Price = r.price()
	var ch channel
	if r.intn(2) > 0 {
		ch = g.hot[r.intn(int64(len(g.hot)))]
	} else {
		ch = g.cold[r.intn(int64(len(g.cold)))]
	}
	b.Channel, b.URL = ch.name, ch.url
	if g.cfg.PadExtra {
		b.Extra = r.extra(g.pool, 32, g.cfg.AvgBidByteSize)
	}
	return b
}

// lastPerson returns the base-0 id of the last person created at or
// before event n: the person of event n if it is one.
func (g *Generator) lastPerson(n int64) int64 {
	run, off := n/g.total, n%g.total
	return run*g.pp + min(off, g.pp-1)
}

// lastAuction returns the base-0 id of the last auction created at or
// before event n (−1 before the first).
func (g *Generator) lastAuction(n int64) int64 {
	run, off := n/g.total, n%g.total
	switch {
	case off < g.pp: // a person: the last auction of the previous run
		return run*g.ap - 1
	case off < g.pp+g.ap: // an auction: this one
		return run*g.ap + off - g.pp
	}
	return run*g.ap + g.ap - 1 // a bid: the last auction of this run
}

// activePerson picks the base-0 id of one of the NumActivePeople latest
// persons, or of one of the idLead next.
func (g *Generator) activePerson(n int64, r *rng) int64 {
	people := g.lastPerson(n) + 1
	active := min(people, int64(g.cfg.NumActivePeople))
	return people - active + r.intn(active+idLead)
}

// inFlightAuction picks the base-0 id of one of the NumInFlightAuctions
// latest auctions, or of one of the idLead next.
func (g *Generator) inFlightAuction(n int64, r *rng) int64 {
	last := g.lastAuction(n)
	first := max(last-int64(g.cfg.NumInFlightAuctions), 0)
	return first + r.intn(last-first+1+idLead)
}
