package engine

import "testing"

// TestReactivatedInputIsUnaligned: an input that comes back from idle
// behind the task's watermark does not hold it back until it catches up,
// as Flink's StatusWatermarkValve; once caught up it counts again.
//
// Mutants: the unaligned flag never set (the watermark stays at 100); never
// cleared (the input no longer holds the watermark back at the end).
func TestReactivatedInputIsUnaligned(t *testing.T) {
	h := &scenarioHarness{t: t}
	h.build("exactly-once", 2)
	wm := func(i int, w int64) {
		h.task.gate.push(i, Event{Kind: EventBatch, Batch: &Batch[int]{}, Marks: []Mark{{At: 0, Watermark: w}}, Input: i})
		for h.step() {
		}
	}
	status := func(i int, idle bool) {
		h.task.gate.push(i, Event{Kind: EventStatus, Idle: idle, Input: i})
		for h.step() {
		}
	}
	want := func(w int64) {
		t.Helper()
		if got := h.task.inputWatermark; got != w {
			t.Fatalf("watermark %d, want %d", got, w)
		}
	}
	wm(0, 5)
	wm(1, 5)
	want(5)
	status(1, true)
	wm(0, 100)
	want(100)
	status(1, false) // back at 5, behind 100: unaligned
	wm(0, 200)
	want(200)
	wm(1, 250) // caught up: aligned, and the minimum again
	want(200)
	wm(0, 300)
	want(250)
}
