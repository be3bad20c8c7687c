package flinksimtest_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/flinksimtest"
)

// sessionEnd emits "key:count" an interval after each key's first record
// of a session, on event time, and "key:late" to a side output for records
// behind the watermark.
type sessionEnd struct {
	count flinksim.ValueState[int]
}

var late = flinksim.NewOutputTag[string]("late")

func openSessionEnd(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, string, string], error) {
	return sessionEnd{flinksim.NewValueState[int](rt, "count")}, nil
}

func (f sessionEnd) ProcessElement(ctx *flinksim.KeyedContext[string], v string, out flinksim.Collector[string]) error {
	if ctx.Timestamp() <= ctx.TimerService().CurrentWatermark() {
		flinksim.Output(ctx, late, v+":late")
		return nil
	}
	n, ok := f.count.Value()
	if !ok {
		ctx.TimerService().RegisterEventTimeTimer(ctx.Timestamp() + 10)
	}
	f.count.Update(n + 1)
	return nil
}

func (f sessionEnd) OnTimer(ctx *flinksim.OnTimerContext[string], ts int64, out flinksim.Collector[string]) error {
	n, _ := f.count.Value()
	f.count.Clear()
	out.Collect(fmt.Sprintf("%s:%d", ctx.Key(), n))
	return nil
}

func identity(s string) string { return s }

// TestKeyedHarnessEventTime: records go in with timestamps, the harness
// lists the timers they register, a watermark fires those it reached in
// order — their output stamped with the timer's time — and is forwarded;
// a late record goes to the side output with its timestamp; EndInput
// fires the rest.
//
// Mutants: the standalone task not routing watermarks to the operator
// (deliver skipped: Watermark not reaching the gate); the capture
// collector stamping NoTimestamp; Operator.Watermarks not recording;
// EndInput not ending the data; each fails this test.
func TestKeyedHarnessEventTime(t *testing.T) {
	h, err := flinksimtest.NewKeyedHarness(identity, openSessionEnd)
	require.NoError(t, err)
	defer h.Close()
	for i, k := range []string{"a", "b", "a", "c"} {
		require.NoError(t, h.ProcessElement(k, int64(i)))
	}
	assert.Equal(t, []flinksimtest.Timer[string]{{"a", 10}, {"b", 11}, {"c", 13}}, h.EventTimeTimers())
	assert.Empty(t, h.ProcessingTimeTimers())
	require.NoError(t, h.ProcessWatermark(11))
	assert.Equal(t, []flinksimtest.Record[string]{{"a:2", 10}, {"b:1", 11}}, h.Output())
	assert.Equal(t, []int64{11}, h.Watermarks())
	assert.Equal(t, []flinksimtest.Timer[string]{{"c", 13}}, h.EventTimeTimers())

	require.NoError(t, h.ProcessElement("d", 5))
	assert.Equal(t, []flinksimtest.Record[string]{{"d:late", 5}}, flinksimtest.SideOutput(h, late))
	assert.Empty(t, flinksimtest.SideOutput(h, flinksim.NewOutputTag[int]("late")), "another type under the ID")

	h.ClearOutput()
	require.NoError(t, h.EndInput())
	assert.Equal(t, []string{"c:1"}, h.Values())
	assert.Empty(t, h.Watermarks(), "the final watermark stays in the task")
	require.ErrorIs(t, h.ProcessElement("e", 20), flinksimtest.ErrInputEnded)
}

// TestKeyedHarnessSnapshotRestore: a snapshot holds keyed state and timers;
// harnesses restored from it at two subtasks split the keys by key group,
// each firing only its own timers; a restore at another max parallelism is
// refused.
//
// Mutants: engine.DealState giving every subtask nothing; newOperator
// ignoring the subtask (always 0); each fails this test.
func TestKeyedHarnessSnapshotRestore(t *testing.T) {
	h, err := flinksimtest.NewKeyedHarness(identity, openSessionEnd)
	require.NoError(t, err)
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	for _, k := range keys {
		require.NoError(t, h.ProcessElement(k, 0))
	}
	snap, err := h.Snapshot()
	require.NoError(t, err)
	require.NoError(t, h.Close())
	require.ErrorIs(t, h.ProcessWatermark(10), flinksimtest.ErrClosed)

	var fired []string
	for sub := range 2 {
		r, err := flinksimtest.NewKeyedHarness(identity, openSessionEnd,
			flinksimtest.WithRestore(snap), flinksimtest.WithSubtask(sub, 2))
		require.NoError(t, err)
		timers := r.EventTimeTimers()
		assert.NotEmpty(t, timers, "subtask %d", sub)
		assert.Less(t, len(timers), len(keys), "subtask %d has only its key groups", sub)
		require.NoError(t, r.ProcessWatermark(10))
		fired = append(fired, r.Values()...)
		require.NoError(t, r.Close())
	}
	assert.ElementsMatch(t, []string{"a:1", "b:1", "c:1", "d:1", "e:1", "f:1", "g:1", "h:1"}, fired)

	_, err = flinksimtest.NewKeyedHarness(identity, openSessionEnd,
		flinksimtest.WithRestore(snap), flinksimtest.WithMaxParallelism(64))
	require.ErrorIs(t, err, flinksim.ErrIncompatibleState)
}

