package nexmark

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// lines formats events one a line, sorted: a multiset of events.
func lines(events []Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.String()
	}
	slices.Sort(out)
	return out
}

// sourceJob reads src into out, through a keyed check that every event
// carries its event timestamp and none is behind the watermark (late).
func sourceJob(env *flinksim.Environment, src *Source, out *flinksim.TransactionalCollector[Event]) {
	events := flinksim.FromSourceWithWatermarks(env, "nexmark", src, flinksim.ForMonotonousTimestamps[Event]())
	checked := flinksim.Process(flinksim.KeyBy(events, func(e Event) Kind { return e.Kind }), "check",
		func(*flinksim.KeyedRuntimeContext[Kind]) (flinksim.KeyedProcessFunction[Kind, Event, Event], error) {
			return flinksim.ProcessFunc[Kind, Event, Event](func(ctx *flinksim.KeyedContext[Kind], e Event, out flinksim.Collector[Event]) error {
				if ts := ctx.Timestamp(); ts != e.Timestamp() {
					return fmt.Errorf("event %v has timestamp %d", e, ts)
				}
				if wm := ctx.TimerService().CurrentWatermark(); wm >= e.Timestamp() {
					return fmt.Errorf("event %v is late: watermark %d", e, wm)
				}
				out.Collect(e)
				return nil
			}), nil
		})
	flinksim.CollectTransactional(checked, "sink", out)
}

func newTestSource(t *testing.T, events int64, splits int) (*Generator, *Source) {
	t.Helper()
	g, err := NewGenerator(Config{Seed: 3, EventsPerSecond: 2000})
	require.NoError(t, err)
	src, err := NewSource(g, SourceConfig{Events: events, Splits: splits})
	require.NoError(t, err)
	return g, src
}

// TestSourceReadsTheSequence runs a job reading the source at parallelism
// 1, 2 and 4, with one split per subtask and with 7 splits, on both
// executors, with and without a failure of a source subtask mid-run
// (exactly-once checkpoints): the committed events are exactly the
// generator's events [0, n), each once, each with its timestamp, none
// late.
//
// Mutants: the reader's loop emitting sp.Next+1; Splits cutting with
// i instead of i+1 as the end; SnapshotState returning the splits
// without their Next (replays after a restore); each fails this test.
func TestSourceReadsTheSequence(t *testing.T) {
	const n = 5000
	g, _ := newTestSource(t, n, 0)
	all, err := g.Events(0, n)
	require.NoError(t, err)
	want := lines(all)
	for _, p := range []int{1, 2, 4} {
		for _, splits := range []int{0, 7} {
			for _, fail := range []bool{false, true} {
				for _, sim := range []bool{false, true} {
					name := fmt.Sprintf("p%d/splits%d/fail=%v/sim=%v", p, splits, fail, sim)
					_, src := newTestSource(t, n, splits)
					opts := []flinksim.Option{flinksim.WithParallelism(p), flinksim.WithBatchSize(50),
						flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: time.Millisecond})}
					var faults *flinksim.FaultInjector
					if fail {
						faults = flinksim.NewFaultInjector(flinksim.Fault{Operator: "nexmark", Subtask: p - 1, Point: flinksim.FaultRecord, After: n / int64(p) / 2})
						opts = append(opts, flinksim.WithFaults(faults), flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(3, 0)))
					}
					if sim {
						opts = append(opts, flinksim.WithSimulation(uint64(p*10+splits), nil))
					}
					out := flinksim.NewTransactionalCollector[Event]()
					env := flinksim.NewEnvironment(opts...)
					sourceJob(env, src, out)
					res, err := env.Execute(context.Background(), "source")
					require.NoError(t, err, name)
					require.Equal(t, want, lines(out.Committed()), name)
					if fail {
						require.Empty(t, faults.Unstruck(), name)
						require.Positive(t, res.Restarts, name)
					}
				}
			}
		}
	}
}

