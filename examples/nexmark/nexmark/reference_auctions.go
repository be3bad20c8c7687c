package nexmark

import (
	"cmp"
	"slices"
)

// winningBids returns every sold auction with its winning bid, the rule
// q4, q6 and q9 share (Beam's WinningBids): among the bids for the auction
// whose DateTime is within its lifetime, auction.DateTime <= DateTime <=
// auction.Expires (both ends included, as the SQL queries' BETWEEN), and
// whose price is at least the auction's reserve, the one with the highest
// price; among those the earliest; among those (so that the winner is
// always the same bid) the lowest bidder, then channel, URL and extra in
// byte order. An auction without such a bid is not sold. Every auction
// closes, at the end of input at the latest (see Reference).
func winningBids(events []Event) []Q9Row {
	auctions := map[int64]*Auction{}
	for _, e := range events {
		if e.Kind == KindAuction {
			auctions[e.Auction.ID] = e.Auction
		}
	}
	best := map[int64]Bid{}
	for _, b := range bidsOf(events) {
		a, ok := auctions[b.Auction]
		if !ok || b.DateTime < a.DateTime || b.DateTime > a.Expires || b.Price < a.Reserve {
			continue
		}
		if cur, ok := best[b.Auction]; !ok || BetterBid(b, cur) {
			best[b.Auction] = b
		}
	}
	var rows []Q9Row
	for id, b := range best {
		rows = append(rows, Q9Row{Auction: *auctions[id], Bid: b})
	}
	return rows
}

// BetterBid reports whether bid a beats bid b for the same auction: a
// higher price, or the same price and earlier, or (to make the winner
// unique) the same price and time and a lower bidder, then a channel, URL
// or extra earlier in byte order.
func BetterBid(a, b Bid) bool {
	if a.Price != b.Price {
		return a.Price > b.Price
	}
	return cmp.Or(cmp.Compare(a.DateTime, b.DateTime), cmp.Compare(a.Bidder, b.Bidder),
		cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.URL, b.URL), cmp.Compare(a.Extra, b.Extra)) < 0
}

// Q9 is winning bids (SQL q9, Beam's Query9): every sold auction, with
// its winning bid (see winningBids for the rule). Unlike the SQL query
// it requires the reserve to be met, as Beam's WinningBids does.
func Q9(events []Event) []Q9Row { return winningBids(events) }

// Q4 is average price per category (SQL q4, Beam's Query4 without its
// windows): for every category with a sold auction, the mean of its sold
// auctions' winning prices, rounded down. It is the final result after the
// end of input; a streaming job emits updates as auctions close, and the
// last update per category is this.
func Q4(events []Event) []Q4Row {
	type sum struct{ total, n int64 }
	sums := map[int64]sum{}
	for _, w := range winningBids(events) {
		s := sums[w.Auction.Category]
		sums[w.Auction.Category] = sum{s.total + w.Bid.Price, s.n + 1}
	}
	var rows []Q4Row
	for c, s := range sums {
		rows = append(rows, Q4Row{Category: c, AvgPrice: s.total / s.n})
	}
	return rows
}

// Q6Auctions is how many of a seller's latest sold auctions q6 averages.
const Q6Auctions = 10

// Q6 is average selling price by seller (Beam's Query6): for every seller
// with a sold auction, the mean winning price of their last Q6Auctions
// sold auctions (or all, if fewer), rounded down. "Last" orders the
// auctions by when they closed — their Expires — and auctions closing at
// the same time by id. It is the final result after the end of input; a
// streaming job emits an update as each auction closes, and the last
// update per seller is this. (Beam orders by the winning bid's time; the
// SQL suite's q6, which Flink cannot run, averages over 11 rows.)
func Q6(events []Event) []Q6Row {
	bySeller := map[int64][]Q9Row{}
	for _, w := range winningBids(events) {
		bySeller[w.Auction.Seller] = append(bySeller[w.Auction.Seller], w)
	}
	var rows []Q6Row
	for seller, sold := range bySeller {
		slices.SortFunc(sold, func(a, b Q9Row) int {
			return cmp.Or(cmp.Compare(a.Auction.Expires, b.Auction.Expires), cmp.Compare(a.Auction.ID, b.Auction.ID))
		})
		last := sold[max(0, len(sold)-Q6Auctions):]
		total := int64(0)
		for _, w := range last {
			total += w.Bid.Price
		}
		rows = append(rows, Q6Row{Seller: seller, AvgPrice: total / int64(len(last))})
	}
	return rows
}
