package nexmark

// Q5's sliding windows: size and slide, in ms.
const (
	Q5Window = 10_000
	Q5Slide  = 2_000
)

// Q5 is hot items (SQL q5): for every 10 s window sliding by 2 s that
// holds a bid, the auction or auctions with the most bids in the window,
// with that count; auctions tied for the most all appear. A bid at t is in
// the five windows [s, s+10 s) with s a multiple of 2 s and
// t-10 s < s <= t.
func Q5(events []Event) []Q5Row {
	counts := map[int64]map[int64]int64{} // window start → auction → bids
	for _, b := range bidsOf(events) {
		for s := windowStart(b.DateTime, Q5Slide); s > b.DateTime-Q5Window; s -= Q5Slide {
			if counts[s] == nil {
				counts[s] = map[int64]int64{}
			}
			counts[s][b.Auction]++
		}
	}
	var rows []Q5Row
	for s, byAuction := range counts {
		top := int64(0)
		for _, n := range byAuction {
			top = max(top, n)
		}
		for a, n := range byAuction {
			if n == top {
				rows = append(rows, Q5Row{WindowStart: s, WindowEnd: s + Q5Window, Auction: a, Count: n})
			}
		}
	}
	return rows
}

// Q7Window is the size of q7's tumbling windows, in ms.
const Q7Window = 10_000

// Q7 is highest bid (SQL q7, Beam's Query7): for every 10 s tumbling
// window, every bid in it whose price is the highest price of the
// window's bids. (The SQL query's BETWEEN also matches a bid at exactly
// the window's end, which lies in the next window; here a bid belongs to
// its own window only.)
func Q7(events []Event) []Q7Row {
	top := map[int64]int64{} // window start → highest price
	bids := bidsOf(events)
	for _, b := range bids {
		s := windowStart(b.DateTime, Q7Window)
		top[s] = max(top[s], b.Price)
	}
	var rows []Q7Row
	for _, b := range bids {
		s := windowStart(b.DateTime, Q7Window)
		if b.Price == top[s] {
			rows = append(rows, Q7Row{WindowStart: s, WindowEnd: s + Q7Window, Auction: b.Auction, Bidder: b.Bidder,
				Price: b.Price, DateTime: b.DateTime, Extra: b.Extra})
		}
	}
	return rows
}
