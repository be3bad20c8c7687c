package nexmark

import (
	"errors"
	"fmt"
	"slices"
)

// ErrUnknownQuery reports a query name other than q0 … q9.
var ErrUnknownQuery = errors.New("nexmark: unknown query")

// Queries names the queries that have references, in order.
var Queries = []string{"q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9"}

// Reference returns the output of query (one of Queries) over events, as
// its canonical lines (see Lines), or an error wrapping ErrUnknownQuery.
func Reference(query string, events []Event) ([]string, error) {
	switch query {
	case "q0":
		return Lines(Q0(events)), nil
	case "q1":
		return Lines(Q1(events)), nil
	case "q2":
		return Lines(Q2(events)), nil
	case "q3":
		return Lines(Q3(events)), nil
	case "q4":
		return Lines(Q4(events)), nil
	case "q5":
		return Lines(Q5(events)), nil
	case "q6":
		return Lines(Q6(events)), nil
	case "q7":
		return Lines(Q7(events)), nil
	case "q8":
		return Lines(Q8(events)), nil
	case "q9":
		return Lines(Q9(events)), nil
	}
	return nil, fmt.Errorf("%w: %q (known: %v)", ErrUnknownQuery, query, Queries)
}

// Lines formats rows with their String methods and sorts them: the
// canonical form of a query's output, which a job's output must equal
// line for line whatever order it produced its rows in.
func Lines[R fmt.Stringer](rows []R) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.String()
	}
	slices.Sort(out)
	return out
}

// The queries' common rules, which every reference below follows:
//
//   - Time is event time: an event's DateTime, in ms since the epoch.
//   - Windows are aligned to the epoch, half-open [start, end): a
//     tumbling window of size s holds the timestamps t with start <= t <
//     start+s, start a multiple of s; a sliding window of size s and
//     slide d starts at every multiple of d, and holds t if
//     start <= t < start+s. Only windows holding an input event give
//     output.
//   - Joins and aggregations see the whole input, whatever the order of
//     its events: a bid that precedes its auction in the stream still
//     counts if its time is within the auction's lifetime.
//   - An auction closes when its expiry has passed. Input is bounded and
//     ends with the final watermark, as in a bounded Flink run, so every
//     auction closes: those that expire after the last event close at
//     the end of input, with the bids seen.

// bidsOf returns the bids among events, in input order.
func bidsOf(events []Event) []Bid {
	var bids []Bid
	for _, e := range events {
		if e.Kind == KindBid {
			bids = append(bids, e.Bid)
		}
	}
	return bids
}

// windowStart returns the start of the epoch-aligned window of size size
// that holds t.
func windowStart(t, size int64) int64 {
	r := t % size
	if r < 0 {
		r += size
	}
	return t - r
}
