package flinksim

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWindowMath: MaxTimestamp, Intersects (touching windows intersect),
// Cover and String of time windows and of the global window.
//
// Mutants: Intersects with < instead of <= (the touching cases fail);
// MaxTimestamp returning End (fails); Cover taking max of the starts
// (fails); the global window's MaxTimestamp End−1 (fails). Each fails this
// test.
func TestWindowMath(t *testing.T) {
	w := Window{Start: 0, End: 10}
	assert.Equal(t, int64(9), w.MaxTimestamp())
	assert.Equal(t, "[0, 10)", w.String())
	assert.False(t, w.IsGlobal())
	for _, tc := range []struct {
		o    Window
		want bool
	}{
		{Window{Start: 10, End: 20}, true}, // touching after
		{Window{Start: -5, End: 0}, true},  // touching before
		{Window{Start: 11, End: 20}, false},
		{Window{Start: -5, End: -1}, false},
		{Window{Start: 3, End: 4}, true}, // inside
		{Window{Start: -3, End: 40}, true},
	} {
		assert.Equal(t, tc.want, w.Intersects(tc.o), "%v %v", w, tc.o)
		assert.Equal(t, tc.want, tc.o.Intersects(w), "%v %v", tc.o, w)
	}
	assert.Equal(t, Window{Start: -5, End: 10}, w.Cover(Window{Start: -5, End: 3}))
	assert.Equal(t, Window{Start: 0, End: 20}, w.Cover(Window{Start: 12, End: 20}))

	g := GlobalWindow()
	assert.True(t, g.IsGlobal())
	assert.Equal(t, int64(math.MaxInt64), g.MaxTimestamp())
	assert.Equal(t, "GlobalWindow", g.String())
	assert.True(t, g.Intersects(w))
	assert.True(t, w.Intersects(g))
	assert.Equal(t, g, w.Cover(g))
	assert.Equal(t, g, g.Cover(w))
	assert.NotEqual(t, g, Window{Start: math.MinInt64, End: math.MaxInt64}, "the global window is not a time window")
	assert.Equal(t, int64(math.MaxInt64-1), Window{Start: math.MinInt64, End: math.MaxInt64}.MaxTimestamp())
}

