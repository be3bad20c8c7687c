package flinksim_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flinksim/go-flinksim/flinksim"
)

// TestCoMapBothInputs: every record of both inputs, of different types,
// is mapped by its input's function.
//
// Mutants: the second input's batches handed to the first function (the
// job fails on the batch type); Input 1 not set on the second stream's
// edges (same).
func TestCoMapBothInputs(t *testing.T) {
	for _, p := range []int{1, 3} {
		runCollect(t, []flinksim.Option{flinksim.WithParallelism(p)}, func(env *flinksim.Environment) *flinksim.CollectSink[string] {
			nums := flinksim.FromSlice(env, "nums", seq(0, 50))
			words := flinksim.FromSlice(env, "words", []string{"a", "b", "c"})
			out := flinksim.CoMap(flinksim.Connect(nums, words), "comap",
				func(n int) (string, error) { return fmt.Sprint("n", n), nil },
				func(w string) (string, error) { return "w" + w, nil })
			return flinksim.Collect(out, "sink")
		}, func(t *testing.T, out *flinksim.CollectSink[string]) {
			want := append(mapSlice(seq(0, 50), func(n int) string { return fmt.Sprint("n", n) }), "wa", "wb", "wc")
			assertSameMultiset(t, want, out.Values())
		})
	}
}

type profile struct {
	Key  string
	Name string
}

type payment struct {
	Key    string
	Amount int
}

// enrich joins payments with their key's profile: payments that come
// before the profile wait in keyed state; at the end of input (the final
// watermark fires the timer) every key reports what is still waiting.
type enrich struct {
	name    flinksim.ValueState[string]
	waiting flinksim.ListState[int]
}

func (e *enrich) ProcessElement1(ctx *flinksim.KeyedContext[string], p profile, out flinksim.Collector[string]) error {
	e.name.Update(p.Name)
	for _, a := range e.waiting.Get() {
		out.Collect(fmt.Sprintf("%s:%d", p.Name, a))
	}
	e.waiting.Clear()
	return nil
}

func (e *enrich) ProcessElement2(ctx *flinksim.KeyedContext[string], p payment, out flinksim.Collector[string]) error {
	if n, ok := e.name.Value(); ok {
		out.Collect(fmt.Sprintf("%s:%d", n, p.Amount))
		return nil
	}
	e.waiting.Add(p.Amount)
	ctx.TimerService().RegisterEventTimeTimer(math.MaxInt64)
	return nil
}

func (e *enrich) OnTimer(ctx *flinksim.OnTimerContext[string], ts int64, out flinksim.Collector[string]) error {
	if w := e.waiting.Get(); len(w) > 0 {
		out.Collect(fmt.Sprintf("%s unmatched %v", ctx.Key(), w))
	}
	return nil
}

// TestKeyedCoProcessSharesKeyedState: the two inputs of a keyed
// co-process function share their key's state and timers, at any
// parallelism.
//
// Mutants: the second input's records processed with the first input's
// key group (state of another key read: outputs change); the timers of
// the co-process operator not fired on the final watermark (the
// unmatched line is missing).
func TestKeyedCoProcessSharesKeyedState(t *testing.T) {
	var profiles []profile
	var payments []payment
	var want []string
	for k := range 20 {
		key := fmt.Sprint("k", k)
		if k%5 != 0 {
			profiles = append(profiles, profile{key, "name" + key})
		}
		for a := range 3 {
			payments = append(payments, payment{key, k*10 + a})
			if k%5 != 0 {
				want = append(want, fmt.Sprintf("name%s:%d", key, k*10+a))
			}
		}
		if k%5 == 0 {
			want = append(want, fmt.Sprintf("%s unmatched [%d %d %d]", key, k*10, k*10+1, k*10+2))
		}
	}
	for _, p := range []int{1, 2, 4} {
		runCollect(t, []flinksim.Option{flinksim.WithParallelism(p)}, func(env *flinksim.Environment) *flinksim.CollectSink[string] {
			ps := flinksim.KeyBy(flinksim.FromSlice(env, "profiles", profiles), func(p profile) string { return p.Key })
			pays := flinksim.KeyBy(flinksim.FromSlice(env, "payments", payments), func(p payment) string { return p.Key })
			out := flinksim.KeyedCoProcess(flinksim.ConnectKeyed(ps, pays), "enrich",
				func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedCoProcessFunction[string, profile, payment, string], error) {
					return &enrich{name: flinksim.NewValueState[string](rt, "name"), waiting: flinksim.NewListState[int](rt, "waiting")}, nil
				})
			return flinksim.Collect(out, "sink")
		}, func(t *testing.T, out *flinksim.CollectSink[string]) {
			got := out.Values()
			// A payment matched before or after its profile gives the same
			// line; an unmatched key lists its payments in arrival order,
			// which the source order fixes.
			assertSameMultiset(t, want, got)
		})
	}
}

