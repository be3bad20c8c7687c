package flinksim_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// winScenario is an event-time window job over scripted input, and what
// it must emit, computed by hand.
type winScenario struct {
	name     string
	assigner flinksim.WindowAssigner
	trigger  flinksim.Trigger
	lateness time.Duration
	in       []winEv
	want     []winFired
	late     []winLate // the late side output
}

const ms = time.Millisecond

// winScenarios are worked out by hand, with Flink's rules: a window fires
// when the watermark reaches its max timestamp (end − 1); it is late —
// and a record for it dropped, to the side output — once the watermark
// reached max timestamp + allowed lateness; a record for a fired window
// within the lateness fires it again at once; session windows [t, t+gap)
// merge when they intersect or touch; the end of input fires the rest.
var winScenarios = []winScenario{{
	// [0,10) fires at watermark 9 with a@1, a@5 and b@3; a@7 arrives
	// after it and is late; [10,20) fires at the end of input.
	name:     "tumbling, out of order, late record",
	assigner: flinksim.TumblingEventTimeWindows(10 * ms),
	in: []winEv{winRec("a", 5, 2), winRec("b", 3, 10), winRec("a", 1, 1), winRec("a", 12, 4), winWM(9),
		winRec("a", 7, 100), winRec("b", 19, 20)},
	want: []winFired{
		winFiring("a", winW(0, 10), 3, 1, 2), winFiring("b", winW(0, 10), 10, 10),
		winFiring("a", winW(10, 20), 4, 4), winFiring("b", winW(10, 20), 20, 20),
	},
	late: []winLate{{winRec("a", 7, 100), 7}},
}, {
	// Offset 3: windows [-17,-7), [-7,3), [3,13), [13,23).
	name:     "tumbling with offset, negative timestamps",
	assigner: flinksim.TumblingEventTimeWindows(10 * ms).WithOffset(3 * ms),
	in:       []winEv{winRec("a", 1, 1), winRec("a", 2, 2), winRec("a", 3, 4), winRec("a", 12, 8), winRec("a", 13, 16), winRec("a", -8, 32)},
	want: []winFired{
		winFiring("a", winW(-17, -7), 32, 32), winFiring("a", winW(-7, 3), 3, 1, 2),
		winFiring("a", winW(3, 13), 12, 4, 8), winFiring("a", winW(13, 23), 16, 16),
	},
}, {
	// Size 10, slide 5: t is in [s, s+10) for the two multiples s of 5 in (t-10, t].
	name:     "sliding",
	assigner: flinksim.SlidingEventTimeWindows(10*ms, 5*ms),
	in:       []winEv{winRec("a", 1, 1), winRec("a", 6, 2), winRec("b", 7, 10), winRec("a", 12, 4)},
	want: []winFired{
		winFiring("a", winW(-5, 5), 1, 1), winFiring("a", winW(0, 10), 3, 1, 2),
		winFiring("a", winW(5, 15), 6, 2, 4), winFiring("a", winW(10, 20), 4, 4),
		winFiring("b", winW(0, 10), 10, 10), winFiring("b", winW(5, 15), 10, 10),
	},
}, {
	// Gap 5: a@1 [1,6), a@10 [10,15), a@20 [20,25); a@6 [6,11) touches
	// [1,6) and overlaps [10,15): it bridges them into [1,15).
	name:     "sessions, a record bridging two",
	assigner: flinksim.EventTimeSessionWindows(5 * ms),
	in:       []winEv{winRec("a", 1, 1), winRec("a", 10, 2), winRec("a", 20, 4), winRec("b", 0, 16), winRec("a", 6, 8)},
	want: []winFired{
		winFiring("a", winW(1, 15), 11, 1, 2, 8), winFiring("a", winW(20, 25), 4, 4), winFiring("b", winW(0, 5), 16, 16),
	},
}, {
	// Lateness 5: a@4 after watermark 9 joins fired [0,10) and fires it
	// again; at watermark 14 [0,10) is cleared, and a@5 is late.
	name:     "allowed lateness: a late firing, then cleanup",
	assigner: flinksim.TumblingEventTimeWindows(10 * ms),
	lateness: 5 * ms,
	in: []winEv{winRec("a", 1, 1), winRec("a", 3, 2), winWM(9), winRec("a", 4, 4), winRec("a", 12, 16), winWM(13),
		winRec("a", 6, 32), winWM(14), winRec("a", 5, 8)},
	want: []winFired{
		winFiring("a", winW(0, 10), 3, 1, 2), winFiring("a", winW(0, 10), 7, 1, 2, 4),
		winFiring("a", winW(0, 10), 39, 1, 2, 4, 32), winFiring("a", winW(10, 20), 16, 16),
	},
	late: []winLate{{winRec("a", 5, 8), 5}},
}, {
	// Gap 5, lateness 10: [1,6) and [8,13) fire at watermark 12; a@6
	// [6,11) bridges them into [1,13), which is past the watermark: it
	// fires at once with all three, and not again at the end.
	name:     "sessions: a late record merges fired sessions",
	assigner: flinksim.EventTimeSessionWindows(5 * ms),
	lateness: 10 * ms,
	in:       []winEv{winRec("a", 1, 1), winRec("a", 8, 2), winWM(12), winRec("a", 6, 4)},
	want: []winFired{
		winFiring("a", winW(1, 6), 1, 1), winFiring("a", winW(8, 13), 2, 2), winFiring("a", winW(1, 13), 7, 1, 2, 4),
	},
}, {
	// CountTrigger(3) on sessions: two sessions of one record each merge
	// with a bridging record, their counts add up to 3, and the merged
	// session fires. a@14 makes [1,19) a count of 1: never fires.
	name:     "sessions: count triggers summed on merge",
	assigner: flinksim.EventTimeSessionWindows(5 * ms),
	trigger:  flinksim.CountTrigger(3),
	in:       []winEv{winRec("a", 1, 1), winRec("a", 10, 2), winRec("a", 6, 4), winRec("a", 14, 8)},
	want:     []winFired{winFiring("a", winW(1, 15), 7, 1, 2, 4)},
}, {
	// Gap 5, purging event-time trigger, lateness 10: [1,6) fires and is
	// purged at watermark 5 — its window stays, empty, as Flink's merging
	// window set keeps it — so a@6 [6,11) bridges it and [10,15) into
	// [1,15), which fires at the end with a@10 and a@6 only.
	name:     "sessions: a purged session still merges",
	assigner: flinksim.EventTimeSessionWindows(5 * ms),
	trigger:  flinksim.PurgingTrigger(flinksim.EventTimeTrigger()),
	lateness: 10 * ms,
	in:       []winEv{winRec("a", 1, 1), winWM(5), winRec("a", 10, 2), winRec("a", 6, 4)},
	want:     []winFired{winFiring("a", winW(1, 6), 1, 1), winFiring("a", winW(1, 15), 6, 2, 4)},
}, {
	// Gap 5, no lateness: [1,6) fires and is cleared at watermark 10;
	// a@4 would have joined it, and is late.
	name:     "sessions: a late record",
	assigner: flinksim.EventTimeSessionWindows(5 * ms),
	in:       []winEv{winRec("a", 1, 1), winWM(10), winRec("a", 4, 2), winRec("a", 9, 4)},
	want:     []winFired{winFiring("a", winW(1, 6), 1, 1), winFiring("a", winW(9, 14), 4, 4)},
	late:     []winLate{{winRec("a", 4, 2), 4}},
}, {
	// CountTrigger(2) without purging: fires on the 2nd record and the
	// 4th, with all records so far; b's single record never fires.
	name:     "global windows, count trigger",
	assigner: flinksim.GlobalWindows(),
	trigger:  flinksim.CountTrigger(2),
	in:       []winEv{winRec("a", 0, 1), winRec("a", 0, 2), winRec("b", 0, 8), winRec("a", 0, 4), winRec("a", 0, 16)},
	want:     []winFired{winGlobalFiring("a", 3, 1, 2), winGlobalFiring("a", 23, 1, 2, 4, 16)},
}, {
	// Flink's countWindow(2): tumbling counts; the incomplete last window
	// (a's 32, b's 8) is not emitted at the end of input.
	name:     "global windows, purging count trigger",
	assigner: flinksim.GlobalWindows(),
	trigger:  flinksim.PurgingTrigger(flinksim.CountTrigger(2)),
	in: []winEv{winRec("a", 0, 1), winRec("a", 0, 2), winRec("b", 0, 8), winRec("a", 0, 4), winRec("a", 0, 16),
		winRec("a", 0, 32)},
	want: []winFired{winGlobalFiring("a", 3, 1, 2), winGlobalFiring("a", 20, 4, 16)},
}, {
	// A purging event-time trigger on tumbling windows: the late firing
	// within the lateness holds only what came after the first firing.
	name:     "tumbling, purging trigger, late firing",
	assigner: flinksim.TumblingEventTimeWindows(10 * ms),
	trigger:  flinksim.PurgingTrigger(flinksim.EventTimeTrigger()),
	lateness: 5 * ms,
	in:       []winEv{winRec("a", 1, 1), winRec("a", 2, 2), winWM(9), winRec("a", 3, 4)},
	want:     []winFired{winFiring("a", winW(0, 10), 3, 1, 2), winFiring("a", winW(0, 10), 4, 4)},
}}