// TestWindowAssignment: the windows of a timestamp, hand-computed, for
// tumbling, sliding (size/slide windows, latest first), session and global
// assigners, with offsets and negative timestamps, and through the
// processing-time twins.
//
// Mutants: windowStart without the negative-remainder correction (the
// negative cases fail); windowStart ignoring the offset (the offset cases
// fail); the sliding loop with <= size (one window too many); the session
// window [t, t+gap] (fails). Each fails this test.
func TestWindowAssignment(t *testing.T) {
	const ms = time.Millisecond
	w := func(start, end int64) Window { return Window{Start: start, End: end} }
	for _, tc := range []struct {
		a    WindowAssigner
		ts   int64
		want []Window
	}{
		{TumblingEventTimeWindows(10 * ms), 0, []Window{w(0, 10)}},
		{TumblingEventTimeWindows(10 * ms), 9, []Window{w(0, 10)}},
		{TumblingEventTimeWindows(10 * ms), 10, []Window{w(10, 20)}},
		{TumblingEventTimeWindows(10 * ms), -1, []Window{w(-10, 0)}},
		{TumblingEventTimeWindows(10 * ms), -10, []Window{w(-10, 0)}},
		{TumblingEventTimeWindows(10 * ms), -11, []Window{w(-20, -10)}},
		{TumblingEventTimeWindows(10 * ms), -13, []Window{w(-20, -10)}},
		{TumblingEventTimeWindows(time.Second), 1_700_000_000_123, []Window{w(1_700_000_000_000, 1_700_000_001_000)}},
		{TumblingEventTimeWindows(10 * ms).WithOffset(3 * ms), 2, []Window{w(-7, 3)}},
		{TumblingEventTimeWindows(10 * ms).WithOffset(3 * ms), 3, []Window{w(3, 13)}},
		{TumblingEventTimeWindows(10 * ms).WithOffset(-3 * ms), 7, []Window{w(7, 17)}},
		{TumblingEventTimeWindows(10 * ms).WithOffset(-3 * ms), 6, []Window{w(-3, 7)}},
		{TumblingEventTimeWindows(10 * ms).WithOffset(3 * ms), -8, []Window{w(-17, -7)}},
		{TumblingProcessingTimeWindows(10 * ms), 25, []Window{w(20, 30)}},

		{SlidingEventTimeWindows(10*ms, 5*ms), 7, []Window{w(5, 15), w(0, 10)}},
		{SlidingEventTimeWindows(10*ms, 5*ms), 5, []Window{w(5, 15), w(0, 10)}},
		{SlidingEventTimeWindows(10*ms, 5*ms), 4, []Window{w(0, 10), w(-5, 5)}},
		{SlidingEventTimeWindows(10*ms, 5*ms), -1, []Window{w(-5, 5), w(-10, 0)}},
		{SlidingEventTimeWindows(9*ms, 3*ms), 4, []Window{w(3, 12), w(0, 9), w(-3, 6)}},
		{SlidingEventTimeWindows(10*ms, 3*ms), 4, []Window{w(3, 13), w(0, 10), w(-3, 7)}},
		{SlidingEventTimeWindows(10*ms, 3*ms), 2, []Window{w(0, 10), w(-3, 7), w(-6, 4)}},
		{SlidingEventTimeWindows(10*ms, 3*ms), 0, []Window{w(0, 10), w(-3, 7), w(-6, 4), w(-9, 1)}},
		{SlidingEventTimeWindows(10*ms, 5*ms).WithOffset(2 * ms), 3, []Window{w(2, 12), w(-3, 7)}},
		{SlidingEventTimeWindows(10*ms, 5*ms).WithOffset(-2 * ms), 3, []Window{w(3, 13), w(-2, 8)}},
		{SlidingEventTimeWindows(5*ms, 10*ms), 3, []Window{w(0, 5)}},
		{SlidingEventTimeWindows(5*ms, 10*ms), 7, nil}, // between windows
		{SlidingProcessingTimeWindows(10*ms, 5*ms), 12, []Window{w(10, 20), w(5, 15)}},

		{EventTimeSessionWindows(10 * ms), 5, []Window{w(5, 15)}},
		{EventTimeSessionWindows(10 * ms), -5, []Window{w(-5, 5)}},
		{ProcessingTimeSessionWindows(10 * ms), 5, []Window{w(5, 15)}},
		{GlobalWindows(), 5, []Window{GlobalWindow()}},
		{GlobalWindows(), math.MinInt64, []Window{GlobalWindow()}},
	} {
		got, err := tc.a.appendWindows(nil, tc.ts)
		require.NoError(t, err, "%v at %d", tc.a, tc.ts)
		assert.Equal(t, tc.want, got, "%v at %d", tc.a, tc.ts)
		for _, win := range got {
			assert.True(t, win.Start <= tc.ts && tc.ts < win.End || win.IsGlobal(), "%v holds %d", win, tc.ts)
		}
	}
}

