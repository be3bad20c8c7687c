package usertest

import (
	"errors"
	"testing"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/flinksimtest"
)

// What a user testing one function relies on, through the public API
// only: the harness of package flinksimtest runs a keyed function with its
// state and timers, and a non-keyed one with its operator state, as the
// package documentation describes.

// dedup passes the first event of each ID and drops repeats for ten
// seconds of processing time.
type dedup struct {
	seen flinksim.ValueState[bool]
}

type event struct {
	ID   string
	Body string
}

func (d dedup) ProcessElement(ctx *flinksim.KeyedContext[string], e event, out flinksim.Collector[event]) error {
	if _, ok := d.seen.Value(); ok {
		return nil
	}
	d.seen.Update(true)
	ctx.TimerService().RegisterProcessingTimeTimer(ctx.TimerService().CurrentProcessingTime() + 10_000)
	out.Collect(e)
	return nil
}

func (d dedup) OnTimer(*flinksim.OnTimerContext[string], int64, flinksim.Collector[event]) error {
	d.seen.Clear()
	return nil
}

func openDedup(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, event, event], error) {
	return dedup{seen: flinksim.NewValueState[bool](rt, "seen")}, nil
}

func TestHarnessDedupForgetsAfterTenSeconds(t *testing.T) {
	h, err := flinksimtest.NewKeyedHarness(func(e event) string { return e.ID }, openDedup)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	for _, e := range []event{{"1", "a"}, {"1", "b"}, {"2", "c"}} {
		if err := h.ProcessElement(e, flinksim.NoTimestamp); err != nil {
			t.Fatal(err)
		}
	}
	if got := h.ProcessingTimeTimers(); len(got) != 2 || got[0].Time != 10_000 {
		t.Fatalf("timers %v, want one per ID at 10000", got)
	}
	snap, err := h.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.SetProcessingTime(10_000); err != nil {
		t.Fatal(err)
	}
	if err := h.ProcessElement(event{"1", "d"}, flinksim.NoTimestamp); err != nil {
		t.Fatal(err)
	}
	want := []event{{"1", "a"}, {"2", "c"}, {"1", "d"}}
	if got := h.Values(); !equal(got, want) {
		t.Fatalf("output %v, want %v", got, want)
	}

	// A restore of the snapshot still remembers ID 1 until its timer.
	r, err := flinksimtest.NewKeyedHarness(func(e event) string { return e.ID }, openDedup,
		flinksimtest.WithRestore(snap), flinksimtest.WithProcessingTime(5_000))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.ProcessElement(event{"1", "e"}, flinksim.NoTimestamp); err != nil {
		t.Fatal(err)
	}
	if got := r.Values(); len(got) != 0 {
		t.Fatalf("restored harness passed %v, want nothing", got)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestHarnessFunctionErrorIsReturned: an error of the function under test
// is the call's error, matched with errors.Is and errors.As.
func TestHarnessFunctionErrorIsReturned(t *testing.T) {
	errTooLong := errors.New("line too long")
	h, err := flinksimtest.NewHarness(func(rt *flinksim.RuntimeContext) (flinksim.ProcessFunction[string, int], error) {
		return flinksim.ProcessStreamFunc[string, int](func(_ *flinksim.ProcessContext, s string, out flinksim.Collector[int]) error {
			if len(s) > 3 {
				return errTooLong
			}
			out.Collect(len(s))
			return nil
		}), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if err := h.ProcessElement("abc", 1); err != nil {
		t.Fatal(err)
	}
	err = h.ProcessElement("abcd", 2)
	var oe *flinksim.OperatorError
	if !errors.Is(err, errTooLong) || !errors.As(err, &oe) {
		t.Fatalf("error %v, want the function's, as an OperatorError", err)
	}
	if got := h.Output(); len(got) != 1 || got[0].Value != 3 || got[0].Timestamp != 1 {
		t.Fatalf("output %v, want [{3 1}]", got)
	}
}
