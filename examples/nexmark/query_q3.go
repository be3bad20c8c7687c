package main

import (
	"github.com/flinksim/go-flinksim/examples/nexmark/nexmark"
	"github.com/flinksim/go-flinksim/flinksim"
)

// q3States are the states whose sellers q3 reports.
var q3States = map[string]bool{"OR": true, "ID": true, "CA": true}

// q3Person is what q3 keeps of a person: Local says whether they live in
// one of q3States (the others are kept as a mark that their auctions
// join nothing).
type q3Person struct {
	Name, City, State string
	Local             bool
}

// q3 is local item suggestion (nexmark.Q3): persons keyed by id and
// auctions of category nexmark.Q3Category keyed by seller, joined without
// windows. Each person is kept (its name, city and state if local, a mark
// otherwise); an auction whose seller has not arrived yet waits for them.
func q3(events flinksim.Stream[nexmark.Event]) flinksim.Stream[nexmark.Q3Row] {
	persons := flinksim.FlatMap(events, "persons", func(e nexmark.Event, out flinksim.Collector[nexmark.Person]) error {
		if e.Kind == nexmark.KindPerson {
			out.Collect(*e.Person)
		}
		return nil
	})
	items := flinksim.Filter(auctions(events), "category", func(a nexmark.Auction) (bool, error) {
		return a.Category == nexmark.Q3Category, nil
	})
	joined := flinksim.ConnectKeyed(
		flinksim.KeyBy(persons, func(p nexmark.Person) int64 { return p.ID }),
		flinksim.KeyBy(items, func(a nexmark.Auction) int64 { return a.Seller }))
	return flinksim.KeyedCoProcess(joined, "q3",
		func(rt *flinksim.KeyedRuntimeContext[int64]) (flinksim.KeyedCoProcessFunction[int64, nexmark.Person, nexmark.Auction, nexmark.Q3Row], error) {
			return &q3Join{
				person:  flinksim.NewValueState[q3Person](rt, "person"),
				waiting: flinksim.NewListState[int64](rt, "waiting-auctions"),
			}, nil
		})
}

// q3Join joins one seller's person with their auctions.
type q3Join struct {
	person  flinksim.ValueState[q3Person]
	waiting flinksim.ListState[int64] // ids of auctions that came before their seller
}

func (j *q3Join) ProcessElement1(_ *flinksim.KeyedContext[int64], p nexmark.Person, out flinksim.Collector[nexmark.Q3Row]) error {
	kept := q3Person{Local: q3States[p.State]}
	if kept.Local {
		kept.Name, kept.City, kept.State = p.Name, p.City, p.State
		for _, id := range j.waiting.Get() {
			out.Collect(nexmark.Q3Row{Name: p.Name, City: p.City, State: p.State, Auction: id})
		}
	}
	j.waiting.Clear()
	j.person.Update(kept)
	return nil
}

func (j *q3Join) ProcessElement2(_ *flinksim.KeyedContext[int64], a nexmark.Auction, out flinksim.Collector[nexmark.Q3Row]) error {
	p, ok := j.person.Value()
	switch {
	case !ok:
		j.waiting.Add(a.ID)
	case p.Local:
		out.Collect(nexmark.Q3Row{Name: p.Name, City: p.City, State: p.State, Auction: a.ID})
	}
	return nil
}
