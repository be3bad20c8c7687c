package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/examples/nexmark/nexmark"
	"github.com/flinksim/go-flinksim/flinksim"
)

// full runs the tests' long variants: 100,000 events of every workload,
// with and without failures.
var full = flag.Bool("nexmark.full", false, "run the long Nexmark tests: 100,000 events of every workload, with and without failures")

// testEvents is how many events the tests run every query on.
const testEvents = 100_000

// workload is a generator config and a number of its events, with each
// query's reference output computed once.
type workload struct {
	name   string
	gen    *nexmark.Generator
	events int64

	once sync.Once
	refs map[string][]string
	err  error
}

// reference returns query's reference lines over the workload's events.
func (w *workload) reference(t *testing.T, query string) []string {
	t.Helper()
	w.once.Do(func() {
		events, err := w.gen.Events(0, w.events)
		if err != nil {
			w.err = err
			return
		}
		w.refs = map[string][]string{}
		for _, q := range nexmark.Queries {
			if w.refs[q], err = nexmark.Reference(q, events); err != nil {
				w.err = err
				return
			}
		}
	})
	require.NoError(t, w.err)
	return w.refs[query]
}

func newWorkload(t *testing.T, name string, cfg nexmark.Config, events int64) *workload {
	g, err := nexmark.NewGenerator(cfg)
	require.NoError(t, err)
	return &workload{name: name, gen: g, events: events}
}

// workloads are the event streams every query is checked on: the
// benchmark's defaults (100,000 events: 10 s of event time), and a slow
// stream of 100 events a second, where the windowed queries have many
// windows and auctions expire well within the input: 20,000 events
// (200 s) by default, 100,000 (1,000 s) with -nexmark.full.
func workloads(t *testing.T) []*workload {
	slow := int64(20_000)
	if *full {
		slow = testEvents
	}
	return []*workload{
		newWorkload(t, "default", nexmark.Config{Seed: 1}, testEvents),
		newWorkload(t, "slow", nexmark.Config{Seed: 2, EventsPerSecond: 100}, slow),
	}
}

// committedLines runs q over w's events into the exactly-once collector
// and returns its committed canonical lines.
func committedLines(t *testing.T, q query, w *workload, events int64, opts ...flinksim.Option) ([]string, *flinksim.JobResult) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute) // a safety net, never waited on
	defer cancel()
	out, stats, err := runQuery(ctx, q, w.gen, events, sinkCommitted, opts...)
	require.NoError(t, err)
	return out.lines(), stats.Result
}

// exactlyOnce are the options of a checked run: exactly-once checkpoints
// every few milliseconds, restarts without delay, and watermarks every
// millisecond, so that windows fire, auctions close and state is cleaned
// up while the run goes on (with the default 200 ms, a run of a few
// milliseconds would do all of it at the end of input, and a failure
// would never meet a window or an auction half done).
func exactlyOnce(p int, extra ...flinksim.Option) []flinksim.Option {
	return append([]flinksim.Option{
		flinksim.WithParallelism(p),
		func(c *flinksim.Config) { c.WatermarkInterval = time.Millisecond },
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 5 * time.Millisecond, Mode: flinksim.ExactlyOnce}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(20, 0)),
	}, extra...)
}

// TestQueriesMatchReference runs every query's job on 100,000 events of
// the default workload (and the slow one, see workloads) at parallelism
// 1, 2 and 4, on the concurrent executor and
// on the simulation, with exactly-once checkpoints every 5 ms into the
// two-phase-commit collector, and checks that the committed output, as
// canonical lines, equals nexmark.Reference's line for line.
//
// Mutants (each made once in the job, each fails this test):
//   - q1 at rate 907 (q1Rate);
//   - q2 selecting Auction%Q2Modulus == 1;
//   - q3 dropping the auctions that waited for their seller, and q3
//     joining sellers of any state (kept.Local always true);
//   - winning bids with the lifetime's end excluded (b.DateTime >=
//     a.Expires), the reserve ignored, the comparison reversed
//     (!BetterBid), the bids that came before their auction never
//     offered, and the close timer at Expires-1 (it then closes nothing);
//   - q4 reporting the last winning price instead of the average;
//   - q6 keeping 9 sales instead of Q6Auctions, ordering sales by id
//     alone, and taking the average as the update's version;
//   - q5 with a 9 s window, with a 1 s slide, and dropping auctions tied
//     for the top count;
//   - q7 with a 5 s window;
//   - q8 with a 5 s window, and reporting persons without auctions.
//
// Ties of q7 and q9 are too rare in generated prices for this test: see
// TestQueriesBreakTies. Dropping bids for a closed auction at once
// (auctionClose's closed mark) is a saving, not a rule: keeping them as
// early bids gives the same output, and no test fails.
func TestQueriesMatchReference(t *testing.T) {
	for _, w := range workloads(t) {
		for _, q := range queries {
			t.Run(w.name+"/"+q.name, func(t *testing.T) {
				want := w.reference(t, q.name)
				require.NotEmpty(t, want)
				for _, p := range []int{1, 2, 4} {
					got, _ := committedLines(t, q, w, w.events, exactlyOnce(p)...)
					require.Equal(t, want, got, "%s on %s, concurrent executor, parallelism %d", q.name, w.name, p)
					seed := uint64(p)
					got, _ = committedLines(t, q, w, w.events, exactlyOnce(p, flinksim.WithSimulation(seed, nil))...)
					require.Equal(t, want, got, "%s on %s, simulation seed %d, parallelism %d", q.name, w.name, seed, p)
				}
			})
		}
	}
}

