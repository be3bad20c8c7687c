package nexmark

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func person(id int64, name, state string, ts int64) Event {
	return Event{Kind: KindPerson, Person: &Person{ID: id, Name: name, City: "Bend", State: state, DateTime: ts}}
}

func auction(id, seller, category, ts, expires, reserve int64) Event {
	return Event{Kind: KindAuction, Auction: &Auction{ID: id, Seller: seller, Category: category, DateTime: ts, Expires: expires, Reserve: reserve}}
}

func bid(auction, bidder, price, ts int64) Event {
	return Event{Kind: KindBid, Bid: Bid{Auction: auction, Bidder: bidder, Price: price, DateTime: ts}}
}

func reference(t *testing.T, query string, events ...Event) []string {
	t.Helper()
	got, err := Reference(query, events)
	require.NoError(t, err)
	return got
}

// TestReferenceSelections checks q0, q1 and q2 on hand-made bids.
//
// Mutants: Q1 multiplying by 900; Q1Row printing the thousandths without
// zero padding; Q2 testing auction%Q2Modulus != 0; Q0 taking the bidder
// for the auction; each fails this test.
func TestReferenceSelections(t *testing.T) {
	events := []Event{bid(246, 7, 1000, 5), person(1, "A B", "OR", 6), bid(124, 8, 7, 9), auction(5, 1, 10, 1, 2, 0), bid(123, 9, 11, 12)}
	require.Equal(t, []string{"123,9,11,12,", "124,8,7,9,", "246,7,1000,5,"}, reference(t, "q0", events...))
	require.Equal(t, []string{"123,9,9.988,12,", "124,8,6.356,9,", "246,7,908.000,5,"}, reference(t, "q1", events...))
	require.Equal(t, []string{"123,11", "246,1000"}, reference(t, "q2", events...))
}

// TestReferenceQ3 checks the local item suggestion join: category 10
// only, sellers in OR, ID and CA only, and an auction that comes before
// its seller in the stream still joins.
//
// Mutants: Q3 dropping the state filter; Q3 comparing category with 11;
// Q3 joining on the auction id instead of the seller; each fails this test.
func TestReferenceQ3(t *testing.T) {
	got := reference(t, "q3",
		auction(13, 3, 10, 0, 5, 0), // before its seller
		person(1, "Ann Or", "OR", 1), person(2, "Wes Wa", "WA", 1), person(3, "Cal Ca", "CA", 1), person(4, "Ida Id", "ID", 1),
		auction(10, 1, 10, 2, 5, 0), auction(11, 2, 10, 2, 5, 0), auction(12, 3, 11, 2, 5, 0),
		auction(14, 99, 10, 2, 5, 0), auction(3, 4, 10, 2, 5, 0))
	require.Equal(t, []string{"Ann Or,Bend,OR,10", "Cal Ca,Bend,CA,13", "Ida Id,Bend,ID,3"}, got)
}

// auctionsAndBids is the input of the winning-bid tests: auction 1
// (seller 100, category 10, [1000, 2000], reserve 50) gets bids before its
// opening, at its opening, at its expiry, after it, below its reserve, and
// a tie at the top; auction 2 (seller 100) is sold to a bid that comes
// before it in the stream; auction 3 (seller 200, category 11) gets only
// bids below its reserve and is not sold; auction 4 (seller 200, category
// 11) is sold at its opening price.
func auctionsAndBids() []Event {
	return []Event{
		bid(2, 9, 70, 3000), // before auction 2 in the stream, within its lifetime
		bid(1, 1, 999, 999), // before auction 1 opens
		auction(1, 100, 10, 1000, 2000, 50),
		auction(2, 100, 10, 3000, 3500, 60),
		auction(3, 200, 11, 1000, 9000, 500),
		auction(4, 200, 11, 1000, 1100, 10),
		bid(1, 2, 40, 1000),   // below the reserve
		bid(1, 3, 80, 1000),   // at the opening
		bid(1, 4, 90, 2000),   // at the expiry: the winner (tie, earlier)
		bid(1, 5, 90, 2000),   // tie, same time, higher bidder
		bid(1, 6, 500, 2001),  // after the expiry
		bid(1, 7, 90, 1500+1), // tie, earlier: wins
		bid(3, 8, 499, 2000),  // below auction 3's reserve
		bid(4, 9, 10, 1100),
	}
}

// TestReferenceWinningBids checks q9's winning bids, and q4 and q6 over
// them.
//
// Mutants: winningBids excluding a bid at the expiry (>= instead of >);
// winningBids ignoring the reserve; BetterBid preferring the later bid on
// a tie; each fails this test.
func TestReferenceWinningBids(t *testing.T) {
	events := auctionsAndBids()
	require.Equal(t, []string{
		"1,,,0,50,1000,2000,100,10,,1,7,90,,,1501,",
		"2,,,0,60,3000,3500,100,10,,2,9,70,,,3000,",
		"4,,,0,10,1000,1100,200,11,,4,9,10,,,1100,",
	}, reference(t, "q9", events...))
	require.Equal(t, []string{"10,80", "11,10"}, reference(t, "q4", events...))
	require.Equal(t, []string{"100,80", "200,10"}, reference(t, "q6", events...))
}

