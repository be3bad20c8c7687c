package flinksim_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// winTimedRecord is a record a winClockSource emits once the job's clock
// is At past the source's start.
type winTimedRecord struct {
	At time.Duration
	E  winEv
}

// winClockSource emits its records at their times on the job's clock, and
// ends at Until: in the simulation the virtual clock moves a millisecond
// a step, so the records arrive at the window operator at known
// processing times (give or take the few steps a batch takes to travel).
type winClockSource struct {
	records []winTimedRecord
	until   time.Duration
}

func (s winClockSource) Splits(int) ([]struct{}, error) { return []struct{}{{}}, nil }
func (s winClockSource) SplitCodec() flinksim.Codec[struct{}] {
	return flinksim.CodecFor[struct{}]()
}
func (s winClockSource) NewReader(ctx *flinksim.ReaderContext) (flinksim.SourceReader[winEv, struct{}], error) {
	return &winClockReader{src: s, ctx: ctx}, nil
}

type winClockReader struct {
	src   winClockSource
	ctx   *flinksim.ReaderContext
	start time.Time
	next  int
}

func (r *winClockReader) AddSplits([]struct{}) error { return nil }
func (r *winClockReader) NotifyNoMoreSplits()        {}
func (r *winClockReader) PollNext(out flinksim.Collector[winEv]) (flinksim.InputStatus, error) {
	now := r.ctx.Now()
	if r.start.IsZero() {
		r.start = now
	}
	for r.next < len(r.src.records) && now.Sub(r.start) >= r.src.records[r.next].At {
		out.Collect(r.src.records[r.next].E)
		r.next++
	}
	if r.next == len(r.src.records) && now.Sub(r.start) >= r.src.until {
		return flinksim.EndOfInput, nil
	}
	return flinksim.MoreAvailable, nil
}
func (r *winClockReader) SnapshotState(int64) ([]struct{}, error) { return []struct{}{{}}, nil }
func (r *winClockReader) Close() error                            { return nil }

// TestWindowProcessingTime: processing-time tumbling, sliding and session
// windows, driven by the simulation's virtual time (starting at a whole
// second), fire with the records that arrived in them, while the input
// still runs; windows still open when the input ends do not fire, as in
// Flink. The records arrive 10 to 40 ms into 100 ms windows, so the few
// steps a record takes to reach the window operator do not move it to
// another window.
//
// Mutants, each fails this test: processElement assigning by the record's
// timestamp instead of the clock; registerTimers not registering the
// processing-time trigger's timer; onTimer firing processing-time windows
// on event-time timers only.
func TestWindowProcessingTime(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	base := t0.UnixMilli()
	rec := func(at int, k string, v int) winTimedRecord {
		return winTimedRecord{At: time.Duration(at) * ms, E: winRec(k, -1_000_000, v)}
	}
	src := winClockSource{until: 380 * ms, records: []winTimedRecord{
		rec(10, "a", 1), rec(25, "b", 2), rec(40, "a", 4), rec(130, "a", 8), rec(310, "a", 16),
	}}
	for _, tc := range []struct {
		name     string
		assigner flinksim.WindowAssigner
		want     []winFired
	}{
		{"tumbling", flinksim.TumblingProcessingTimeWindows(100 * ms), []winFired{
			winFiring("a", winW(base, base+100), 5, 1, 4), winFiring("b", winW(base, base+100), 2, 2),
			winFiring("a", winW(base+100, base+200), 8, 8),
		}},
		{"sliding", flinksim.SlidingProcessingTimeWindows(200*ms, 100*ms), []winFired{
			winFiring("a", winW(base-100, base+100), 5, 1, 4), winFiring("b", winW(base-100, base+100), 2, 2),
			winFiring("a", winW(base, base+200), 13, 1, 4, 8), winFiring("b", winW(base, base+200), 2, 2),
			winFiring("a", winW(base+100, base+300), 8, 8),
		}},
		// Sessions of a 60 ms gap: a's first two records merge, the third
		// and the fourth are sessions of their own (the fourth's ends at
		// 370 ms, before the input); bounds depend on the exact arrival
		// steps, so only keys and contents are compared.
		{"sessions", flinksim.ProcessingTimeSessionWindows(60 * ms), []winFired{
			{K: "a", Sum: 5, N: 2, Values: "1 4"}, {K: "b", Sum: 2, N: 1, Values: "2"}, {K: "a", Sum: 8, N: 1, Values: "8"},
			{K: "a", Sum: 16, N: 1, Values: "16"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := range uint64(5) {
				env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithBatchSize(1),
					flinksim.WithClock(flinksim.NewManualClock(t0)), flinksim.WithSimulation(seed, nil))
				in := flinksim.FromSource(env, "input", flinksim.Source[winEv, struct{}](src), flinksim.Parallelism(1))
				fired := winProcessed(flinksim.KeyBy(in, winKey).Window(tc.assigner), "ProcessWindow")
				out := flinksim.Collect(winStamped(fired), "out")
				_, err := env.Execute(t.Context(), t.Name())
				require.NoError(t, err)
				got := out.Values()
				for i := range got {
					if tc.name == "sessions" {
						got[i] = winFired{K: got[i].K, Sum: got[i].Sum, N: got[i].N, Values: got[i].Values}
					}
				}
				assertSameMultiset(t, tc.want, got, "seed %d", seed)
			}
		})
	}
}
