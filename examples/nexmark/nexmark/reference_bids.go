package nexmark

// Q2Modulus selects q2's auctions: those whose id is a multiple of it.
const Q2Modulus = 123

// Q0 is the pass-through query: every bid, its auction, bidder, price,
// date-time and extra (SQL q0).
func Q0(events []Event) []Q0Row {
	var rows []Q0Row
	for _, b := range bidsOf(events) {
		rows = append(rows, Q0Row{Auction: b.Auction, Bidder: b.Bidder, Price: b.Price, DateTime: b.DateTime, Extra: b.Extra})
	}
	return rows
}

// Q1 is currency conversion: every bid with its price converted from
// dollars to euros, price × 0.908, exact to the thousandth (SQL q1).
func Q1(events []Event) []Q1Row {
	var rows []Q1Row
	for _, b := range bidsOf(events) {
		rows = append(rows, Q1Row{Auction: b.Auction, Bidder: b.Bidder, PriceMilli: b.Price * 908, DateTime: b.DateTime, Extra: b.Extra})
	}
	return rows
}

// Q2 is selection: the auction and price of every bid for an auction
// whose id is a multiple of Q2Modulus (SQL q2: MOD(auction, 123) = 0).
func Q2(events []Event) []Q2Row {
	var rows []Q2Row
	for _, b := range bidsOf(events) {
		if b.Auction%Q2Modulus == 0 {
			rows = append(rows, Q2Row{Auction: b.Auction, Price: b.Price})
		}
	}
	return rows
}