// TestKeyedHarnessProcessingTime: SetProcessingTime fires the processing
// timers due, in order, with no timestamp, and never goes back.
//
// Mutants: Standalone.AdvanceTo not advancing the clock; the harness's
// clock not starting at WithProcessingTime's time; each fails this test.
func TestKeyedHarnessProcessingTime(t *testing.T) {
	h, err := flinksimtest.NewKeyedHarness(identity,
		func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, string, string], error) {
			return remind{}, nil
		}, flinksimtest.WithProcessingTime(1000))
	require.NoError(t, err)
	defer h.Close()
	require.NoError(t, h.ProcessElement("x", flinksim.NoTimestamp))
	require.NoError(t, h.SetProcessingTime(1500))
	require.NoError(t, h.ProcessElement("y", flinksim.NoTimestamp))
	assert.Equal(t, []flinksimtest.Timer[string]{{"x", 2000}, {"y", 2500}}, h.ProcessingTimeTimers())
	require.NoError(t, h.SetProcessingTime(2600))
	assert.Equal(t, int64(2600), h.ProcessingTime())
	require.NoError(t, h.SetProcessingTime(100), "time does not go back")
	assert.Equal(t, int64(2600), h.ProcessingTime())
	assert.Equal(t, []flinksimtest.Record[string]{{"x@2000", flinksim.NoTimestamp}, {"y@2500", flinksim.NoTimestamp}}, h.Output())
}

// remind emits "key@t" a second after each record, on processing time.
type remind struct{}

func (remind) ProcessElement(ctx *flinksim.KeyedContext[string], _ string, _ flinksim.Collector[string]) error {
	ctx.TimerService().RegisterProcessingTimeTimer(ctx.TimerService().CurrentProcessingTime() + 1000)
	return nil
}

func (remind) OnTimer(ctx *flinksim.OnTimerContext[string], ts int64, out flinksim.Collector[string]) error {
	out.Collect(fmt.Sprintf("%s@%d", ctx.Key(), ts))
	return nil
}

// TestHarnessErrors: the function's error and panic come back from the
// call as an *flinksim.OperatorError, and every later call returns the
// same failure; an open's error comes back from the constructor; a record
// of a key group the subtask does not own is refused without failing it.
//
// Mutants: Standalone.Element returning nil after delivering;
// Standalone.emit not recovering a key selector's panic (the test
// panics); the misrouted check removed from deliver; each fails this
// test.
func TestHarnessErrors(t *testing.T) {
	errBad := errors.New("bad record")
	open := func(*flinksim.RuntimeContext) (flinksim.ProcessFunction[int, int], error) {
		return flinksim.ProcessStreamFunc[int, int](func(_ *flinksim.ProcessContext, v int, out flinksim.Collector[int]) error {
			switch v {
			case 13:
				return errBad
			case 99:
				panic("ninety-nine")
			}
			out.Collect(v)
			return nil
		}), nil
	}
	h, err := flinksimtest.NewHarness(open, flinksimtest.WithName("check"))
	require.NoError(t, err)
	require.NoError(t, h.ProcessElement(1, 0))
	err = h.ProcessElement(13, 0)
	require.ErrorIs(t, err, errBad)
	var oe *flinksim.OperatorError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "check", oe.Operator)
	require.ErrorIs(t, h.ProcessElement(2, 0), errBad, "the failure sticks")
	require.ErrorIs(t, h.ProcessWatermark(5), errBad)
	assert.Equal(t, []int{1}, h.Values())

	p, err := flinksimtest.NewHarness(open)
	require.NoError(t, err)
	require.ErrorIs(t, p.ProcessElement(99, 0), flinksim.ErrPanic)

	errOpen := errors.New("no connection")
	_, err = flinksimtest.NewHarness(func(*flinksim.RuntimeContext) (flinksim.ProcessFunction[int, int], error) { return nil, errOpen })
	require.ErrorIs(t, err, errOpen)

	k, err := flinksimtest.NewKeyedHarness(func(v int) int {
		if v < 0 {
			panic("negative key")
		}
		return v
	}, func(*flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error) {
		return flinksim.ProcessFunc[int, int, int](func(_ *flinksim.KeyedContext[int], v int, out flinksim.Collector[int]) error {
			out.Collect(v)
			return nil
		}), nil
	}, flinksimtest.WithSubtask(0, 4))
	require.NoError(t, err)
	var mine, others int
	for v := range 40 {
		err := k.ProcessElement(v, 0)
		if errors.Is(err, flinksimtest.ErrKeyNotInSubtask) {
			others++
			continue
		}
		require.NoError(t, err)
		mine++
	}
	assert.Positive(t, others)
	assert.Equal(t, mine, len(k.Values()), "refused records are not processed")
	require.ErrorIs(t, k.ProcessElement(-1, 0), flinksim.ErrPanic)

	_, err = flinksimtest.NewHarness(open, flinksimtest.WithSubtask(2, 2))
	require.ErrorIs(t, err, flinksim.ErrInvalidParallelism)
}