// TestWindowScenarios runs every scenario with every window function on
// both executors, at parallelism 2, and demands the hand-computed
// firings — each output record carrying the window's max timestamp, as a
// keyed function downstream reads it — and exactly the late records,
// with their own timestamps, on the late side output.
//
// Mutants (flinksim/window_operator.go), each fails this test: the
// merged count not summed ("entries[into].count += entries[i].count"
// dropped); fire stamping the watermark instead of the window's max
// timestamp; isLate using < instead of <=; the late firing in onElement
// removed; the cleanup in onTimer removed; dropLate not called; a purge
// not emptying the window; a merge into a purged window reducing with its
// zero value.
func TestWindowScenarios(t *testing.T) {
	for _, sc := range winScenarios {
		t.Run(sc.name, func(t *testing.T) {
			for _, fn := range winFunctions {
				t.Run(fn, func(t *testing.T) {
					want := make([]winFired, len(sc.want))
					for i, f := range sc.want {
						want[i] = f.seenBy(fn)
					}
					forEachExecutor(t, func(t *testing.T, ex executor) {
						env := ex.newEnv(flinksim.WithParallelism(2))
						lateTag := flinksim.NewOutputTag[winEv]("late")
						ws := flinksim.KeyBy(winInput(env, sc.in), winKey).Window(sc.assigner).
							Trigger(sc.trigger).AllowedLateness(sc.lateness).SideOutputLateData(lateTag)
						fired, lateOut := winApply(ws, fn, lateTag)
						out := flinksim.Collect(winStamped(fired), "out")
						late := flinksim.Collect(winStampedLate(lateOut), "late")
						_, err := env.Execute(t.Context(), t.Name())
						require.NoError(t, err)
						assertSameMultiset(t, want, out.Values(), "firings")
						assertSameMultiset(t, sc.late, late.Values(), "late side output")
					})
				})
			}
		})
	}
}