// TestSourceRescales stops a job at parallelism 2 with a savepoint half-way,
// then restores it at parallelism 3 and at 1, from the savepoint's path: the
// committed events of the two runs are the generator's, each once.
//
// Mutants: SnapshotState dropping a split that is half read; the codec
// writing Next as Start; each fails this test.
func TestSourceRescales(t *testing.T) {
	const n = 6000
	g, _ := newTestSource(t, n, 6)
	all, err := g.Events(0, n)
	require.NoError(t, err)
	want := lines(all)
	for _, to := range []int{3, 1} {
		dir := t.TempDir()
		_, src := newTestSource(t, n, 6)
		out := flinksim.NewTransactionalCollector[Event]()
		env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithSimulation(uint64(to), nil), flinksim.WithBatchSize(40),
			flinksim.WithCheckpointing(flinksim.CheckpointConfig{SavepointDir: dir}),
			flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "nexmark", After: n / 4, Name: "half", Stop: true}))
		sourceJob(env, src, out)
		res, err := env.Execute(context.Background(), "before")
		require.NoError(t, err)
		var path string
		for _, r := range res.Checkpoints.History {
			if r.Savepoint == "half" {
				path = r.Ref
			}
		}
		require.NotEmpty(t, path)
		before := len(out.Committed())
		require.Greater(t, before, 0)
		require.Less(t, before, n)

		_, src = newTestSource(t, n, 6)
		env = flinksim.NewEnvironment(flinksim.WithParallelism(to), flinksim.WithRestoreFrom(path, false))
		sourceJob(env, src, out)
		_, err = env.Execute(context.Background(), "after")
		require.NoError(t, err)
		require.Equal(t, want, lines(out.Committed()), "restored at %d", to)
	}
}

// TestSourceRefusesOtherSplits restores a savepoint of one source into a
// source of another seed, and into one of fewer events: both fail with
// ErrSplit rather than read other events.
//
// Mutants: Decode not comparing fingerprints; check not bounding End by
// events; each fails this test.
func TestSourceRefusesOtherSplits(t *testing.T) {
	dir := t.TempDir()
	_, src := newTestSource(t, 4000, 2)
	out := flinksim.NewTransactionalCollector[Event]()
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithSimulation(1, nil),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{SavepointDir: dir}),
		flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "nexmark", After: 500, Name: "sp", Stop: true}))
	sourceJob(env, src, out)
	res, err := env.Execute(context.Background(), "before")
	require.NoError(t, err)
	var path string
	for _, r := range res.Checkpoints.History {
		if r.Savepoint == "sp" {
			path = r.Ref
		}
	}
	require.NotEmpty(t, path)

	other, err := NewGenerator(Config{Seed: 4, EventsPerSecond: 2000})
	require.NoError(t, err)
	_, shorter := newTestSource(t, 1000, 2)
	for name, g := range map[string]*Generator{"other seed": other, "fewer events": shorter.gen} {
		events := int64(4000)
		if name == "fewer events" {
			events = 1000
		}
		src, err := NewSource(g, SourceConfig{Events: events})
		require.NoError(t, err)
		env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithRestoreFrom(path, false),
			flinksim.WithRestartStrategy(flinksim.NoRestart()))
		sourceJob(env, src, flinksim.NewTransactionalCollector[Event]())
		_, err = env.Execute(context.Background(), "after")
		require.ErrorIs(t, err, ErrSplit, name)
	}
}