// TestReferenceQ6LastTen sells 12 auctions of one seller, closing out of
// id order, and a 13th without a winner: q6 averages the 10 that closed
// last, by expiry.
//
// Mutants: Q6 sorting by id instead of expiry; Q6Auctions 11; Q6 taking
// the first 10 instead of the last; each fails this test.
func TestReferenceQ6LastTen(t *testing.T) {
	var events []Event
	for i := int64(1); i <= 12; i++ {
		expires := 1000 + (13-i)*10 // auction 12 closes first, auction 1 last
		events = append(events, auction(i, 7, 10, 0, expires, 0), bid(i, 1, i*100, 5))
	}
	events = append(events, auction(13, 7, 10, 0, 5000, 10_000), bid(13, 1, 1, 5))
	// Closed last: auctions 10 down to 1 (prices 1000 … 100): mean 550.
	require.Equal(t, []string{"7,550"}, reference(t, "q6", events...))
}

// TestReferenceQ5 checks hot items on bids at the edges of the 2 s slides
// and 10 s windows, with ties.
//
// Mutants: Q5 enumerating windows with s >= t-10 s (one window too many);
// Q5 keeping only the first of tied auctions; Q5Slide 1000; each fails
// this test.
func TestReferenceQ5(t *testing.T) {
	got := reference(t, "q5", bid(1, 1, 1, 0), bid(2, 1, 1, 1999), bid(2, 1, 1, 2000), bid(1, 1, 1, 11_000))
	require.Equal(t, []string{
		"-2000,8000,2,2",
		"-4000,6000,2,2",
		"-6000,4000,2,2",
		"-8000,2000,1,1",
		"-8000,2000,2,1",
		"0,10000,2,2",
		"10000,20000,1,1",
		"2000,12000,1,1",
		"2000,12000,2,1",
		"4000,14000,1,1",
		"6000,16000,1,1",
		"8000,18000,1,1",
	}, got)
}

// TestReferenceQ7 checks the highest bids of tumbling windows, ties
// included, and that a bid at a window's end belongs to the next window.
//
// Mutants: Q7 comparing with the global top price; windowStart rounding
// up; each fails this test.
func TestReferenceQ7(t *testing.T) {
	got := reference(t, "q7", bid(1, 1, 5, 100), bid(2, 2, 9, 200), bid(3, 3, 9, 9999), bid(4, 4, 3, 10_000), bid(5, 5, 2, 19_999))
	require.Equal(t, []string{"0,10000,2,2,9,200,", "0,10000,3,3,9,9999,", "10000,20000,4,4,3,10000,"}, got)
}

// TestReferenceQ8 checks new users: the person's and the auction's
// windows must be the same 10 s window, and a person with two auctions in
// it appears once.
//
// Mutants: Q8 windowing the auction by its expiry fails this test.
func TestReferenceQ8(t *testing.T) {
	got := reference(t, "q8",
		person(1, "One", "OR", 5000), auction(10, 1, 10, 9999, 30_000, 0), auction(11, 1, 10, 9000, 9001, 0),
		person(2, "Two", "OR", 9999), auction(12, 2, 10, 10_000, 10_001, 0),
		auction(13, 3, 10, 15_000, 15_001, 0), person(3, "Three", "OR", 20_000),
		person(4, "Four", "OR", 12_000), auction(14, 4, 10, 19_999, 20_000, 0))
	require.Equal(t, []string{"1,One,0", "4,Four,10000"}, got)
}

// TestReferenceUnknownQuery: a name other than q0 … q9 is an error.
func TestReferenceUnknownQuery(t *testing.T) {
	_, err := Reference("q10", nil)
	require.ErrorIs(t, err, ErrUnknownQuery)
	for _, q := range Queries {
		got, err := Reference(q, nil)
		require.NoError(t, err, q)
		require.Empty(t, got, q)
	}
}

// TestReferencesOnGeneratedEvents runs every reference on 100,000
// generated events: each query finds results, as the benchmark's id
// offsets and hot ratios mean it to.
func TestReferencesOnGeneratedEvents(t *testing.T) {
	g, err := NewGenerator(Config{})
	require.NoError(t, err)
	events, err := g.Events(0, 100_000)
	require.NoError(t, err)
	for _, q := range Queries {
		got, err := Reference(q, events)
		require.NoError(t, err)
		require.NotEmpty(t, got, q)
		t.Logf("%s: %d rows", q, len(got))
	}
}
