package usertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/snapshot"
)

// Savepoints as the "Savepoints and restore" section of the package
// documentation describes them: a job stopped half-way with a savepoint
// in CheckpointConfig.SavepointDir, resumed by a new environment that
// knows nothing but the savepoint's path, at another parallelism, with a
// transactional sink that outlives both jobs.

const (
	spRecords = 2000 // records of the whole input
	spKeys    = 17   // distinct keys
)

// spCount builds the job under test: src keyed by v % spKeys, a keyed
// count per key in a ValueState[int64] "n", emitting "key:count", into a
// two-phase-commit sink named "out".
func spCount(src flinksim.Stream[int64], name string, out *flinksim.TransactionalCollector[string], opts ...flinksim.OperatorOption) {
	counts := flinksim.Process(flinksim.KeyBy(src, func(v int64) int64 { return v % spKeys }), name,
		func(rt *flinksim.KeyedRuntimeContext[int64]) (flinksim.KeyedProcessFunction[int64, int64, string], error) {
			n := flinksim.NewValueState[int64](rt, "n")
			return flinksim.ProcessFunc[int64, int64, string](
				func(ctx *flinksim.KeyedContext[int64], _ int64, out flinksim.Collector[string]) error {
					c, _ := n.Value()
					n.Update(c + 1)
					out.Collect(fmt.Sprintf("%d:%d", ctx.Key(), c+1))
					return nil
				}), nil
		}, opts...)
	flinksim.CollectTransactional(counts, "out", out)
}

func spGenerate(env *flinksim.Environment) flinksim.Stream[int64] {
	return flinksim.Generate(env, "numbers", spRecords, func(i int64) (int64, error) { return i, nil })
}

// spUninterrupted is the committed output of the same job run in one go.
func spUninterrupted(t *testing.T) []string {
	t.Helper()
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithSimulation(1, nil))
	out := flinksim.NewTransactionalCollector[string]()
	spCount(spGenerate(env), "count", out)
	if _, err := env.Execute(t.Context(), "uninterrupted"); err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(slices.Values(out.Committed()))
	if len(got) != spRecords {
		t.Fatalf("uninterrupted run committed %d records, want %d", len(got), spRecords)
	}
	return got
}

// spGated is a parallel source of [0, spRecords) in len(splits) ranges.
// When gated, each reader stops at the middle of its range, reports
// NothingAvailable and tells reached; the job then waits there, so a
// test can stop it with a savepoint at a known point, without sleeping.
type spSplit struct{ Next, End, Gate int64 }

type spGated struct {
	gated   bool
	reached chan int // a reader's subtask, once it waits at its gate
}

func (s *spGated) Splits(p int) ([]spSplit, error) {
	splits := make([]spSplit, p)
	for i := range splits {
		lo, hi := spRecords*int64(i)/int64(p), spRecords*int64(i+1)/int64(p)
		splits[i] = spSplit{Next: lo, End: hi, Gate: (lo + hi) / 2}
	}
	return splits, nil
}

func (s *spGated) SplitCodec() flinksim.Codec[spSplit] { return flinksim.CodecFor[spSplit]() }

func (s *spGated) NewReader(ctx *flinksim.ReaderContext) (flinksim.SourceReader[int64, spSplit], error) {
	return &spReader{src: s, ctx: ctx}, nil
}

type spReader struct {
	src      *spGated
	ctx      *flinksim.ReaderContext
	splits   []spSplit
	noMore   bool
	signaled bool
}

func (r *spReader) AddSplits(s []spSplit) error { r.splits = append(r.splits, s...); return nil }

func (r *spReader) NotifyNoMoreSplits() { r.noMore = true; r.ctx.Available() }

func (r *spReader) PollNext(out flinksim.Collector[int64]) (flinksim.InputStatus, error) {
	for len(r.splits) > 0 && r.splits[0].Next >= r.splits[0].End {
		r.splits = r.splits[1:]
	}
	if len(r.splits) == 0 {
		if r.noMore {
			return flinksim.EndOfInput, nil
		}
		return flinksim.NothingAvailable, nil
	}
	sp := &r.splits[0]
	if r.src.gated && sp.Next >= sp.Gate {
		if !r.signaled {
			r.signaled = true
			select {
			case r.src.reached <- r.ctx.Subtask():
			default:
			}
		}
		return flinksim.NothingAvailable, nil // and never Available: the job is stopped here
	}
	limit := sp.End
	if r.src.gated {
		limit = sp.Gate
	}
	for i := 0; i < 8 && sp.Next < limit; i++ {
		out.Collect(sp.Next)
		sp.Next++
	}
	return flinksim.MoreAvailable, nil
}

