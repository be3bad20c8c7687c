package flinksim_test

import (
	"fmt"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// Session windows that touch merge: [0, 10) and [10, 20) intersect, and
// their cover is the merged session.
func ExampleWindow_Intersects() {
	a, b := flinksim.Window{Start: 0, End: 10}, flinksim.Window{Start: 10, End: 20}
	fmt.Println(a.Intersects(b), a.Cover(b), a.Cover(b).MaxTimestamp())
	fmt.Println(flinksim.GlobalWindow(), flinksim.GlobalWindow().IsGlobal())
	// Output:
	// true [0, 20) 19
	// GlobalWindow true
}

// An assigner describes itself as the call that made it.
func ExampleWindowAssigner() {
	fmt.Println(flinksim.TumblingEventTimeWindows(time.Hour).WithOffset(15 * time.Minute))
	fmt.Println(flinksim.SlidingEventTimeWindows(10*time.Second, 5*time.Second))
	fmt.Println(flinksim.EventTimeSessionWindows(30 * time.Second))
	// Output:
	// TumblingEventTimeWindows(1h0m0s).WithOffset(15m0s)
	// SlidingEventTimeWindows(10s, 5s)
	// EventTimeSessionWindows(30s)
}