// TestWindowAssignmentCounts: over a range of timestamps, negative ones
// included, a sliding assigner gives every timestamp size/slide windows,
// each holding it, with distinct starts aligned to the slide; a tumbling one
// gives one; and the dst slice is reused.
//
// Mutants: the sliding loop starting one slide late (counts fail); the
// tumbling start without the negative correction (the holds check fails).
// Each fails this test.
func TestWindowAssignmentCounts(t *testing.T) {
	const ms = time.Millisecond
	for _, tc := range []struct {
		a     WindowAssigner
		count int
		align int64
		off   int64
	}{
		{SlidingEventTimeWindows(12*ms, 4*ms), 3, 4, 0},
		{SlidingEventTimeWindows(12*ms, 4*ms).WithOffset(-1 * ms), 3, 4, -1},
		{SlidingEventTimeWindows(10*ms, 1*ms), 10, 1, 0},
		{TumblingEventTimeWindows(7 * ms).WithOffset(2 * ms), 1, 7, 2},
	} {
		dst := make([]Window, 0, 16)
		for ts := int64(-50); ts <= 50; ts++ {
			got, err := tc.a.appendWindows(dst[:0], ts)
			require.NoError(t, err)
			require.Len(t, got, tc.count, "%v at %d", tc.a, ts)
			assert.Same(t, &dst[:1][0], &got[0], "dst reused")
			for i, win := range got {
				assert.True(t, win.Start <= ts && ts < win.End, "%v at %d: %v", tc.a, ts, win)
				assert.Zero(t, ((win.Start-tc.off)%tc.align+tc.align)%tc.align, "%v aligned", win)
				if i > 0 {
					assert.Equal(t, got[i-1].Start-tc.align, win.Start)
				}
			}
		}
	}
}

// TestWindowAssignmentRange: math.MinInt64 (no timestamp) is refused by
// event-time assigners, and timestamps whose windows do not fit in int64
// are refused rather than wrapped; timestamps at the edges whose windows
// fit are assigned.
//
// Mutants: dropping the MinInt64 check (the no-timestamp case gets a
// window); dropping the end overflow check of tumbling windows (a wrapped
// window is returned). Each fails this test.
func TestWindowAssignmentRange(t *testing.T) {
	const ms = time.Millisecond
	for _, tc := range []struct {
		a  WindowAssigner
		ts int64
	}{
		{TumblingEventTimeWindows(10 * ms), math.MinInt64},
		{EventTimeSessionWindows(10 * ms), math.MinInt64},
		{TumblingEventTimeWindows(10 * ms), math.MaxInt64},
		{TumblingEventTimeWindows(10 * ms), math.MinInt64 + 1},
		{SlidingEventTimeWindows(10*ms, 5*ms), math.MaxInt64 - 3},
		{SlidingEventTimeWindows(10*ms, 5*ms), math.MinInt64 + 3},
		{EventTimeSessionWindows(10 * ms), math.MaxInt64 - 5},
		{TumblingProcessingTimeWindows(10 * ms), math.MaxInt64},
	} {
		got, err := tc.a.appendWindows(nil, tc.ts)
		assert.ErrorIs(t, err, ErrWindowTimestamp, "%v at %d: %v", tc.a, tc.ts, got)
		assert.Empty(t, got)
	}
	// math.MinInt64 is divisible by 8: its tumbling window of 8 ms fits.
	got, err := TumblingProcessingTimeWindows(8*ms).appendWindows(nil, math.MinInt64)
	require.NoError(t, err)
	assert.Equal(t, []Window{{Start: math.MinInt64, End: math.MinInt64 + 8}}, got)
	got, err = EventTimeSessionWindows(10*ms).appendWindows(nil, math.MaxInt64-10)
	require.NoError(t, err)
	assert.Equal(t, []Window{{Start: math.MaxInt64 - 10, End: math.MaxInt64}}, got)
}

