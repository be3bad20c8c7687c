// Command windows counts records per key and event-time window with a
// flinksim dataflow.
//
//	go run ./examples/windows [--parallelism N] --window tumbling|sliding|session \
//		--size D [--slide D] [--gap D] [--out-of-orderness D] [--allowed-lateness D] \
//		[--late FILE] FILE
//
// FILE holds lines "TIMESTAMP_MS<TAB>KEY": event time in epoch
// milliseconds, possibly out of order. The job reads it in order on one
// source subtask, takes each line's timestamp, and emits after every
// record the bounded-out-of-orderness watermark: the largest timestamp so
// far − out-of-orderness − 1 ms. It keys the records by KEY, counts them
// per window with Flink's window semantics — tumbling and sliding windows
// aligned to the epoch, session windows [t, t+gap) merging when they
// overlap or touch, a window firing when the watermark reaches its end − 1,
// a record for a fired window within the allowed lateness firing it again
// with the new count, the end of input firing the rest — at the given
// parallelism, and prints one line per firing,
// "START_MS<TAB>END_MS<TAB>KEY<TAB>COUNT", sorted by start, end, key and
// count. Records dropped as late go to --late FILE, in the input's format
// and order. Durations are Go durations: 10s, 500ms.
//
// Emitting the watermark after every record, rather than periodically as
// Flink's BoundedOutOfOrderness generator does, makes the output a function
// of the input alone, whatever the parallelism and timing: it is the
// output reference.go computes with a plain loop.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/flinksim/go-flinksim/flinksim"
)

func main() {
	cfg, err := parseArgs(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "windows:", err)
		os.Exit(2)
	}
	if err := run(context.Background(), cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "windows:", err)
		os.Exit(1)
	}
}

// run reads the input, runs the job and writes its output.
func run(ctx context.Context, cfg config, stdout io.Writer) error {
	events, err := readEvents(cfg.InputFile)
	if err != nil {
		return err
	}
	firings, late, err := count(ctx, events, cfg.windowSpec, flinksim.WithParallelism(cfg.Parallelism))
	if err != nil {
		return err
	}
	if err := writeFirings(stdout, firings); err != nil {
		return err
	}
	if cfg.LateFile == "" {
		return nil
	}
	f, err := os.Create(cfg.LateFile)
	if err != nil {
		return err
	}
	if err := writeEvents(f, late); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// indexed is an input record with its line's place in the input, so that
// late records are written in input order.
type indexed struct {
	event
	Index int
}

// count runs the windowed count over events and returns its firings and
// the records dropped as late, in input order.
func count(ctx context.Context, events []event, spec windowSpec, opts ...flinksim.Option) ([]firing, []event, error) {
	return countWith(ctx, indexEvents(events), spec, perRecordWatermarks(spec), opts...)
}

// indexEvents numbers events in input order.
func indexEvents(events []event) []indexed {
	records := make([]indexed, len(events))
	for i, e := range events {
		records[i] = indexed{event: e, Index: i}
	}
	return records
}

// perRecordWatermarks is the example's watermark strategy: the
// bounded-out-of-orderness watermark after every record.
func perRecordWatermarks(spec windowSpec) flinksim.WatermarkStrategy[indexed] {
	return flinksim.ForGenerator(func() flinksim.WatermarkGenerator[indexed] {
		return &perRecord{outOfOrderness: spec.OutOfOrderness.Milliseconds(), highest: flinksim.MinWatermark}
	}).WithTimestampAssigner(eventTime)
}

func eventTime(r indexed, _ int64) int64 { return r.TimestampMs }

// countWith is count over numbered records with the watermark strategy
// given (the benchmarks also run it with Flink's periodic one).
func countWith(ctx context.Context, records []indexed, spec windowSpec, strategy flinksim.WatermarkStrategy[indexed], opts ...flinksim.Option) ([]firing, []event, error) {
	env := flinksim.NewEnvironment(opts...)
	src := flinksim.FromSlice(env, "input", records, flinksim.Parallelism(1))
	stamped := flinksim.AssignTimestampsAndWatermarks(src, "timestamps", strategy, flinksim.Parallelism(1))

	lateTag := flinksim.NewOutputTag[indexed]("late")
	windows := flinksim.KeyBy(stamped, func(r indexed) string { return r.Key }).
		Window(assigner(spec)).
		AllowedLateness(spec.AllowedLateness).
		SideOutputLateData(lateTag)
	counts := flinksim.AggregateProcessWindow(windows, "count", flinksim.AggregateFunction[indexed, int64, int64](counter{}),
		flinksim.ProcessWindowFunc[string, int64, firing](func(ctx *flinksim.WindowContext[string], n []int64, out flinksim.Collector[firing]) error {
			w := ctx.Window()
			out.Collect(firing{StartMs: w.Start, EndMs: w.End, Key: ctx.Key(), Count: n[0]})
			return nil
		}))
	firings := flinksim.Collect(counts, "firings")
	lateSink := flinksim.Collect(flinksim.SideOutput(counts, lateTag), "late")
	if _, err := env.Execute(ctx, "windows"); err != nil {
		return nil, nil, err
	}
	lateRecords := lateSink.Values()
	slices.SortFunc(lateRecords, func(a, b indexed) int { return a.Index - b.Index })
	late := make([]event, len(lateRecords))
	for i, r := range lateRecords {
		late[i] = r.event
	}
	return firings.Values(), late, nil
}

// assigner returns the window assigner of spec.
func assigner(spec windowSpec) flinksim.WindowAssigner {
	switch spec.Kind {
	case sliding:
		return flinksim.SlidingEventTimeWindows(spec.Size, spec.Slide)
	case session:
		return flinksim.EventTimeSessionWindows(spec.Gap)
	}
	return flinksim.TumblingEventTimeWindows(spec.Size)
}

// perRecord emits the bounded-out-of-orderness watermark after every
// record: the largest timestamp so far − out-of-orderness − 1 ms.
type perRecord struct {
	outOfOrderness int64
	highest        int64
}

func (g *perRecord) OnEvent(_ indexed, ts int64, out flinksim.WatermarkOutput) {
	if ts > g.highest {
		g.highest = ts
		if ts >= flinksim.MinWatermark+g.outOfOrderness+1 {
			out.EmitWatermark(ts - g.outOfOrderness - 1)
		}
	}
}

func (g *perRecord) OnPeriodicEmit(flinksim.WatermarkOutput) {}

// counter counts the records of a window.
type counter struct{}

func (counter) CreateAccumulator() int64     { return 0 }
func (counter) Add(_ indexed, n int64) int64 { return n + 1 }
func (counter) Result(n int64) int64         { return n }
func (counter) Merge(a, b int64) int64       { return a + b }
