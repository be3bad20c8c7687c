// Command teach runs a small job in the seeded simulation, with
// checkpoints and one injected failure, and draws what happened: barriers,
// alignment, snapshots, the failure, the restore and the two-phase-commit
// sink's transactions.
//
//	go run ./examples/teach [--out DIR] [--mode exactly-once|at-least-once] [--seed N] [--width N]
//
// The job has two sources of numbers, keys them by value, counts each key
// in keyed state and writes the counts to a two-phase-commit sink; the
// count's second subtask fails once after 14 records, and the job
// restores from its last completed checkpoint. It writes teach.html (open
// it in a browser: point at an element for its details, zoom the time
// axis) and teach.svg to DIR (default teach-out), and prints the terminal
// timeline and what the sink committed.
//
// With --mode at-least-once the same job runs without alignment: no input
// is ever blocked, and the picture marks the batches read after a barrier
// and before the snapshot, which the restore makes count twice; the keys'
// committed counts then exceed their records. --seed chooses the run: the
// same seed draws the same picture, byte for byte.
//
// With --help it prints its usage and exits with status 0; on any error
// it prints one line and exits with status 2.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/timeline"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "teach:", err)
		os.Exit(2)
	}
}

// records is how many numbers each source emits; keys is how many keys
// they spread over.
const records, keys = 24, 6

type count struct{ Key, N int }

// job builds the job on env and returns its sink's collector.
func job(env *flinksim.Environment) *flinksim.TransactionalCollector[count] {
	a := flinksim.Generate(env, "a", records, func(i int64) (int, error) { return int(i % (keys / 2)), nil })
	b := flinksim.Generate(env, "b", records, func(i int64) (int, error) { return keys/2 + int(i%(keys/2)), nil })
	byKey := flinksim.KeyBy(flinksim.Union(a, b), func(k int) int { return k })
	counts := flinksim.Process(byKey, "count", func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, count], error) {
		seen := flinksim.NewValueState[int](rt, "seen")
		return flinksim.ProcessFunc[int, int, count](func(ctx *flinksim.KeyedContext[int], k int, out flinksim.Collector[count]) error {
			n, _ := seen.Value()
			seen.Update(n + 1)
			out.Collect(count{k, n + 1})
			return nil
		}), nil
	})
	out := flinksim.NewTransactionalCollector[count]()
	flinksim.CollectTransactional(counts, "sink", out)
	return out
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("teach", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("out", "teach-out", "the directory to write teach.html and teach.svg to")
	mode := fs.String("mode", "exactly-once", "exactly-once or at-least-once checkpoints")
	seed := fs.Uint64("seed", 1, "the seed of the simulation: it chooses the run")
	width := fs.Int("width", 100, "the width of the terminal timeline, in columns of time")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	cpMode := map[string]flinksim.CheckpointingMode{"exactly-once": flinksim.ExactlyOnce, "at-least-once": flinksim.AtLeastOnce}
	m, ok := cpMode[*mode]
	if !ok {
		return fmt.Errorf("--mode %q: want exactly-once or at-least-once", *mode)
	}

	var rec timeline.Recorder
	fault := flinksim.Fault{Operator: "count", Subtask: 1, Point: flinksim.FaultRecord, After: 14}
	faults := flinksim.NewFaultInjector(fault)
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithBatchSize(3), flinksim.WithTaskManagers(2, 1),
		flinksim.WithSimulation(*seed, nil), flinksim.WithTracer(rec.Trace), flinksim.WithFaults(faults),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 5 * time.Millisecond, Mode: m}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(1, 0)))
	sink := job(env)
	client, err := env.Start(ctx, "teach")
	if err != nil {
		return err
	}
	if err := client.Wait(ctx); err != nil {
		return err
	}
	if len(faults.Unstruck()) > 0 {
		fmt.Fprintf(stdout, "note: with seed %d the fault (%v) never struck\n", *seed, fault)
	}

	tl := timeline.New(rec.Events(), timeline.Options{Title: fmt.Sprintf("teach: seed %d, %s", *seed, *mode), Subtasks: client.Subtasks()})
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	for name, write := range map[string]func(io.Writer) error{"teach.html": tl.WriteHTML, "teach.svg": tl.WriteSVG} {
		if err := writeFile(filepath.Join(*dir, name), write); err != nil {
			return err
		}
	}
	if err := tl.WriteText(stdout, *width); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nwrote %s and %s\n", filepath.Join(*dir, "teach.html"), filepath.Join(*dir, "teach.svg"))
	report(stdout, sink.Committed())
	return nil
}

// report says what the sink committed: each key's last count, against the
// records the key had.
func report(w io.Writer, committed []count) {
	last := make(map[int]int)
	for _, c := range committed {
		last[c.Key] = max(last[c.Key], c.N)
	}
	fmt.Fprintf(w, "committed %d counts; each key had %d records:", len(committed), 2*records/keys)
	for _, k := range slices.Sorted(func(yield func(int) bool) {
		for k := range last {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Fprintf(w, " %d→%d", k, last[k])
	}
	fmt.Fprintln(w)
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