// TestWindowAssignerInvalid: sizes, slides and gaps that are not positive
// whole milliseconds, offsets not shorter than the size (tumbling) or the
// slide (sliding), offsets on assigners without one, and the zero value
// all carry an error wrapping ErrInvalidConfig, which appendWindows
// returns; valid assigners carry none.
//
// Mutants: checkWindowDuration accepting zero (the zero cases fail);
// WithOffset comparing with the size for sliding windows (the 5ms-slide
// case fails); WithOffset accepting -period (fails). Each fails this test.
func TestWindowAssignerInvalid(t *testing.T) {
	const ms = time.Millisecond
	for _, a := range []WindowAssigner{
		{},
		TumblingEventTimeWindows(0),
		TumblingEventTimeWindows(-10 * ms),
		TumblingProcessingTimeWindows(1500 * time.Microsecond),
		TumblingEventTimeWindows(10 * ms).WithOffset(10 * ms),
		TumblingEventTimeWindows(10 * ms).WithOffset(-10 * ms),
		TumblingEventTimeWindows(10 * ms).WithOffset(time.Microsecond),
		TumblingEventTimeWindows(0).WithOffset(time.Millisecond),
		SlidingEventTimeWindows(10*ms, 0),
		SlidingEventTimeWindows(0, 5*ms),
		SlidingProcessingTimeWindows(10*ms, -5*ms),
		SlidingEventTimeWindows(10*ms, 5*ms).WithOffset(5 * ms),
		SlidingEventTimeWindows(10*ms, 5*ms).WithOffset(-7 * ms),
		EventTimeSessionWindows(0),
		ProcessingTimeSessionWindows(time.Nanosecond),
		EventTimeSessionWindows(10 * ms).WithOffset(ms),
		GlobalWindows().WithOffset(ms),
	} {
		err := a.validate()
		assert.ErrorIs(t, err, ErrInvalidConfig, "%v", a)
		_, err2 := a.appendWindows(nil, 0)
		assert.Equal(t, err, err2, "%v", a)
	}
	for _, a := range []WindowAssigner{
		TumblingEventTimeWindows(ms),
		TumblingEventTimeWindows(10 * ms).WithOffset(9 * ms),
		TumblingEventTimeWindows(10 * ms).WithOffset(-9 * ms),
		SlidingEventTimeWindows(10*ms, 5*ms).WithOffset(4 * ms),
		SlidingEventTimeWindows(5*ms, 10*ms),
		EventTimeSessionWindows(ms),
		GlobalWindows(),
	} {
		assert.NoError(t, a.validate(), "%v", a)
	}
	err := SlidingEventTimeWindows(10*ms, 5*ms).WithOffset(5 * ms).validate()
	assert.ErrorContains(t, err, "offset 5ms is not shorter than 5ms")
	assert.ErrorContains(t, TumblingEventTimeWindows(0).validate(), "size 0s is not a positive whole number of milliseconds")
}

// TestWindowAssignerKinds: String, isEventTime and isMerging of each
// assigner.
//
// Mutants: isMerging true for sliding windows; processing-time tumbling
// marked event time. Each fails this test.
func TestWindowAssignerKinds(t *testing.T) {
	for _, tc := range []struct {
		a                  WindowAssigner
		str                string
		eventTime, merging bool
	}{
		{TumblingEventTimeWindows(time.Hour).WithOffset(15 * time.Minute), "TumblingEventTimeWindows(1h0m0s).WithOffset(15m0s)", true, false},
		{TumblingProcessingTimeWindows(time.Second), "TumblingProcessingTimeWindows(1s)", false, false},
		{SlidingEventTimeWindows(10*time.Second, 5*time.Second), "SlidingEventTimeWindows(10s, 5s)", true, false},
		{SlidingProcessingTimeWindows(10*time.Second, 5*time.Second).WithOffset(-time.Second), "SlidingProcessingTimeWindows(10s, 5s).WithOffset(-1s)", false, false},
		{EventTimeSessionWindows(500 * time.Millisecond), "EventTimeSessionWindows(500ms)", true, true},
		{ProcessingTimeSessionWindows(time.Minute), "ProcessingTimeSessionWindows(1m0s)", false, true},
		{GlobalWindows(), "GlobalWindows()", false, false},
		{WindowAssigner{}, "WindowAssigner(zero value)", false, false},
	} {
		assert.Equal(t, tc.str, tc.a.String())
		assert.Equal(t, tc.eventTime, tc.a.isEventTime(), tc.str)
		assert.Equal(t, tc.merging, tc.a.isMerging(), tc.str)
	}
}
