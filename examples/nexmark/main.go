// Command nexmark runs a query of the Nexmark benchmark — q0 to q9 — as
// a flinksim job over the benchmark's generated events, and prints a
// summary of its result and its throughput.
//
//	go run ./examples/nexmark --query q5 [--events 10000000] [--parallelism N] \
//		[--checkpoint-interval 10s] [--seed N] [--verify]
//
// The events come from nexmark.NewSource, read by FromSourceWithWatermarks
// with monotonous timestamps; each query is a DataStream job of the
// library's public API (query_*.go), and its output, in the canonical
// lines of package nexmark, is the reference computation's
// (nexmark.Reference). The summary is the number of result rows, an
// order-independent checksum of their canonical lines (the sum of their
// 64-bit FNV-1a hashes) and the first few lines in sorted order, so two
// runs at any parallelism print the same summary. q4 and q6 emit a new
// value for a key each time it changes; their result is each key's last
// value. --verify also computes the reference on the same events (in
// memory: keep --events small) and fails if the summaries differ.
//
// Throughput is events per second of wall time and events per CPU-second
// of the process (user and system time, all threads, GC included), with
// the cores used: CPU seconds over wall seconds. Checkpoints are
// exactly-once, every --checkpoint-interval (0 disables them), into the
// in-memory store; the command runs without restarts, so any failure ends
// it with an error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/flinksim/go-flinksim/examples/nexmark/nexmark"
	"github.com/flinksim/go-flinksim/flinksim"
)

func main() {
	cfg, err := parseArgs(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, errorLine(err))
		os.Exit(2)
	}
	if err := run(context.Background(), cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, errorLine(err))
		os.Exit(1)
	}
}

// errorLine is the command's one-line message for err, prefixed with the
// command's name once (package nexmark's errors carry it already).
func errorLine(err error) string {
	if msg := err.Error(); strings.HasPrefix(msg, "nexmark:") {
		return msg
	}
	return "nexmark: " + err.Error()
}

// config is the command's flags.
type config struct {
	Query              string
	Events             int64
	Parallelism        int
	CheckpointInterval time.Duration
	Seed               uint64
	Verify             bool
}

// parseArgs parses the command line.
func parseArgs(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("nexmark", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Query, "query", "q0", "the query to run: q0 … q9")
	fs.Int64Var(&cfg.Events, "events", 1_000_000, "how many events to generate")
	fs.IntVar(&cfg.Parallelism, "parallelism", 1, "the job's parallelism")
	fs.DurationVar(&cfg.CheckpointInterval, "checkpoint-interval", 10*time.Second, "exactly-once checkpoint interval; 0 disables checkpoints")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "the generator's seed")
	fs.BoolVar(&cfg.Verify, "verify", false, "also compute the reference on the same events and compare")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if _, err := queryNamed(cfg.Query); err != nil {
		return config{}, err
	}
	switch {
	case cfg.Events < 0 || cfg.Events > nexmark.MaxEventNumber:
		return config{}, fmt.Errorf("--events %d outside [0, %d]", cfg.Events, nexmark.MaxEventNumber)
	case cfg.Parallelism < 1:
		return config{}, fmt.Errorf("--parallelism %d: at least 1", cfg.Parallelism)
	case cfg.CheckpointInterval < 0:
		return config{}, fmt.Errorf("--checkpoint-interval %v is negative", cfg.CheckpointInterval)
	}
	return cfg, nil
}

// runStats are what a run measured.
type runStats struct {
	Wall       time.Duration
	CPUSeconds float64
	Result     *flinksim.JobResult
}