// TestSplitCodec round-trips splits and refuses malformed bytes.
//
// Mutants: Decode not checking the version byte; check allowing
// Next > End; each fails this test.
func TestSplitCodec(t *testing.T) {
	_, src := newTestSource(t, 100, 0)
	c := src.SplitCodec()
	for _, s := range []Split{{0, 100, 0}, {10, 20, 15}, {20, 20, 20}, {0, 100, 100}} {
		b, err := c.Append(nil, s)
		require.NoError(t, err)
		got, err := c.Decode(b)
		require.NoError(t, err)
		require.Equal(t, s, got)
	}
	good, err := c.Append(nil, Split{10, 20, 15})
	require.NoError(t, err)
	for name, b := range map[string][]byte{
		"empty":   nil,
		"short":   good[:len(good)-1],
		"long":    append(slices.Clone(good), 0),
		"version": append([]byte{2}, good[1:]...),
	} {
		_, err := c.Decode(b)
		require.ErrorIs(t, err, ErrSplit, name)
	}
	for _, s := range []Split{{-1, 5, 0}, {5, 4, 5}, {0, 10, 11}, {3, 10, 2}, {0, 101, 0}} {
		_, err := c.Append(nil, s)
		require.ErrorIs(t, err, flinksim.ErrEncode, "%v", s)
		b := slices.Clone(good)
		for i, v := range []int64{s.Start, s.End, s.Next} {
			for j := range 8 {
				b[9+8*i+j] = byte(uint64(v) >> (56 - 8*j))
			}
		}
		_, err = c.Decode(b)
		require.ErrorIs(t, err, ErrSplit, "%v", s)
	}
}

// FuzzSplitDecode feeds the split decoder arbitrary bytes: it returns a
// split within the source or an error, never panics.
func FuzzSplitDecode(f *testing.F) {
	g, err := NewGenerator(Config{})
	if err != nil {
		f.Fatal(err)
	}
	src, err := NewSource(g, SourceConfig{Events: 1000})
	if err != nil {
		f.Fatal(err)
	}
	c := src.SplitCodec()
	good, _ := c.Append(nil, Split{10, 500, 20})
	f.Add(good)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := c.Decode(b)
		if err != nil {
			return
		}
		if s.Start < 0 || s.Start > s.Next || s.Next > s.End || s.End > 1000 {
			t.Fatalf("decoded %v", s)
		}
		again, err := c.Append(nil, s)
		if err != nil || !slices.Equal(again, b) {
			t.Fatalf("re-encoded %v as %x, %v", s, again, err)
		}
	})
}

// recorder is a ReaderOutput that keeps what a reader emits.
type recorder struct {
	events     []Event
	timestamps []int64
}

func (r *recorder) Collect(e Event) { r.CollectAt(e, flinksim.NoTimestamp) }
func (r *recorder) CollectAt(e Event, ts int64) {
	r.events = append(r.events, e)
	r.timestamps = append(r.timestamps, ts)
}
func (r *recorder) Split(string) flinksim.SplitOutput[Event] { return r }
func (r *recorder) ReleaseSplit(string)                      {}

// TestReaderOrder hands a reader splits out of order, one half read: it
// emits their events in event-number order, with their timestamps, and
// its snapshots say where each split stands.
//
// Mutants: AddSplits not sorting; PollNext emitting with timestamp 0;
// SnapshotState keeping a split read to the end; each fails this test.
func TestReaderOrder(t *testing.T) {
	g, src := newTestSource(t, 300, 0)
	rd, err := src.NewReader(nil)
	require.NoError(t, err)
	require.NoError(t, rd.AddSplits([]Split{{200, 300, 250}, {0, 100, 0}, {100, 200, 180}}))
	rd.NotifyNoMoreSplits()
	out := &recorder{}
	for range 2 { // 64 events of the first split, then 36
		st, err := rd.PollNext(out)
		require.NoError(t, err)
		require.Equal(t, flinksim.MoreAvailable, st)
	}
	left, err := rd.SnapshotState(1)
	require.NoError(t, err)
	require.Equal(t, []Split{{100, 200, 180}, {200, 300, 250}}, left)
	for {
		st, err := rd.PollNext(out)
		require.NoError(t, err)
		if st == flinksim.EndOfInput {
			break
		}
	}
	var want []Event
	for _, r := range [][2]int64{{0, 100}, {180, 20}, {250, 50}} {
		part, err := g.Events(r[0], r[1])
		require.NoError(t, err)
		want = append(want, part...)
	}
	require.Len(t, out.events, len(want))
	for i := range want {
		require.Equal(t, want[i].String(), out.events[i].String(), "event %d", i)
		require.Equal(t, want[i].Timestamp(), out.timestamps[i])
	}
	left, err = rd.SnapshotState(2)
	require.NoError(t, err)
	require.Empty(t, left)
	require.NoError(t, rd.Close())
}
