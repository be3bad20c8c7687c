package nexmark

// Q3Category is the category of q3's auctions.
const Q3Category = 10

// q3States are the states of q3's sellers.
var q3States = map[string]bool{"OR": true, "ID": true, "CA": true}

// Q3 is local item suggestion (SQL q3): for every auction of category
// Q3Category whose seller is a person living in OR, ID or CA, the
// seller's name, city and state and the auction's id. It is an inner
// join of all auctions with all persons on seller = person id, without
// windows: whichever of the two comes first in the stream.
func Q3(events []Event) []Q3Row {
	persons := map[int64]*Person{}
	for _, e := range events {
		if e.Kind == KindPerson && q3States[e.Person.State] {
			persons[e.Person.ID] = e.Person
		}
	}
	var rows []Q3Row
	for _, e := range events {
		if e.Kind != KindAuction || e.Auction.Category != Q3Category {
			continue
		}
		if p, ok := persons[e.Auction.Seller]; ok {
			rows = append(rows, Q3Row{Name: p.Name, City: p.City, State: p.State, Auction: e.Auction.ID})
		}
	}
	return rows
}

// Q8Window is the size of q8's tumbling windows, in ms.
const Q8Window = 10_000

// Q8 is monitor new users (SQL q8): every person who opened an auction in
// the 10 s tumbling window in which they joined — the person's id and
// name and the window's start, once however many auctions they opened in
// it. Both sides are windowed by their own DateTime; the person joined in
// window w if their DateTime is in w, and opened an auction in w if the
// auction's DateTime is.
func Q8(events []Event) []Q8Row {
	type sellerWindow struct{ seller, start int64 }
	opened := map[sellerWindow]bool{}
	for _, e := range events {
		if e.Kind == KindAuction {
			opened[sellerWindow{e.Auction.Seller, windowStart(e.Auction.DateTime, Q8Window)}] = true
		}
	}
	var rows []Q8Row
	for _, e := range events {
		if e.Kind != KindPerson {
			continue
		}
		start := windowStart(e.Person.DateTime, Q8Window)
		if opened[sellerWindow{e.Person.ID, start}] {
			rows = append(rows, Q8Row{Person: e.Person.ID, Name: e.Person.Name, WindowStart: start})
		}
	}
	return rows
}