func (r *spReader) SnapshotState(int64) ([]spSplit, error) {
	var open []spSplit
	for _, s := range r.splits {
		if s.Next < s.End {
			open = append(open, s)
		}
	}
	return open, nil
}

func (r *spReader) Close() error { return nil }

// spSavepoint finds the completed savepoint named name in the job's history.
func spSavepoint(t *testing.T, job *flinksim.JobClient, name string) flinksim.CheckpointRecord {
	t.Helper()
	for _, rec := range job.Checkpoints().History {
		if rec.Savepoint == name && rec.Status == flinksim.CheckpointCompleted {
			return rec
		}
	}
	t.Fatalf("no completed savepoint %q in the history: %+v", name, job.Checkpoints().History)
	return flinksim.CheckpointRecord{}
}

// spCheckRef checks what the docs promise of a savepoint taken with a
// SavepointDir: its Ref is its path, SavepointDir/savepoints/<name>, a
// snapshot directory on disk.
func spCheckRef(t *testing.T, dir, name, ref string) {
	t.Helper()
	if want := filepath.Join(dir, "savepoints", name); ref != want {
		t.Errorf("savepoint Ref = %q, want its path %q", ref, want)
	}
	if fi, err := os.Stat(ref); err != nil || !fi.IsDir() {
		t.Fatalf("savepoint Ref %q is not a directory on disk: %v", ref, err)
	}
	r, err := snapshot.OpenPath(ref)
	if err != nil {
		t.Fatalf("snapshot.OpenPath(%q): %v", ref, err)
	}
	if m := r.Manifest(); m.Kind != snapshot.KindSavepoint || m.SavepointName != name {
		t.Errorf("manifest at %q: kind %q name %q, want a savepoint named %q", ref, m.Kind, m.SavepointName, name)
	}
	if err := r.Verify(); err != nil {
		t.Errorf("savepoint at %q does not verify: %v", ref, err)
	}
}

// spStopAtPoint runs the job on the simulation and stops it with a
// savepoint once count's subtask 0 has processed 300 records; it returns
// the savepoint's Ref, after checking the job ended FINISHED half-way
// with everything it emitted committed.
func spStopAtPoint(t *testing.T, dir string, drain bool, out *flinksim.TransactionalCollector[string]) string {
	t.Helper()
	env := flinksim.NewEnvironment(
		flinksim.WithParallelism(2),
		flinksim.WithBatchSize(16),
		flinksim.WithSimulation(7, nil),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 5 * time.Millisecond, SavepointDir: dir}),
		flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "count", Subtask: 0, After: 300, Name: "half", Stop: true, Drain: drain}),
	)
	spCount(spGenerate(env), "count", out)
	job, err := env.Start(t.Context(), "first")
	if err != nil {
		t.Fatal(err)
	}
	if err := job.Wait(t.Context()); err != nil {
		t.Fatalf("stopped job: %v", err)
	}
	if st := job.Status(); st != flinksim.JobFinished {
		t.Fatalf("stopped job is %v, want FINISHED", st)
	}
	rec := spSavepoint(t, job, "half")
	spCheckRef(t, dir, "half", rec.Ref)
	if n := len(out.Committed()); n == 0 || n >= spRecords {
		t.Fatalf("first job committed %d of %d records: not stopped half-way", n, spRecords)
	}
	if n := out.Uncommitted(); n != 0 {
		t.Errorf("after the stop, %d records sit in open or pre-committed transactions, want 0 (sinks commit up to the savepoint)", n)
	}
	return rec.Ref
}

