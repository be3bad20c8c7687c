package main

import (
	"time"

	"github.com/flinksim/go-flinksim/examples/nexmark/nexmark"
	"github.com/flinksim/go-flinksim/flinksim"
)

// q5Count is the number of bids of one auction in one window.
type q5Count struct{ WindowStart, Auction, Count int64 }

// bidCounter counts bids (an AggregateFunction).
type bidCounter struct{}

func (bidCounter) CreateAccumulator() int64         { return 0 }
func (bidCounter) Add(_ nexmark.Bid, n int64) int64 { return n + 1 }
func (bidCounter) Result(n int64) int64             { return n }
func (bidCounter) Merge(a, b int64) int64           { return a + b }

// q5 is hot items (nexmark.Q5): bids keyed by auction, counted in
// sliding windows of nexmark.Q5Window every nexmark.Q5Slide; the counts,
// stamped with their window's last millisecond, keyed by window, where
// the auctions with the most bids are kept until the watermark passes the
// window — by then every subtask's count of it has arrived.
func q5(events flinksim.Stream[nexmark.Event]) flinksim.Stream[nexmark.Q5Row] {
	windows := flinksim.KeyBy(bids(events), func(b nexmark.Bid) int64 { return b.Auction }).
		Window(flinksim.SlidingEventTimeWindows(nexmark.Q5Window*time.Millisecond, nexmark.Q5Slide*time.Millisecond))
	counts := flinksim.AggregateProcessWindow(windows, "bids-per-window", flinksim.AggregateFunction[nexmark.Bid, int64, int64](bidCounter{}),
		flinksim.ProcessWindowFunc[int64, int64, q5Count](func(ctx *flinksim.WindowContext[int64], n []int64, out flinksim.Collector[q5Count]) error {
			out.Collect(q5Count{WindowStart: ctx.Window().Start, Auction: ctx.Key(), Count: n[0]})
			return nil
		}))
	byWindow := flinksim.KeyBy(counts, func(c q5Count) int64 { return c.WindowStart })
	return flinksim.Process(byWindow, "q5",
		func(rt *flinksim.KeyedRuntimeContext[int64]) (flinksim.KeyedProcessFunction[int64, q5Count, nexmark.Q5Row], error) {
			return &hottest{
				top:      flinksim.NewValueState[int64](rt, "top-count"),
				auctions: flinksim.NewListState[int64](rt, "top-auctions"),
			}, nil
		})
}

// hottest keeps, for one window, the auctions with the most bids.
type hottest struct {
	top      flinksim.ValueState[int64]
	auctions flinksim.ListState[int64]
}

func (h *hottest) ProcessElement(ctx *flinksim.KeyedContext[int64], c q5Count, _ flinksim.Collector[nexmark.Q5Row]) error {
	top, ok := h.top.Value()
	switch {
	case !ok:
		ctx.TimerService().RegisterEventTimeTimer(ctx.Timestamp())
		fallthrough
	case c.Count > top:
		h.top.Update(c.Count)
		h.auctions.Update([]int64{c.Auction})
	case c.Count == top:
		h.auctions.Add(c.Auction)
	}
	return nil
}

// OnTimer emits the window's hottest auctions once the watermark passed
// it.
func (h *hottest) OnTimer(ctx *flinksim.OnTimerContext[int64], _ int64, out flinksim.Collector[nexmark.Q5Row]) error {
	top, _ := h.top.Value()
	start := ctx.Key()
	for _, a := range h.auctions.Get() {
		out.Collect(nexmark.Q5Row{WindowStart: start, WindowEnd: start + nexmark.Q5Window, Auction: a, Count: top})
	}
	h.top.Clear()
	h.auctions.Clear()
	return nil
}

// q7Shards is how many partial maxima q7 computes per window before the
// window's maximum: bids are spread over them by auction id.
const q7Shards = 64

// q7Top is the bids of the highest price among some bids.
type q7Top struct {
	Price int64
	Bids  []nexmark.Bid
}

// topBids keeps the highest-priced bids (an AggregateFunction).
type topBids struct{}

func (topBids) CreateAccumulator() q7Top { return q7Top{Price: -1} }

func (topBids) Add(b nexmark.Bid, t q7Top) q7Top {
	switch {
	case b.Price > t.Price:
		t.Price, t.Bids = b.Price, []nexmark.Bid{b}
	case b.Price == t.Price:
		t.Bids = append(t.Bids, b)
	}
	return t
}

func (topBids) Result(t q7Top) q7Top { return t }

func (a topBids) Merge(x, y q7Top) q7Top {
	for _, b := range y.Bids {
		x = a.Add(b, x)
	}
	return x
}

