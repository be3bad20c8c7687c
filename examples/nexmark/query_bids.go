package main

import (
	"github.com/flinksim/go-flinksim/examples/nexmark/nexmark"
	"github.com/flinksim/go-flinksim/flinksim"
)

// bids returns the bids among events.
func bids(events flinksim.Stream[nexmark.Event]) flinksim.Stream[nexmark.Bid] {
	return flinksim.FlatMap(events, "bids", func(e nexmark.Event, out flinksim.Collector[nexmark.Bid]) error {
		if e.Kind == nexmark.KindBid {
			out.Collect(e.Bid)
		}
		return nil
	})
}

// auctions returns the auctions among events, by value.
func auctions(events flinksim.Stream[nexmark.Event]) flinksim.Stream[nexmark.Auction] {
	return flinksim.FlatMap(events, "auctions", func(e nexmark.Event, out flinksim.Collector[nexmark.Auction]) error {
		if e.Kind == nexmark.KindAuction {
			out.Collect(*e.Auction)
		}
		return nil
	})
}

// q0 passes every bid through (nexmark.Q0).
func q0(events flinksim.Stream[nexmark.Event]) flinksim.Stream[nexmark.Q0Row] {
	return flinksim.FlatMap(events, "q0", func(e nexmark.Event, out flinksim.Collector[nexmark.Q0Row]) error {
		if e.Kind == nexmark.KindBid {
			b := &e.Bid
			out.Collect(nexmark.Q0Row{Auction: b.Auction, Bidder: b.Bidder, Price: b.Price, DateTime: b.DateTime, Extra: b.Extra})
		}
		return nil
	})
}

// q1Rate is q1's dollar-to-euro rate in thousandths.
const q1Rate = 908

// q1 converts every bid's price to euros (nexmark.Q1).
func q1(events flinksim.Stream[nexmark.Event]) flinksim.Stream[nexmark.Q1Row] {
	return flinksim.FlatMap(events, "q1", func(e nexmark.Event, out flinksim.Collector[nexmark.Q1Row]) error {
		if e.Kind == nexmark.KindBid {
			b := &e.Bid
			out.Collect(nexmark.Q1Row{Auction: b.Auction, Bidder: b.Bidder, PriceMilli: b.Price * q1Rate, DateTime: b.DateTime, Extra: b.Extra})
		}
		return nil
	})
}

// q2 selects the bids for auctions whose id is a multiple of
// nexmark.Q2Modulus (nexmark.Q2).
func q2(events flinksim.Stream[nexmark.Event]) flinksim.Stream[nexmark.Q2Row] {
	return flinksim.FlatMap(events, "q2", func(e nexmark.Event, out flinksim.Collector[nexmark.Q2Row]) error {
		if e.Kind == nexmark.KindBid && e.Bid.Auction%nexmark.Q2Modulus == 0 {
			out.Collect(nexmark.Q2Row{Auction: e.Bid.Auction, Price: e.Bid.Price})
		}
		return nil
	})
}
