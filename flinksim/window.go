package flinksim

import (
	"math"
	"strconv"
)

// Window is the window a record was assigned to: a time window
// [Start, End) in epoch milliseconds, Flink's TimeWindow, or the global
// window, Flink's GlobalWindow, which holds every record of a key.
//
// There is one window type, so that functions over the contents of a
// window take a Window whatever the assigner. A time window is a struct
// literal, Window{Start: 0, End: 10}; the global window comes only from
// [GlobalWindow] and is told apart by [Window.IsGlobal]. Windows are
// comparable with ==, and usable as map keys.
type Window struct {
	// Start is the first millisecond of the window, inclusive; math.MinInt64
	// for the global window.
	Start int64
	// End is the first millisecond after the window, exclusive;
	// math.MaxInt64 for the global window.
	End int64

	global bool
}

// GlobalWindow returns the global window: one window holding every record,
// whose max timestamp is math.MaxInt64, so that it ends only with the input
// (the final watermark is math.MaxInt64). [GlobalWindows] assigns it.
func GlobalWindow() Window {
	return Window{Start: math.MinInt64, End: math.MaxInt64, global: true}
}

// IsGlobal reports whether w is the global window.
func (w Window) IsGlobal() bool { return w.global }

// MaxTimestamp returns the last millisecond in the window, End−1, and
// math.MaxInt64 for the global window. An event-time window fires when the
// watermark reaches it.
func (w Window) MaxTimestamp() int64 {
	if w.global {
		return math.MaxInt64
	}
	return w.End - 1
}

// Intersects reports whether w and o overlap or touch, as Flink's
// TimeWindow.intersects: [0, 10) and [10, 20) intersect, so session windows
// with those bounds merge. The global window intersects every window.
func (w Window) Intersects(o Window) bool {
	if w.global || o.global {
		return true
	}
	return w.Start <= o.End && w.End >= o.Start
}

// Cover returns the smallest window holding both w and o. Cover with the
// global window is the global window.
func (w Window) Cover(o Window) Window {
	if w.global || o.global {
		return GlobalWindow()
	}
	return Window{Start: min(w.Start, o.Start), End: max(w.End, o.End)}
}

// String returns "[Start, End)", or "GlobalWindow" for the global window.
func (w Window) String() string {
	if w.global {
		return "GlobalWindow"
	}
	return "[" + strconv.FormatInt(w.Start, 10) + ", " + strconv.FormatInt(w.End, 10) + ")"
}