// rulesFn keeps the broadcast rules; for every record it registers a timer
// at the end of input, at which each key reports the rules its subtask
// holds, so the test sees every subtask's copy.
type rulesFn struct {
	rules flinksim.BroadcastState[string, int]
	rt    *flinksim.KeyedRuntimeContext[int]
}

func (f *rulesFn) ProcessElement(ctx *flinksim.KeyedContext[int], v int, out flinksim.Collector[string]) error {
	ctx.TimerService().RegisterEventTimeTimer(math.MaxInt64)
	return nil
}

func (f *rulesFn) ProcessBroadcastElement(ctx *flinksim.KeyedBroadcastContext[int], rule string, out flinksim.Collector[string]) error {
	name, _, _ := strings.Cut(rule, "=")
	var n int
	fmt.Sscan(strings.TrimPrefix(rule, name+"="), &n)
	f.rules.Put(name, n)
	return nil
}

func (f *rulesFn) OnTimer(ctx *flinksim.OnTimerContext[int], ts int64, out flinksim.Collector[string]) error {
	var rs []string
	for k, v := range f.rules.All() {
		rs = append(rs, fmt.Sprintf("%s=%d", k, v))
	}
	slices.Sort(rs)
	out.Collect(fmt.Sprintf("subtask %d: %s", f.rt.Subtask(), strings.Join(rs, ",")))
	return nil
}

// TestKeyedBroadcastStateIdentical: every subtask holds every broadcast
// rule, at any parallelism, and a change from ProcessElement is refused.
//
// Mutants: the broadcast input's edges not broadcast (subtasks miss
// rules); broadcast state writable from ProcessElement (no error).
func TestKeyedBroadcastStateIdentical(t *testing.T) {
	rules := []string{"a=1", "b=2", "c=3", "a=4"}
	for _, p := range []int{1, 3} {
		runCollect(t, []flinksim.Option{flinksim.WithParallelism(p)}, func(env *flinksim.Environment) *flinksim.CollectSink[string] {
			keys := flinksim.KeyBy(flinksim.FromSlice(env, "keys", seq(0, 64)), func(v int) int { return v })
			rs := flinksim.FromSlice(env, "rules", rules, flinksim.Parallelism(1))
			// The keyed input waits for every rule: its records' timers fire
			// only at the end, after the rules input ended too.
			out := flinksim.ProcessKeyedBroadcast(flinksim.ConnectKeyedBroadcast(keys, rs), "apply",
				func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedBroadcastProcessFunction[int, int, string, string], error) {
					return &rulesFn{rules: flinksim.NewBroadcastState[string, int](rt, "rules"), rt: rt}, nil
				})
			return flinksim.Collect(out, "sink")
		}, func(t *testing.T, out *flinksim.CollectSink[string]) {
			got := out.Values()
			assert.Len(t, got, 64)
			for _, line := range got {
				_, rs, _ := strings.Cut(line, ": ")
				assert.Equal(t, "a=4,b=2,c=3", rs, line)
			}
		})
	}
}
