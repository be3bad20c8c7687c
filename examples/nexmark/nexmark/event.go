package nexmark

import (
	"fmt"
	"strconv"
)

// Kind is the kind of an Event.
type Kind uint8

// The kinds of events.
const (
	// KindPerson: a new person, Event.Person.
	KindPerson Kind = iota
	// KindAuction: a new auction, Event.Auction.
	KindAuction
	// KindBid: a bid, Event.Bid.
	KindBid
)

func (k Kind) String() string {
	switch k {
	case KindPerson:
		return "person"
	case KindAuction:
		return "auction"
	case KindBid:
		return "bid"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Event is one event of the Nexmark stream: a new person, a new auction,
// or a bid, as Kind says. A bid (92 % of events) is held by value, so
// generating and passing it allocates nothing; a person or an auction is
// held by pointer, and the other two fields are zero.
//
// Timestamps are milliseconds since the epoch. Text fields never contain
// a comma or a line break.
type Event struct {
	// Kind says which of the fields holds the event.
	Kind Kind
	// Bid is the bid of a KindBid event.
	Bid Bid
	// Person is the person of a KindPerson event, nil otherwise.
	Person *Person
	// Auction is the auction of a KindAuction event, nil otherwise.
	Auction *Auction
}

// Timestamp returns the event's event time: its DateTime.
func (e Event) Timestamp() int64 {
	switch e.Kind {
	case KindPerson:
		return e.Person.DateTime
	case KindAuction:
		return e.Auction.DateTime
	}
	return e.Bid.DateTime
}

// String formats the event as its kind and fields, comma-separated.
func (e Event) String() string {
	switch e.Kind {
	case KindPerson:
		return "person," + e.Person.String()
	case KindAuction:
		return "auction," + e.Auction.String()
	case KindBid:
		return "bid," + e.Bid.String()
	}
	return e.Kind.String()
}

// Person is a person who joined the auction site.
type Person struct {
	// ID is the person's id, unique, from 1000 up.
	ID int64
	// Name is a first and a last name.
	Name string
	// EmailAddress is a random address.
	EmailAddress string
	// CreditCard is four groups of four digits.
	CreditCard string
	// City and State are in the western United States.
	City, State string
	// DateTime is when the person joined (ms since the epoch).
	DateTime int64
	// Extra is padding (see Config.PadExtra).
	Extra string
}

func (p *Person) String() string {
	return fmt.Sprintf("%d,%s,%s,%s,%s,%s,%d,%s", p.ID, p.Name, p.EmailAddress, p.CreditCard, p.City, p.State, p.DateTime, p.Extra)
}

// Auction is an item put up for auction.
type Auction struct {
	// ID is the auction's id, unique, from 1000 up.
	ID int64
	// ItemName and Description are random text.
	ItemName, Description string
	// InitialBid is the starting price; Reserve, above it, the lowest
	// price the seller accepts.
	InitialBid, Reserve int64
	// DateTime is when the auction opened, Expires when it closes (ms
	// since the epoch); Expires > DateTime.
	DateTime, Expires int64
	// Seller is the id of the person selling.
	Seller int64
	// Category is from 10 to 14.
	Category int64
	// Extra is padding (see Config.PadExtra).
	Extra string
}

func (a *Auction) String() string {
	return fmt.Sprintf("%d,%s,%s,%d,%d,%d,%d,%d,%d,%s", a.ID, a.ItemName, a.Description, a.InitialBid, a.Reserve,
		a.DateTime, a.Expires, a.Seller, a.Category, a.Extra)
}

// Bid is a bid for an auction.
type Bid struct {
	// Auction is the id of the auction bid for; Bidder the id of the
	// person bidding. Either may name one not created (yet), as in the
	// benchmark.
	Auction, Bidder int64
	// Price is the amount bid, in cents.
	Price int64
	// Channel is where the bid came from, URL its page.
	Channel, URL string
	// DateTime is when the bid was made (ms since the epoch).
	DateTime int64
	// Extra is padding (see Config.PadExtra).
	Extra string
}

func (b Bid) String() string {
	return fmt.Sprintf("%d,%d,%d,%s,%s,%d,%s", b.Auction, b.Bidder, b.Price, b.Channel, b.URL, b.DateTime, b.Extra)
}
