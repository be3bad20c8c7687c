package nexmark_test

import (
	"context"
	"fmt"

	"github.com/flinksim/go-flinksim/examples/nexmark/nexmark"
	"github.com/flinksim/go-flinksim/flinksim"
)

// The first events of the default stream: a person, three auctions, and
// the bids that follow.
func ExampleGenerator() {
	g, err := nexmark.NewGenerator(nexmark.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	events, err := g.Events(0, 5)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range events {
		fmt.Println(e.Kind, e.Timestamp())
	}
	fmt.Println(events[0].Person.ID, events[0].Person.Name, events[4].Bid.Auction)
	// Output:
	// person 0
	// auction 0
	// auction 0
	// auction 0
	// bid 0
	// 1000 John Smith 1000
}

// A job counting the bids of 10,000 events read by a source of four
// subtasks, and the same count from the reference of q0.
func ExampleNewSource() {
	g, err := nexmark.NewGenerator(nexmark.Config{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	src, err := nexmark.NewSource(g, nexmark.SourceConfig{Events: 10_000})
	if err != nil {
		fmt.Println(err)
		return
	}
	env := flinksim.NewEnvironment(flinksim.WithParallelism(4))
	events := flinksim.FromSourceWithWatermarks(env, "nexmark", src, flinksim.ForMonotonousTimestamps[nexmark.Event]())
	bids := flinksim.Filter(events, "bids", func(e nexmark.Event) (bool, error) { return e.Kind == nexmark.KindBid, nil })
	out := flinksim.Collect(bids, "out")
	if _, err := env.Execute(context.Background(), "count bids"); err != nil {
		fmt.Println(err)
		return
	}
	all, _ := g.Events(0, 10_000)
	ref, _ := nexmark.Reference("q0", all)
	fmt.Println(len(out.Values()), len(ref))
	// Output:
	// 9200 9200
}
