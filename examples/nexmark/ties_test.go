package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/examples/nexmark/nexmark"
	"github.com/flinksim/go-flinksim/flinksim"
)

// tiedEvents returns n generated events whose prices are coarsened to
// three levels, with every auction's reserve at the lowest: most auctions
// are sold, and their winning price, like every window's highest price and
// hottest count, is shared by several bids — the ties the references
// break by time, then bidder (q9, and through it q4 and q6), or report
// all of (q5, q7).
func tiedEvents(t *testing.T, n int64) []nexmark.Event {
	g, err := nexmark.NewGenerator(nexmark.Config{Seed: 3})
	require.NoError(t, err)
	events, err := g.Events(0, n)
	require.NoError(t, err)
	for i := range events {
		e := &events[i]
		switch e.Kind {
		case nexmark.KindBid:
			e.Bid.Price = 100 * (1 + e.Bid.Price%3)
		case nexmark.KindAuction:
			a := *e.Auction
			a.InitialBid, a.Reserve = 100, 100
			e.Auction = &a
		}
	}
	return events
}

// TestQueriesBreakTies runs the queries whose results depend on ties
// over tiedEvents, read from a slice by one source subtask (in the
// events' order, so bids of one millisecond arrive in stream order, not
// bidder order), at parallelism 1, 2 and 4 on both executors, and checks
// the committed output against the reference.
//
// Mutants (each fails this test): winning bids compared by price alone
// (b.Price > cur.Price: the first of equal bids wins, not the earliest,
// lowest bidder); q7's shard maxima or window maxima dropping tied bids.
func TestQueriesBreakTies(t *testing.T) {
	events := tiedEvents(t, 20_000)
	for _, name := range []string{"q4", "q5", "q6", "q7", "q9"} {
		t.Run(name, func(t *testing.T) {
			q, err := queryNamed(name)
			require.NoError(t, err)
			want, err := nexmark.Reference(name, events)
			require.NoError(t, err)
			require.NotEmpty(t, want)
			for _, p := range []int{1, 2, 4} {
				for _, sim := range []bool{false, true} {
					opts := exactlyOnce(p)
					if sim {
						opts = append(opts, flinksim.WithSimulation(uint64(p), nil))
					}
					env := flinksim.NewEnvironment(opts...)
					src := flinksim.FromSlice(env, "nexmark", events)
					stamped := flinksim.AssignTimestampsAndWatermarks(src, "timestamps",
						flinksim.ForMonotonousTimestamps[nexmark.Event]().WithTimestampAssigner(func(e nexmark.Event, _ int64) int64 { return e.Timestamp() }),
						flinksim.Parallelism(1))
					out := q.attach(stamped, sinkCommitted)
					_, err := env.Execute(t.Context(), "ties-"+name)
					require.NoError(t, err)
					require.Equal(t, want, out.lines(), "%s, parallelism %d, simulation %v", name, p, sim)
				}
			}
		})
	}
}
