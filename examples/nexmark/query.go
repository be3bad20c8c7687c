package main

import (
	"fmt"
	"slices"

	"github.com/flinksim/go-flinksim/examples/nexmark/nexmark"
	"github.com/flinksim/go-flinksim/flinksim"
)

// A query is one Nexmark query as a flinksim job: build adds its
// operators to the events' environment and returns its output rows;
// lines turns every row the job emitted into the query's canonical lines
// (nexmark.Lines), the form nexmark.Reference returns.
type query struct {
	name string
	// attach builds the job on events and attaches sink to its output;
	// sink is one of the sinks below, for the query's row type.
	attach func(events flinksim.Stream[nexmark.Event], sink sinkKind) output
}

// output reads what a job's sink received once the job has ended.
type output struct {
	// lines returns the canonical lines of the committed rows
	// (sinkCommitted only).
	lines func() []string
	// rows returns how many rows the sink received.
	rows func() int64
	// summary returns the summary of the output (sinkSummary only).
	summary func() summary
}

// sinkKind says how a job's output is received.
type sinkKind uint8

const (
	// sinkCommitted writes the rows into an exactly-once two-phase-commit
	// collector: after failures and restarts it holds each row once.
	sinkCommitted sinkKind = iota
	// sinkCount counts the rows and drops them (Flink's blackhole sink).
	sinkCount
	// sinkSummary summarizes the rows as they come (see summary), for the
	// command: it keeps no rows but an update query's.
	sinkSummary
)

// row is a query's output row: its canonical line is String. An update
// query's rows are updates of a keyed result; its final result is the
// last update of each key (see update).
type row interface{ String() string }

// update is a row of a query whose streaming job emits a new version of
// a key's result each time it changes (q4, q6): Version grows with each
// update of the key, and the final result is each key's latest version.
type update interface {
	row
	UpdateKey() int64
	UpdateVersion() int64
}

// defineQuery makes the query name from build, the job's operators for
// rows of type R.
func defineQuery[R row](name string, build func(events flinksim.Stream[nexmark.Event]) flinksim.Stream[R]) query {
	return query{name: name, attach: func(events flinksim.Stream[nexmark.Event], sink sinkKind) output {
		rows := build(events)
		switch sink {
		case sinkCount:
			c := &rowCounter[R]{}
			flinksim.SinkTo(rows, "sink", c.open)
			return output{rows: c.total}
		case sinkSummary:
			s := &summarySink[R]{}
			flinksim.SinkTo(rows, "sink", s.open)
			return output{rows: func() int64 { return s.summary().Rows }, summary: s.summary}
		default:
			c := flinksim.NewTransactionalCollector[R]()
			flinksim.CollectTransactional(rows, "sink", c)
			return output{
				rows:  func() int64 { return int64(len(c.Committed())) },
				lines: func() []string { return finalLines(c.Committed()) },
			}
		}
	}}
}

// finalLines returns the canonical lines of a query's rows: for an
// update query the latest version of each key, otherwise every row.
func finalLines[R row](rows []R) []string {
	if len(rows) == 0 {
		return []string{}
	}
	if _, ok := any(rows[0]).(update); !ok {
		return nexmark.Lines(rows)
	}
	latest := map[int64]R{}
	for _, r := range rows {
		u := any(r).(update)
		if cur, ok := latest[u.UpdateKey()]; !ok || any(cur).(update).UpdateVersion() < u.UpdateVersion() {
			latest[u.UpdateKey()] = r
		}
	}
	final := make([]R, 0, len(latest))
	for _, r := range latest {
		final = append(final, r)
	}
	return nexmark.Lines(final)
}

// queries are the jobs of q0 … q9, in order.
var queries = []query{
	defineQuery("q0", q0), defineQuery("q1", q1), defineQuery("q2", q2), defineQuery("q3", q3),
	defineQuery("q4", q4), defineQuery("q5", q5), defineQuery("q6", q6), defineQuery("q7", q7),
	defineQuery("q8", q8), defineQuery("q9", q9),
}

// queryNamed returns the query called name, or an error wrapping
// nexmark.ErrUnknownQuery.
func queryNamed(name string) (query, error) {
	i := slices.IndexFunc(queries, func(q query) bool { return q.name == name })
	if i < 0 {
		return query{}, fmt.Errorf("%w: %q (known: %v)", nexmark.ErrUnknownQuery, name, nexmark.Queries)
	}
	return queries[i], nil
}