// spCheckExactlyOnce compares the committed output with the uninterrupted run's.
func spCheckExactlyOnce(t *testing.T, out *flinksim.TransactionalCollector[string], want []string) {
	t.Helper()
	got := slices.Sorted(slices.Values(out.Committed()))
	if slices.Equal(got, want) {
		return
	}
	count := map[string]int{}
	for _, v := range got {
		count[v]++
	}
	var missing, dup []string
	for _, v := range want {
		switch count[v] {
		case 0:
			missing = append(missing, v)
		case 1:
		default:
			dup = append(dup, v)
		}
	}
	t.Errorf("committed %d records, want %d exactly once: %d missing (e.g. %.5q), %d duplicated (e.g. %.5q)",
		len(got), len(want), len(missing), missing, len(dup), dup)
}

// TestStopWithSavepointResumeElsewhere covers the stop with savepoint,
// without and with drain, taken either at an exact point of a simulated
// run (WithSavepointAt) or by JobClient.StopWithSavepoint while the
// sources wait half-way; a new environment without checkpointing resumes
// from the savepoint's path at parallelism 3, and the transactional sink
// holds the uninterrupted run's output exactly once.
func TestStopWithSavepointResumeElsewhere(t *testing.T) {
	want := spUninterrupted(t)
	for _, drain := range []bool{false, true} {
		t.Run(fmt.Sprintf("SavepointAt/drain=%v", drain), func(t *testing.T) {
			dir := t.TempDir()
			out := flinksim.NewTransactionalCollector[string]()
			ref := spStopAtPoint(t, dir, drain, out)

			env := flinksim.NewEnvironment(flinksim.WithParallelism(3), flinksim.WithBatchSize(16),
				flinksim.WithSimulation(8, nil), flinksim.WithRestoreFrom(ref, false))
			spCount(spGenerate(env), "count", out)
			if _, err := env.Execute(t.Context(), "resumed"); err != nil {
				t.Fatalf("resumed job: %v", err)
			}
			spCheckExactlyOnce(t, out, want)
		})
		t.Run(fmt.Sprintf("JobClient/drain=%v", drain), func(t *testing.T) {
			dir := t.TempDir()
			out := flinksim.NewTransactionalCollector[string]()
			src := &spGated{gated: true, reached: make(chan int, 2)}
			env := flinksim.NewEnvironment(flinksim.WithParallelism(2),
				flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 5 * time.Millisecond, SavepointDir: dir}))
			spCount(flinksim.FromSource(env, "numbers", flinksim.Source[int64, spSplit](src)), "count", out)
			job, err := env.Start(t.Context(), "first")
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				select {
				case <-src.reached:
				case <-job.Done():
					t.Fatalf("job ended before its sources reached their gates: %v", job.Err())
				}
			}
			rec, err := job.StopWithSavepoint(t.Context(), "half", drain)
			if err != nil {
				t.Fatalf("StopWithSavepoint: %v", err)
			}
			if st := job.Status(); st != flinksim.JobFinished {
				t.Fatalf("after StopWithSavepoint the job is %v, want FINISHED", st)
			}
			if err := job.Wait(t.Context()); err != nil {
				t.Fatalf("stopped job: %v", err)
			}
			if rec.Savepoint != "half" || rec.Status != flinksim.CheckpointCompleted {
				t.Errorf("StopWithSavepoint returned %+v, want the completed savepoint \"half\"", rec)
			}
			spCheckRef(t, dir, "half", rec.Ref)
			// The sources emitted exactly the first half of each range
			// before the savepoint; all of it is committed, nothing more.
			if n := len(out.Committed()); n != spRecords/2 {
				t.Errorf("first job committed %d records, want the %d emitted before the savepoint", n, spRecords/2)
			}
			if n := out.Uncommitted(); n != 0 {
				t.Errorf("after the stop, %d records sit in open or pre-committed transactions, want 0", n)
			}

			env2 := flinksim.NewEnvironment(flinksim.WithParallelism(3), flinksim.WithRestoreFrom(rec.Ref, false))
			spCount(flinksim.FromSource(env2, "numbers", flinksim.Source[int64, spSplit](&spGated{})), "count", out)
			if _, err := env2.Execute(t.Context(), "resumed"); err != nil {
				t.Fatalf("resumed job: %v", err)
			}
			spCheckExactlyOnce(t, out, want)
		})
	}
}

