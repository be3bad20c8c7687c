package nexmark

import "fmt"

// Q0Row is a row of q0: a bid, as passed through.
type Q0Row struct {
	// Auction, Bidder, Price, DateTime and Extra are the bid's.
	Auction, Bidder, Price, DateTime int64
	Extra                            string
}

func (r Q0Row) String() string {
	return fmt.Sprintf("%d,%d,%d,%d,%s", r.Auction, r.Bidder, r.Price, r.DateTime, r.Extra)
}

// Q1Row is a row of q1: a bid with its price in euros.
type Q1Row struct {
	// Auction, Bidder, DateTime and Extra are the bid's.
	Auction, Bidder int64
	// PriceMilli is the price × 0.908, in thousandths (exactly: price ×
	// 908), as the SQL query's DECIMAL(23, 3).
	PriceMilli int64
	DateTime   int64
	Extra      string
}

func (r Q1Row) String() string {
	return fmt.Sprintf("%d,%d,%d.%03d,%d,%s", r.Auction, r.Bidder, r.PriceMilli/1000, r.PriceMilli%1000, r.DateTime, r.Extra)
}

// Q2Row is a row of q2: a bid for a selected auction.
type Q2Row struct {
	// Auction and Price are the bid's.
	Auction, Price int64
}

func (r Q2Row) String() string { return fmt.Sprintf("%d,%d", r.Auction, r.Price) }

// Q3Row is a row of q3: a seller of a local item.
type Q3Row struct {
	// Name, City and State are the seller's.
	Name, City, State string
	// Auction is the auction's id.
	Auction int64
}

func (r Q3Row) String() string { return fmt.Sprintf("%s,%s,%s,%d", r.Name, r.City, r.State, r.Auction) }

// Q4Row is a row of q4: a category's average closing price.
type Q4Row struct {
	// Category is the auctions' category.
	Category int64
	// AvgPrice is the mean of its sold auctions' winning prices, rounded
	// down (the SQL AVG of a BIGINT).
	AvgPrice int64
}

func (r Q4Row) String() string { return fmt.Sprintf("%d,%d", r.Category, r.AvgPrice) }

// Q5Row is a row of q5: a hot auction of a window.
type Q5Row struct {
	// WindowStart and WindowEnd bound the window, [start, end).
	WindowStart, WindowEnd int64
	// Auction is the auction's id, Count its bids in the window.
	Auction, Count int64
}

func (r Q5Row) String() string {
	return fmt.Sprintf("%d,%d,%d,%d", r.WindowStart, r.WindowEnd, r.Auction, r.Count)
}

// Q6Row is a row of q6: a seller's average selling price.
type Q6Row struct {
	// Seller is the seller's id.
	Seller int64
	// AvgPrice is the mean of the winning prices of the seller's last
	// (up to) 10 sold auctions, rounded down.
	AvgPrice int64
}

func (r Q6Row) String() string { return fmt.Sprintf("%d,%d", r.Seller, r.AvgPrice) }

// Q7Row is a row of q7: a highest bid of a window.
type Q7Row struct {
	// WindowStart and WindowEnd bound the window, [start, end).
	WindowStart, WindowEnd int64
	// Auction, Bidder, Price, DateTime and Extra are the bid's.
	Auction, Bidder, Price, DateTime int64
	Extra                            string
}

func (r Q7Row) String() string {
	return fmt.Sprintf("%d,%d,%d,%d,%d,%d,%s", r.WindowStart, r.WindowEnd, r.Auction, r.Bidder, r.Price, r.DateTime, r.Extra)
}

// Q8Row is a row of q8: a new user who opened an auction.
type Q8Row struct {
	// Person and Name are the person's id and name.
	Person int64
	Name   string
	// WindowStart is the start of the window in which the person joined
	// and opened an auction.
	WindowStart int64
}

func (r Q8Row) String() string { return fmt.Sprintf("%d,%s,%d", r.Person, r.Name, r.WindowStart) }

// Q9Row is a row of q9: an auction and its winning bid.
type Q9Row struct {
	// Auction is the auction.
	Auction Auction
	// Bid is its winning bid.
	Bid Bid
}

func (r Q9Row) String() string { return r.Auction.String() + "," + r.Bid.String() }