// q7 is highest bid (nexmark.Q7): bids spread over q7Shards keys by
// auction, each shard's highest bids per nexmark.Q7Window tumbling window,
// then keyed by window, where the bids of the highest price are kept until
// the watermark passes the window.
func q7(events flinksim.Stream[nexmark.Event]) flinksim.Stream[nexmark.Q7Row] {
	windows := flinksim.KeyBy(bids(events), func(b nexmark.Bid) int64 { return b.Auction % q7Shards }).
		Window(flinksim.TumblingEventTimeWindows(nexmark.Q7Window * time.Millisecond))
	partial := flinksim.AggregateProcessWindow(windows, "shard-top-bids", flinksim.AggregateFunction[nexmark.Bid, q7Top, q7Top](topBids{}),
		flinksim.ProcessWindowFunc[int64, q7Top, nexmark.Q7Row](func(ctx *flinksim.WindowContext[int64], tops []q7Top, out flinksim.Collector[nexmark.Q7Row]) error {
			w := ctx.Window()
			for _, b := range tops[0].Bids {
				out.Collect(nexmark.Q7Row{WindowStart: w.Start, WindowEnd: w.End, Auction: b.Auction, Bidder: b.Bidder,
					Price: b.Price, DateTime: b.DateTime, Extra: b.Extra})
			}
			return nil
		}))
	byWindow := flinksim.KeyBy(partial, func(r nexmark.Q7Row) int64 { return r.WindowStart })
	return flinksim.Process(byWindow, "q7",
		func(rt *flinksim.KeyedRuntimeContext[int64]) (flinksim.KeyedProcessFunction[int64, nexmark.Q7Row, nexmark.Q7Row], error) {
			return &highest{
				top:  flinksim.NewValueState[int64](rt, "top-price"),
				rows: flinksim.NewListState[nexmark.Q7Row](rt, "top-bids"),
			}, nil
		})
}

// highest keeps, for one window, the bids of the highest price.
type highest struct {
	top  flinksim.ValueState[int64]
	rows flinksim.ListState[nexmark.Q7Row]
}

func (h *highest) ProcessElement(ctx *flinksim.KeyedContext[int64], r nexmark.Q7Row, _ flinksim.Collector[nexmark.Q7Row]) error {
	top, ok := h.top.Value()
	switch {
	case !ok:
		ctx.TimerService().RegisterEventTimeTimer(ctx.Timestamp())
		fallthrough
	case r.Price > top:
		h.top.Update(r.Price)
		h.rows.Update([]nexmark.Q7Row{r})
	case r.Price == top:
		h.rows.Add(r)
	}
	return nil
}

// OnTimer emits the window's highest bids once the watermark passed it.
func (h *highest) OnTimer(_ *flinksim.OnTimerContext[int64], _ int64, out flinksim.Collector[nexmark.Q7Row]) error {
	for _, r := range h.rows.Get() {
		out.Collect(r)
	}
	h.top.Clear()
	h.rows.Clear()
	return nil
}

// q8Person is what q8 keeps of a person.
type q8Person struct {
	ID   int64
	Name string
}

// q8 is monitor new users (nexmark.Q8): persons keyed by id and auctions
// keyed by seller, co-grouped in nexmark.Q8Window tumbling windows; a
// window holding a person and an auction of theirs gives the person once.
func q8(events flinksim.Stream[nexmark.Event]) flinksim.Stream[nexmark.Q8Row] {
	persons := flinksim.FlatMap(events, "persons", func(e nexmark.Event, out flinksim.Collector[q8Person]) error {
		if e.Kind == nexmark.KindPerson {
			out.Collect(q8Person{ID: e.Person.ID, Name: e.Person.Name})
		}
		return nil
	})
	sellers := flinksim.FlatMap(events, "sellers", func(e nexmark.Event, out flinksim.Collector[int64]) error {
		if e.Kind == nexmark.KindAuction {
			out.Collect(e.Auction.Seller)
		}
		return nil
	})
	return flinksim.CoGroupWindow(
		flinksim.KeyBy(persons, func(p q8Person) int64 { return p.ID }),
		flinksim.KeyBy(sellers, func(seller int64) int64 { return seller }),
		flinksim.TumblingEventTimeWindows(nexmark.Q8Window*time.Millisecond), "q8",
		func(ctx *flinksim.WindowContext[int64], ps []q8Person, sold []int64, out flinksim.Collector[nexmark.Q8Row]) error {
			if len(sold) == 0 {
				return nil
			}
			for _, p := range ps {
				out.Collect(nexmark.Q8Row{Person: p.ID, Name: p.Name, WindowStart: ctx.Window().Start})
			}
			return nil
		})
}