// bufferFn keeps the records of its subtask in operator list state, emits
// them at the end of input, and hears of checkpoints and its close.
type bufferFn struct {
	buf      flinksim.OperatorListState[int]
	notified *[]int64
	closed   *bool
}

func (f bufferFn) ProcessElement(_ *flinksim.ProcessContext, v int, _ flinksim.Collector[int]) error {
	f.buf.Add(v)
	return nil
}

func (f bufferFn) NotifyCheckpointComplete(id int64) error {
	*f.notified = append(*f.notified, id)
	return nil
}

func (f bufferFn) NotifyCheckpointAborted(int64) {}

func (f bufferFn) Close() error { *f.closed = true; return nil }

// TestHarnessOperatorListState: a non-keyed process function's operator
// list state is in its snapshot, and restores dealt as a job deals it —
// split over two subtasks; its CheckpointListener and Close are called.
//
// Mutants: richOperator.SnapshotState returning no lists;
// richOperator.NotifyCheckpointComplete not calling the listener;
// richOperator.Close not calling the function's Close; each fails this
// test.
func TestHarnessOperatorListState(t *testing.T) {
	var notified []int64
	var closed bool
	open := func(rt *flinksim.RuntimeContext) (flinksim.ProcessFunction[int, int], error) {
		return bufferFn{buf: flinksim.NewOperatorListState[int](rt, "buffer", flinksim.RedistributeSplit), notified: &notified, closed: &closed}, nil
	}
	h, err := flinksimtest.NewHarness(open)
	require.NoError(t, err)
	for v := range 6 {
		require.NoError(t, h.ProcessElement(v, flinksim.NoTimestamp))
	}
	snap, err := h.Snapshot()
	require.NoError(t, err)
	assert.Equal(t, int64(1), snap.ID())
	require.NoError(t, h.NotifyCheckpointComplete(snap.ID()))
	assert.Equal(t, []int64{1}, notified)
	require.NoError(t, h.Close())
	assert.True(t, closed)

	var restored [][]int
	for sub := range 2 {
		r, err := flinksimtest.NewHarness(func(rt *flinksim.RuntimeContext) (flinksim.ProcessFunction[int, int], error) {
			buf := flinksim.NewOperatorListState[int](rt, "buffer", flinksim.RedistributeSplit)
			restored = append(restored, append([]int(nil), buf.Get()...))
			return bufferFn{buf: buf, notified: &notified, closed: &closed}, nil
		}, flinksimtest.WithRestore(snap), flinksimtest.WithSubtask(sub, 2))
		require.NoError(t, err)
		next, err := r.Snapshot()
		require.NoError(t, err)
		assert.Equal(t, int64(2), next.ID(), "IDs go on from the restored snapshot's")
		require.NoError(t, r.Close())
	}
	assert.Equal(t, [][]int{{0, 2, 4}, {1, 3, 5}}, restored)
}

// TestHarnessContext: a non-keyed function sees the record's timestamp,
// the watermark the harness delivered, the harness's processing time and
// its subtask.
//
// Mutants: ProcessContext.Timestamp returning NoTimestamp;
// ProcessContext.CurrentWatermark returning MinWatermark;
// ProcessContext.CurrentProcessingTime reading 0; each fails this test.
func TestHarnessContext(t *testing.T) {
	h, err := flinksimtest.NewHarness(func(rt *flinksim.RuntimeContext) (flinksim.ProcessFunction[string, string], error) {
		return flinksim.ProcessStreamFunc[string, string](func(ctx *flinksim.ProcessContext, v string, out flinksim.Collector[string]) error {
			out.Collect(fmt.Sprintf("%s ts=%d wm=%d now=%d subtask=%d/%d", v, ctx.Timestamp(), ctx.CurrentWatermark(),
				ctx.CurrentProcessingTime(), ctx.Runtime().Subtask(), ctx.Runtime().Parallelism()))
			return nil
		}), nil
	}, flinksimtest.WithSubtask(1, 3), flinksimtest.WithProcessingTime(7))
	require.NoError(t, err)
	defer h.Close()
	require.NoError(t, h.ProcessWatermark(40))
	require.NoError(t, h.ProcessElement("x", 42))
	assert.Equal(t, []flinksimtest.Record[string]{{"x ts=42 wm=40 now=7 subtask=1/3", 42}}, h.Output())
	assert.Equal(t, []int64{40}, h.Watermarks())
}
