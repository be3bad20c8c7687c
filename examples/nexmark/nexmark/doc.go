// Package nexmark is the Nexmark benchmark's data for flinksim jobs: its
// event generator, a flinksim source of its events, and plain reference
// computations of its queries q0 … q9 to check jobs against.
//
// # Events
//
// The stream is an online auction site's: persons join (2 % of events),
// open auctions (6 %) and bid (92 %), in runs of 50 events — one person,
// three auctions, 46 bids — as the benchmark's default proportions. An
// Event holds one of Person, Auction or Bid, with the benchmark's fields;
// times are milliseconds since the epoch.
//
// A Generator makes the stream of a Config (its zero value is the
// benchmark's defaults). Event n is a pure function of the config and n,
// so any range of event numbers can be generated alone, by any goroutine:
//
//	g, err := nexmark.NewGenerator(nexmark.Config{Seed: 1})
//	events, err := g.Events(0, 100_000)
//
// The rules are the benchmark's: event time advances by 1/EventsPerSecond
// per event; new auctions and bids refer to recent persons and auctions
// ("active" windows) or to hot ones; auctions expire after a random
// length. See Generator for what differs and why. Config.PadExtra pads
// events to the benchmark's average sizes (off by default).
//
// # Source
//
// NewSource makes a flinksim.Source of events [0, Events), split into
// ranges of event numbers. Each reader emits its events in order with
// their event timestamps, so with
//
//	src, err := nexmark.NewSource(g, nexmark.SourceConfig{Events: 10_000_000})
//	events := flinksim.FromSourceWithWatermarks(env, "nexmark", src, flinksim.ForMonotonousTimestamps[nexmark.Event]())
//
// downstream operators see event-time watermarks and no late event.
// Checkpoints record each split's next event number: a job that fails
// over, or is restored from a savepoint at another parallelism, reads
// every event exactly once. A split of another generator config, or of
// more events, is refused with ErrSplit.
//
// # References
//
// Q0 … Q9 compute each query over a []Event in one goroutine, in the most
// obvious way, and return its rows; Reference returns a query's rows as
// canonical lines (Lines), which a job's output, formatted the same way,
// must equal. Each function's doc comment is the query's exact semantics,
// windows and join rules included; Reference's states the rules they
// share (event time, epoch-aligned windows, every auction closing by the
// end of input). The queries are the Nexmark suite's: q0 pass-through,
// q1 currency conversion, q2 selection, q3 local item suggestion, q4
// average price per category, q5 hot items, q6 average selling price per
// seller (which Flink's SQL suite lacks), q7 highest bid, q8 new users,
// q9 winning bids.
package nexmark
