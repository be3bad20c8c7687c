package main

import (
	"math"

	"github.com/flinksim/go-flinksim/examples/nexmark/nexmark"
	"github.com/flinksim/go-flinksim/flinksim"
)

// winningBids joins auctions with their bids, keyed by auction id, and
// emits every sold auction with its winning bid when it closes: when the
// watermark passes its expiry, or at the end of input (the final
// watermark) for those that expire later. A bid counts if its time is
// within the auction's lifetime, both ends included, and its price meets
// the reserve; the best by nexmark.BetterBid wins (the rule of q4, q6
// and q9).
//
// A bid may arrive before its auction (another source subtask, or the
// same millisecond); it waits in state until the watermark passes its
// time, after which no auction it could belong to can arrive. A closed
// auction leaves a mark for closedRetention of event time, so that the
// bids still made for it are dropped at once rather than kept waiting
// for an auction that already came and went.
func winningBids(events flinksim.Stream[nexmark.Event]) flinksim.Stream[nexmark.Q9Row] {
	joined := flinksim.ConnectKeyed(
		flinksim.KeyBy(auctions(events), func(a nexmark.Auction) int64 { return a.ID }),
		flinksim.KeyBy(bids(events), func(b nexmark.Bid) int64 { return b.Auction }))
	return flinksim.KeyedCoProcess(joined, "winning-bids",
		func(rt *flinksim.KeyedRuntimeContext[int64]) (flinksim.KeyedCoProcessFunction[int64, nexmark.Auction, nexmark.Bid, nexmark.Q9Row], error) {
			return &auctionClose{
				auction: flinksim.NewValueState[nexmark.Auction](rt, "auction"),
				closed:  flinksim.NewValueState[int64](rt, "closed-at"),
				best:    flinksim.NewValueState[nexmark.Bid](rt, "best-bid"),
				early:   flinksim.NewListState[nexmark.Bid](rt, "early-bids"),
				sweep:   flinksim.NewValueState[int64](rt, "early-bids-timer"),
			}, nil
		})
}

// closedRetention is how long, in event time, a closed auction's mark
// stays: bids for an auction are made within a few seconds of its start
// (the generator picks among the latest auctions), so after that a mark
// is rarely needed; a bid that comes later still is kept until the
// watermark passes it, as for any bid without its auction, and dropped.
const closedRetention = 10_000

// auctionClose keeps one auction's best bid until the auction closes.
type auctionClose struct {
	auction flinksim.ValueState[nexmark.Auction] // the open auction
	closed  flinksim.ValueState[int64]           // the expiry of the auction that closed
	best    flinksim.ValueState[nexmark.Bid]
	early   flinksim.ListState[nexmark.Bid] // bids that came before their auction
	sweep   flinksim.ValueState[int64]      // the timer that drops early bids: the earliest's time
}

func (c *auctionClose) ProcessElement1(ctx *flinksim.KeyedContext[int64], a nexmark.Auction, _ flinksim.Collector[nexmark.Q9Row]) error {
	c.auction.Update(a)
	for _, b := range c.early.Get() {
		c.offer(a, b)
	}
	c.early.Clear()
	if t, ok := c.sweep.Value(); ok {
		ctx.TimerService().DeleteEventTimeTimer(t)
		c.sweep.Clear()
	}
	ctx.TimerService().RegisterEventTimeTimer(a.Expires)
	return nil
}

func (c *auctionClose) ProcessElement2(ctx *flinksim.KeyedContext[int64], b nexmark.Bid, _ flinksim.Collector[nexmark.Q9Row]) error {
	if a, ok := c.auction.Value(); ok {
		c.offer(a, b)
		return nil
	}
	if _, ok := c.closed.Value(); ok {
		return nil // after the close: later than the auction's expiry
	}
	c.early.Add(b)
	if t, ok := c.sweep.Value(); !ok || b.DateTime < t {
		if ok {
			ctx.TimerService().DeleteEventTimeTimer(t)
		}
		ctx.TimerService().RegisterEventTimeTimer(b.DateTime)
		c.sweep.Update(b.DateTime)
	}
	return nil
}

// offer makes b the auction's best bid if it counts and beats the best.
func (c *auctionClose) offer(a nexmark.Auction, b nexmark.Bid) {
	if b.DateTime < a.DateTime || b.DateTime > a.Expires || b.Price < a.Reserve {
		return
	}
	if cur, ok := c.best.Value(); !ok || nexmark.BetterBid(b, cur) {
		c.best.Update(b)
	}
}

// OnTimer closes the auction at its expiry, drops its mark once the
// retention passed, or drops the early bids the watermark has passed when
// no auction came for them. Early bids share one timer, at the earliest
// of their times, moved to the earliest of those left when it fires.
func (c *auctionClose) OnTimer(ctx *flinksim.OnTimerContext[int64], t int64, out flinksim.Collector[nexmark.Q9Row]) error {
	if a, ok := c.auction.Value(); ok {
		if t == a.Expires {
			if b, sold := c.best.Value(); sold {
				out.Collect(nexmark.Q9Row{Auction: a, Bid: b})
			}
			c.auction.Clear()
			c.best.Clear()
			c.closed.Update(a.Expires)
			ctx.TimerService().RegisterEventTimeTimer(a.Expires + closedRetention)
		}
		return nil
	}
	if expires, ok := c.closed.Value(); ok {
		if t == expires+closedRetention {
			c.closed.Clear()
		}
		return nil
	}
	early := c.early.Get()
	kept := early[:0]
	next := int64(math.MaxInt64)
	for _, b := range early {
		if b.DateTime > t {
			kept = append(kept, b)
			next = min(next, b.DateTime)
		}
	}
	if len(kept) == 0 {
		c.early.Clear()
		c.sweep.Clear()
		return nil
	}
	c.early.Update(kept)
	ctx.TimerService().RegisterEventTimeTimer(next)
	c.sweep.Update(next)
	return nil
}