// faultTargets are operators of every query's job that faults strike:
// the source, and the sink.
var faultTargets = []string{"nexmark", "sink"}

// stateful names each query's stateful operator, whose snapshot faults
// strike too.
var stateful = map[string]string{
	"q3": "q3", "q4": "winning-bids", "q5": "bids-per-window", "q6": "q6", "q7": "shard-top-bids",
	"q8": "q8", "q9": "winning-bids",
}

// randomFaults returns one to three faults at random points of q's job
// at parallelism p: a record fault in the source or sink after a random
// count, and for a stateful query a snapshot fault of its state.
func randomFaults(r *rand.Rand, q query, p int, events int64) []flinksim.Fault {
	faults := []flinksim.Fault{{Operator: "nexmark", Subtask: r.IntN(p), Point: flinksim.FaultRecord,
		After: 1 + r.Int64N(events/int64(p)-1)}}
	if r.IntN(2) == 0 {
		faults = append(faults, flinksim.Fault{Operator: faultTargets[r.IntN(len(faultTargets))], Subtask: r.IntN(p),
			Point: flinksim.FaultRecord, After: 1 + r.Int64N(50)})
	}
	if op, ok := stateful[q.name]; ok {
		faults = append(faults, flinksim.Fault{Operator: op, Subtask: r.IntN(p), Point: flinksim.FaultSnapshot, After: 1 + r.Int64N(3)})
	}
	return faults
}

// TestQueriesExactlyOnceWithFailures runs every query's job with faults
// injected at random points — records in the source, the sink, snapshots
// of the query's state — on both executors at parallelism 1, 2 and 4,
// with exactly-once checkpoints and restarts without delay, and checks
// that the committed output equals the reference exactly: nothing lost,
// nothing twice. Faults that the run never reached (a snapshot fault
// after the last checkpoint) are moved earlier and the run repeated, so
// every run saw each of its faults strike. The default run uses 10,000
// events of each workload, to stay within a minute under the race
// detector; -nexmark.full uses 100,000.
//
// Mutants (each fails this test): q4's running sums kept in a Go map of
// the function instead of keyed state (a restore loses them); the checks
// run with at-least-once checkpoints (rows replayed after a restore are
// committed twice).
func TestQueriesExactlyOnceWithFailures(t *testing.T) {
	events := int64(10_000)
	if *full {
		events = testEvents
	}
	for _, w := range workloads(t) {
		small := newWorkload(t, w.name, w.gen.Config(), events)
		for qi, q := range queries {
			t.Run(w.name+"/"+q.name, func(t *testing.T) {
				want := small.reference(t, q.name)
				for _, p := range []int{1, 2, 4} {
					for _, sim := range []bool{false, true} {
						seed := uint64(qi*100 + p*10)
						if sim {
							seed++
						}
						r := rand.New(rand.NewPCG(seed, 99))
						faults := randomFaults(r, q, p, events)
						var opts []flinksim.Option
						if sim {
							opts = append(opts, flinksim.WithSimulation(seed, nil))
						}
						for try := 0; ; try++ {
							inj := flinksim.NewFaultInjector(faults...)
							got, res := committedLines(t, q, small, events, exactlyOnce(p, append(opts, flinksim.WithFaults(inj))...)...)
							unstruck := inj.Unstruck()
							if len(unstruck) == 0 {
								require.Equal(t, want, got, "%s on %s, parallelism %d, simulation %v, faults %v", q.name, w.name, p, sim, faults)
								// Faults striking together on the concurrent executor
								// fail over once.
								require.Positive(t, res.Restarts)
								require.LessOrEqual(t, res.Restarts, int64(len(faults)))
								if sim {
									require.Equal(t, int64(len(faults)), res.Restarts, "one restart per fault")
								}
								break
							}
							require.Less(t, try, 8, "faults %v never struck", unstruck)
							faults = replan(faults, unstruck)
						}
					}
				}
			})
		}
	}
}

// replan moves the faults that did not strike to points every run
// reaches: the first record of the source's subtask 0.
func replan(faults, unstruck []flinksim.Fault) []flinksim.Fault {
	out := make([]flinksim.Fault, 0, len(faults))
	for _, f := range faults {
		for _, u := range unstruck {
			if f == u {
				f = flinksim.Fault{Operator: "nexmark", Subtask: 0, Point: flinksim.FaultRecord, After: 1 + int64(len(out))}
				break
			}
		}
		out = append(out, f)
	}
	return out
}

// TestQueryNamed checks the names the command takes.
func TestQueryNamed(t *testing.T) {
	for _, name := range nexmark.Queries {
		q, err := queryNamed(name)
		require.NoError(t, err)
		require.Equal(t, name, q.name)
	}
	_, err := queryNamed("q10")
	require.ErrorIs(t, err, nexmark.ErrUnknownQuery)
	require.Equal(t, fmt.Sprint(nexmark.Queries), fmt.Sprint(func() []string {
		var names []string
		for _, q := range queries {
			names = append(names, q.name)
		}
		return names
	}()))
}