// run runs the query and prints its summary and throughput.
func run(ctx context.Context, cfg config, stdout io.Writer) error {
	q, _ := queryNamed(cfg.Query)
	g, err := nexmark.NewGenerator(nexmark.Config{Seed: cfg.Seed})
	if err != nil {
		return err
	}
	opts := []flinksim.Option{flinksim.WithParallelism(cfg.Parallelism), flinksim.WithRestartStrategy(flinksim.NoRestart())}
	if cfg.CheckpointInterval > 0 {
		opts = append(opts, flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: cfg.CheckpointInterval, Mode: flinksim.ExactlyOnce}))
	}
	out, stats, err := runQuery(ctx, q, g, cfg.Events, sinkSummary, opts...)
	if err != nil {
		return err
	}
	sum := out.summary()
	fmt.Fprintf(stdout, "%s: %d events, parallelism %d, checkpoints %s\n", q.name, cfg.Events, cfg.Parallelism, checkpointsText(cfg, stats.Result))
	fmt.Fprintf(stdout, "rows: %d\nchecksum: %016x\n", sum.Rows, sum.Checksum)
	for _, l := range sum.Samples {
		fmt.Fprintf(stdout, "  %s\n", l)
	}
	wall := stats.Wall.Seconds()
	fmt.Fprintf(stdout, "wall: %.3fs, %.0f events/s\n", wall, float64(cfg.Events)/wall)
	if stats.CPUSeconds > 0 {
		fmt.Fprintf(stdout, "cpu: %.3fs, %.0f events per CPU-second, %.2f cores used\n",
			stats.CPUSeconds, float64(cfg.Events)/stats.CPUSeconds, stats.CPUSeconds/wall)
	}
	if !cfg.Verify {
		return nil
	}
	events, err := g.Events(0, cfg.Events)
	if err != nil {
		return err
	}
	want, err := nexmark.Reference(q.name, events)
	if err != nil {
		return err
	}
	ref := summarize(want)
	if ref.Rows != sum.Rows || ref.Checksum != sum.Checksum {
		return fmt.Errorf("%w: the reference has %d rows, checksum %016x", errMismatch, ref.Rows, ref.Checksum)
	}
	fmt.Fprintln(stdout, "verified: equal to the reference")
	return nil
}

// errMismatch reports a job whose result is not the reference's.
var errMismatch = errors.New("result differs from the reference")

// checkpointsText describes the run's checkpoints.
func checkpointsText(cfg config, res *flinksim.JobResult) string {
	if cfg.CheckpointInterval == 0 {
		return "off"
	}
	return fmt.Sprintf("exactly-once every %v (%d completed, last %d bytes)", cfg.CheckpointInterval,
		res.Checkpoints.NumberOfCompletedCheckpoints, res.Checkpoints.LastCheckpointSize)
}

// runQuery runs query q over events [0, events) of g into a sink of kind
// sink, and returns its output with the wall and CPU time the job took.
func runQuery(ctx context.Context, q query, g *nexmark.Generator, events int64, sink sinkKind, opts ...flinksim.Option) (output, runStats, error) {
	src, err := nexmark.NewSource(g, nexmark.SourceConfig{Events: events, Splits: splitsOf(events)})
	if err != nil {
		return output{}, runStats{}, err
	}
	env := flinksim.NewEnvironment(opts...)
	stream := flinksim.FromSourceWithWatermarks(env, "nexmark", src, flinksim.ForMonotonousTimestamps[nexmark.Event]())
	out := q.attach(stream, sink)
	cpu0, start := nexmark.CPUSeconds(), time.Now()
	res, err := env.Execute(ctx, "nexmark-"+q.name)
	stats := runStats{Wall: time.Since(start), CPUSeconds: nexmark.CPUSeconds() - cpu0, Result: res}
	if err != nil {
		return output{}, stats, fmt.Errorf("%s: %w", q.name, err)
	}
	return out, stats, nil
}

// splitEvents is how many events each of the source's splits holds, at
// most. The source deals its splits out to its subtasks in turn and each
// reads its own in order, so with splits this small every subtask reads
// events of about the same time: the watermark, the minimum over the
// subtasks, stays close to the events and windows and auctions close as
// they would in one stream. (With one split per subtask, subtask 1 would
// start in the middle of the stream, and everything it reads would wait
// in state for subtask 0 to catch up.)
const splitEvents = 10_000

// splitsOf returns how many splits the source of events events has.
func splitsOf(events int64) int {
	return int(max(1, (events+splitEvents-1)/splitEvents))
}