// q9 is winning bids (nexmark.Q9).
func q9(events flinksim.Stream[nexmark.Event]) flinksim.Stream[nexmark.Q9Row] {
	return winningBids(events)
}

// q4Update is an update of q4's result for one category: the average
// over the Auctions sold auctions closed so far.
type q4Update struct {
	Row      nexmark.Q4Row
	Auctions int64
}

func (u q4Update) String() string       { return u.Row.String() }
func (u q4Update) UpdateKey() int64     { return u.Row.Category }
func (u q4Update) UpdateVersion() int64 { return u.Auctions }

// q4Sum is a category's total winning price over its sold auctions.
type q4Sum struct{ Total, Auctions int64 }

// q4 is average price per category (nexmark.Q4): the winning bids keyed
// by category, with a running sum; each closing auction emits its
// category's new average, and the last update per category (the most
// auctions) is the result.
func q4(events flinksim.Stream[nexmark.Event]) flinksim.Stream[q4Update] {
	byCategory := flinksim.KeyBy(winningBids(events), func(w nexmark.Q9Row) int64 { return w.Auction.Category })
	return flinksim.Process(byCategory, "q4",
		func(rt *flinksim.KeyedRuntimeContext[int64]) (flinksim.KeyedProcessFunction[int64, nexmark.Q9Row, q4Update], error) {
			sums := flinksim.NewValueState[q4Sum](rt, "sum")
			return flinksim.ProcessFunc[int64, nexmark.Q9Row, q4Update](func(ctx *flinksim.KeyedContext[int64], w nexmark.Q9Row, out flinksim.Collector[q4Update]) error {
				s, _ := sums.Value()
				s.Total += w.Bid.Price
				s.Auctions++
				sums.Update(s)
				out.Collect(q4Update{Row: nexmark.Q4Row{Category: ctx.Key(), AvgPrice: s.Total / s.Auctions}, Auctions: s.Auctions})
				return nil
			}), nil
		})
}

// q6Update is an update of q6's result for one seller, after Sold of
// their auctions sold.
type q6Update struct {
	Row  nexmark.Q6Row
	Sold int64
}

func (u q6Update) String() string       { return u.Row.String() }
func (u q6Update) UpdateKey() int64     { return u.Row.Seller }
func (u q6Update) UpdateVersion() int64 { return u.Sold }

// q6Sale is one sold auction of a seller: when it closed, its id (which
// orders auctions closing together) and its winning price.
type q6Sale struct{ Expires, Auction, Price int64 }

// q6 is average selling price by seller (nexmark.Q6): the winning bids
// keyed by seller, each seller's last nexmark.Q6Auctions sales (by
// closing time, then id — sales of one seller arrive from several
// subtasks in any order) in keyed state; each sale emits the seller's new
// average, and the last update per seller (the most sales) is the result.
func q6(events flinksim.Stream[nexmark.Event]) flinksim.Stream[q6Update] {
	bySeller := flinksim.KeyBy(winningBids(events), func(w nexmark.Q9Row) int64 { return w.Auction.Seller })
	return flinksim.Process(bySeller, "q6",
		func(rt *flinksim.KeyedRuntimeContext[int64]) (flinksim.KeyedProcessFunction[int64, nexmark.Q9Row, q6Update], error) {
			lastSales := flinksim.NewListState[q6Sale](rt, "last-sales")
			sold := flinksim.NewValueState[int64](rt, "sold")
			return flinksim.ProcessFunc[int64, nexmark.Q9Row, q6Update](func(ctx *flinksim.KeyedContext[int64], w nexmark.Q9Row, out flinksim.Collector[q6Update]) error {
				sale := q6Sale{Expires: w.Auction.Expires, Auction: w.Auction.ID, Price: w.Bid.Price}
				sales := insertSale(lastSales.Get(), sale)
				if len(sales) > nexmark.Q6Auctions {
					sales = sales[len(sales)-nexmark.Q6Auctions:]
				}
				lastSales.Update(sales)
				n, _ := sold.Value()
				n++
				sold.Update(n)
				total := int64(0)
				for _, s := range sales {
					total += s.Price
				}
				out.Collect(q6Update{Row: nexmark.Q6Row{Seller: ctx.Key(), AvgPrice: total / int64(len(sales))}, Sold: n})
				return nil
			}), nil
		})
}

// insertSale inserts s into sales, kept in order of closing time, then
// auction id.
func insertSale(sales []q6Sale, s q6Sale) []q6Sale {
	i := len(sales)
	for i > 0 && (sales[i-1].Expires > s.Expires || sales[i-1].Expires == s.Expires && sales[i-1].Auction > s.Auction) {
		i--
	}
	sales = append(sales, q6Sale{})
	copy(sales[i+1:], sales[i:])
	sales[i] = s
	return sales
}