// TestRenamedOperatorKeepsStateWithUID: the count operator is "counter"
// in the second job; with UID("count") it finds its keyed state, so the
// counts go on where they stopped. Without the UID its state has no
// operator to go to, which fails the start with ErrNonRestoredState.
func TestRenamedOperatorKeepsStateWithUID(t *testing.T) {
	want := spUninterrupted(t)
	dir := t.TempDir()
	out := flinksim.NewTransactionalCollector[string]()
	ref := spStopAtPoint(t, dir, false, out)
	committed := len(out.Committed())

	noUID := flinksim.NewEnvironment(flinksim.WithParallelism(3), flinksim.WithSimulation(8, nil), flinksim.WithRestoreFrom(ref, false))
	spCount(spGenerate(noUID), "counter", out)
	if job, err := noUID.Start(t.Context(), "renamed without uid"); !errors.Is(err, flinksim.ErrNonRestoredState) {
		if err == nil {
			job.Cancel()
			_ = job.Wait(context.Background())
		}
		t.Errorf("renamed operator without UID: Start error = %v, want ErrNonRestoredState", err)
	}
	if n := len(out.Committed()); n != committed {
		t.Fatalf("a start that failed committed %d records", n-committed)
	}

	env := flinksim.NewEnvironment(flinksim.WithParallelism(3), flinksim.WithBatchSize(16),
		flinksim.WithSimulation(8, nil), flinksim.WithRestoreFrom(ref, false))
	spCount(spGenerate(env), "counter", out, flinksim.UID("count"))
	if _, err := env.Execute(t.Context(), "renamed"); err != nil {
		t.Fatalf("renamed job with UID: %v", err)
	}
	spCheckExactlyOnce(t, out, want)
}

// spPair is a new type of the state "n" after a change of the job; like
// bool, its codec cannot decode the 8 bytes of an int64.
type spPair struct {
	Name string
	N    int64
}

// TestRestoreWithChangedStateTypeFailsStart: the second job declares the
// state "n" of count with another type, which cannot decode what the
// savepoint holds; Start returns the error, wrapping ErrRestore, even
// with a restart strategy that would retry, and commits nothing.
func TestRestoreWithChangedStateTypeFailsStart(t *testing.T) {
	dir := t.TempDir()
	out := flinksim.NewTransactionalCollector[string]()
	ref := spStopAtPoint(t, dir, false, out)
	committed := len(out.Committed())

	cases := []struct {
		name    string
		declare func(rt *flinksim.KeyedRuntimeContext[int64]) func()
	}{
		{"bool", func(rt *flinksim.KeyedRuntimeContext[int64]) func() {
			n := flinksim.NewValueState[bool](rt, "n")
			return func() { n.Update(true) }
		}},
		{"struct", func(rt *flinksim.KeyedRuntimeContext[int64]) func() {
			n := flinksim.NewValueState[spPair](rt, "n")
			return func() { n.Update(spPair{"x", 1}) }
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			processed := 0
			env := flinksim.NewEnvironment(flinksim.WithParallelism(3), flinksim.WithSimulation(8, nil),
				flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 5 * time.Millisecond}),
				flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(3, 0)),
				flinksim.WithRestoreFrom(ref, false))
			counts := flinksim.Process(flinksim.KeyBy(spGenerate(env), func(v int64) int64 { return v % spKeys }), "count",
				func(rt *flinksim.KeyedRuntimeContext[int64]) (flinksim.KeyedProcessFunction[int64, int64, string], error) {
					update := tc.declare(rt)
					return flinksim.ProcessFunc[int64, int64, string](
						func(ctx *flinksim.KeyedContext[int64], _ int64, out flinksim.Collector[string]) error {
							update()
							mu.Lock()
							processed++
							mu.Unlock()
							out.Collect(fmt.Sprint(ctx.Key()))
							return nil
						}), nil
				})
			flinksim.CollectTransactional(counts, "out", out)
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			job, err := env.Start(ctx, "changed type")
			if err == nil {
				_ = job.Wait(ctx)
				t.Fatalf("Start restored state of another type without error; job ended %v (err %v, restarts %d)", job.Status(), job.Err(), job.Restarts())
			}
			if !errors.Is(err, flinksim.ErrRestore) {
				t.Errorf("Start error = %v, want one wrapping ErrRestore", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if processed != 0 {
				t.Errorf("the job processed %d records on state it could not restore", processed)
			}
			if n := len(out.Committed()); n != committed {
				t.Errorf("a restore that failed committed %d records", n-committed)
			}
		})
	}
}
