package flinksim_test

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// rulesSignal is rulesFn that also says, once per subtask, when its
// subtask holds want rules.
type rulesSignal struct {
	rulesFn
	want int
	sent bool
	held chan<- int
}

func (f *rulesSignal) ProcessBroadcastElement(ctx *flinksim.KeyedBroadcastContext[int], rule string, out flinksim.Collector[string]) error {
	if err := f.rulesFn.ProcessBroadcastElement(ctx, rule, out); err != nil {
		return err
	}
	if f.rules.Len() == f.want && !f.sent {
		f.sent = true
		f.held <- f.rt.Subtask()
	}
	return nil
}

// TestBroadcastStateRestoresToEverySubtask: broadcast state taken by a
// stop-with-savepoint at parallelism 2 is in the savepoint once, and every
// subtask of the job restored at parallelism 3 (and 1) starts with all of
// it, though no rule is broadcast again.
//
// Mutants: every subtask snapshotting its copy and restore taking old
// subtask i mod p (passes — the copies are equal — but the savepoint holds
// 2 copies: the size check fails); subtask 0's copy given only to new
// subtask 0 (the other subtasks have no rules).
func TestBroadcastStateRestoresToEverySubtask(t *testing.T) {
	rules := []string{"alpha-rule=1", "b=2", "c=3"}
	for _, to := range []int{3, 1} {
		t.Run(fmt.Sprint("to ", to), func(t *testing.T) {
			store, _ := cpMemStore(t)
			held := make(chan int, 2)
			env := flinksim.NewEnvironment(flinksim.WithParallelism(2),
				flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}))
			live := make(chan int)
			keys := flinksim.KeyBy(flinksim.FromChan(env, "live-keys", live), func(v int) int { return v })
			rs := flinksim.FromSlice(env, "rules", rules, flinksim.Parallelism(1))
			flinksim.Collect(flinksim.ProcessKeyedBroadcast(flinksim.ConnectKeyedBroadcast(keys, rs), "apply",
				func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedBroadcastProcessFunction[int, int, string, string], error) {
					return &rulesSignal{rulesFn: rulesFn{rules: flinksim.NewBroadcastState[string, int](rt, "rules"), rt: rt}, want: len(rules), held: held}, nil
				}), "sink")
			job := startJob(t, env)
			<-held
			<-held
			sp, err := job.StopWithSavepoint(cpDeadline(t), "sp", false)
			require.NoError(t, err)
			require.NoError(t, job.Wait(cpDeadline(t)))
			r, err := store.Open(sp.Ref)
			require.NoError(t, err)
			copies := 0
			for _, f := range r.Manifest().Files {
				b, err := r.ReadFile(f.Name)
				require.NoError(t, err)
				copies += bytes.Count(b, []byte("alpha-rule"))
			}
			assert.Equal(t, 1, copies, "the broadcast state is in the savepoint once")

			env2 := cpRestoredEnv(store, sp.Ref, to, true)
			keys2 := flinksim.KeyBy(flinksim.FromSlice(env2, "keys", seq(0, 64)), func(v int) int { return v })
			rs2 := flinksim.FromSlice(env2, "rules", []string{}, flinksim.Parallelism(1))
			out := flinksim.Collect(flinksim.ProcessKeyedBroadcast(flinksim.ConnectKeyedBroadcast(keys2, rs2), "apply",
				func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedBroadcastProcessFunction[int, int, string, string], error) {
					return &rulesFn{rules: flinksim.NewBroadcastState[string, int](rt, "rules"), rt: rt}, nil
				}), "sink")
			_, err = env2.Execute(t.Context(), "restored")
			require.NoError(t, err)
			got := out.Values()
			require.Len(t, got, 64)
			subtasks := map[string]bool{}
			for _, line := range got {
				sub, rs, _ := strings.Cut(line, ": ")
				subtasks[sub] = true
				assert.Equal(t, "alpha-rule=1,b=2,c=3", rs, line)
			}
			assert.Len(t, subtasks, to, "every subtask reported")
		})
	}
}

// filterByRules passes the numbers whose rule (their value mod 3) the
// broadcast stream enabled; with put it also tries to change the rules
// from ProcessElement, which must fail the job.
type filterByRules struct {
	enabled flinksim.BroadcastState[int, bool]
	put     bool
}

func (f *filterByRules) ProcessElement(ctx *flinksim.ProcessContext, v int, out flinksim.Collector[int]) error {
	if f.put {
		f.enabled.Put(v%3, true)
	}
	if on, _ := f.enabled.Get(v % 3); on {
		out.Collect(v)
	}
	return nil
}

func (f *filterByRules) ProcessBroadcastElement(ctx *flinksim.ProcessContext, rule int, out flinksim.Collector[int]) error {
	f.enabled.Put(rule, true)
	return nil
}

// TestBroadcastStateReadOnlyOutsideBroadcast: broadcast state changed in
// ProcessElement fails the job with ErrBroadcastReadOnly, for keyed and
// non-keyed broadcast functions; changed in ProcessBroadcastElement it is
// read by ProcessElement.
//
// Mutants: the state writable while a non-broadcast batch is processed
// (no error); never writable (the broadcast records fail the job).
func TestBroadcastStateReadOnlyOutsideBroadcast(t *testing.T) {
	build := func(env *flinksim.Environment, put bool) *flinksim.CollectSink[int] {
		nums := flinksim.FromSlice(env, "nums", seq(0, 30))
		rules := flinksim.FromSlice(env, "rules", []int{0, 1, 2}, flinksim.Parallelism(1))
		return flinksim.Collect(flinksim.ProcessBroadcast(flinksim.ConnectBroadcast(nums, rules), "filter",
			func(rt *flinksim.RuntimeContext) (flinksim.BroadcastProcessFunction[int, int, int], error) {
				return &filterByRules{enabled: flinksim.NewBroadcastState[int, bool](rt, "enabled"), put: put}, nil
			}), "sink")
	}
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(2))
		out := build(env, false)
		_, err := env.Execute(t.Context(), "rules")
		require.NoError(t, err)
		// Which numbers pass depends on when the rules arrive; none passes
		// without a rule.
		for _, v := range out.Values() {
			assert.Contains(t, []int{0, 1, 2}, v%3)
		}

		env = ex.newEnv(flinksim.WithParallelism(2))
		build(env, true)
		_, err = env.Execute(t.Context(), "writes")
		require.ErrorIs(t, err, flinksim.ErrBroadcastReadOnly)
	})
}

// TestCoProcessSeesBothInputs: a non-keyed co-process function gets each
// input's records with their timestamps.
func TestCoProcessSeesBothInputs(t *testing.T) {
	runCollect(t, []flinksim.Option{flinksim.WithParallelism(2)}, func(env *flinksim.Environment) *flinksim.CollectSink[string] {
		a := flinksim.FromSlice(env, "a", seq(0, 10))
		b := flinksim.FromSlice(env, "b", []string{"x", "y"})
		return flinksim.Collect(flinksim.CoProcess(flinksim.Connect(a, b), "co",
			func(rt *flinksim.RuntimeContext) (flinksim.CoProcessFunction[int, string, string], error) {
				return coFn{}, nil
			}), "sink")
	}, func(t *testing.T, out *flinksim.CollectSink[string]) {
		assertSameMultiset(t, append(mapSlice(seq(0, 10), func(v int) string { return fmt.Sprint("1:", v) }), "2:x", "2:y"), out.Values())
	})
}

type coFn struct{}

func (coFn) ProcessElement1(_ *flinksim.ProcessContext, a int, out flinksim.Collector[string]) error {
	out.Collect(fmt.Sprint("1:", a))
	return nil
}

func (coFn) ProcessElement2(_ *flinksim.ProcessContext, b string, out flinksim.Collector[string]) error {
	out.Collect("2:" + b)
	return nil
}

// TestKeyedBroadcastStateAfterFailure: a subtask that fails after the rules
// were broadcast and checkpointed comes back, with every other subtask,
// from the checkpoint's single copy of the broadcast state: the rules are
// not broadcast again, yet every subtask holds them all.
//
// Mutants: subtask 0's copy restored to new subtask 0 only (the others
// have no rules after the restart); the broadcast state left out of the
// snapshot (no subtask has rules after the restart).
func TestKeyedBroadcastStateAfterFailure(t *testing.T) {
	rules := []string{"a=1", "b=2", "c=3"}
	for _, seed := range []uint64{1, 2, 3} {
		store, _ := cpMemStore(t)
		env := flinksim.NewEnvironment(flinksim.WithParallelism(3), flinksim.WithSimulation(seed, nil), flinksim.WithBatchSize(16),
			flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store, Interval: 5 * time.Millisecond}),
			flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(1, 0)),
			flinksim.WithFaults(flinksim.NewFaultInjector(flinksim.Fault{Operator: "apply", Subtask: 1, Point: flinksim.FaultRecord, After: 600})))
		keys := flinksim.KeyBy(flinksim.FromSlice(env, "keys", seq(0, 3000)), func(v int) int { return v % 64 })
		rs := flinksim.FromSlice(env, "rules", rules, flinksim.Parallelism(1))
		out := flinksim.Collect(flinksim.ProcessKeyedBroadcast(flinksim.ConnectKeyedBroadcast(keys, rs), "apply",
			func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedBroadcastProcessFunction[int, int, string, string], error) {
				return &rulesFn{rules: flinksim.NewBroadcastState[string, int](rt, "rules"), rt: rt}, nil
			}), "sink")
		res, err := env.Execute(t.Context(), "rules")
		require.NoError(t, err)
		require.EqualValues(t, 1, res.Restarts, "seed %d: the fault should strike once", seed)
		got := out.Values()
		require.Len(t, got, 64, "seed %d", seed)
		for _, line := range got {
			_, rs, _ := strings.Cut(line, ": ")
			assert.Equal(t, "a=1,b=2,c=3", rs, "seed %d: %s", seed, line)
		}
	}
}

// resetter counts records per key; a broadcast "reset" clears every key's
// count through ApplyToKeyedState, and a broadcast "touch" uses keyed state
// outside it, which must fail: a broadcast record has no key.
type resetter struct {
	n flinksim.ValueState[int]
}

func (r *resetter) ProcessElement(ctx *flinksim.KeyedContext[int], v int, out flinksim.Collector[string]) error {
	c, _ := r.n.Value()
	r.n.Update(c + 1)
	ctx.TimerService().RegisterEventTimeTimer(math.MaxInt64)
	return nil
}

func (r *resetter) ProcessBroadcastElement(ctx *flinksim.KeyedBroadcastContext[int], cmd string, out flinksim.Collector[string]) error {
	if cmd == "touch" {
		r.n.Value()
		return nil
	}
	return ctx.ApplyToKeyedState(func(int) error {
		r.n.Clear()
		return nil
	})
}

func (r *resetter) OnTimer(ctx *flinksim.OnTimerContext[int], _ int64, out flinksim.Collector[string]) error {
	c, _ := r.n.Value()
	out.Collect(fmt.Sprintf("%d:%d", ctx.Key(), c))
	return nil
}

// TestApplyToKeyedState: ApplyToKeyedState reaches every key's state from
// a broadcast record, and keyed state used outside it there fails the job
// with ErrNoKey instead of reading the last record's key.
//
// Mutants: the current key not cleared before ProcessBroadcastElement (the
// "touch" reads the last key's state: no error).
func TestApplyToKeyedState(t *testing.T) {
	build := func(env *flinksim.Environment, cmds []string) *flinksim.CollectSink[string] {
		keys := flinksim.KeyBy(flinksim.FromSlice(env, "keys", seq(0, 20)), func(v int) int { return v % 4 })
		ctl := flinksim.FromSlice(env, "control", cmds, flinksim.Parallelism(1))
		return flinksim.Collect(flinksim.ProcessKeyedBroadcast(flinksim.ConnectKeyedBroadcast(keys, ctl), "count",
			func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedBroadcastProcessFunction[int, int, string, string], error) {
				return &resetter{n: flinksim.NewValueState[int](rt, "n")}, nil
			}), "sink")
	}
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(2))
		out := build(env, []string{"reset"})
		_, err := env.Execute(t.Context(), "reset")
		require.NoError(t, err)
		// Each key counted 5 records; a reset that came in between cleared
		// what it had then, so every count is between 0 and 5.
		require.Len(t, out.Values(), 4)
		for _, line := range out.Values() {
			var k, c int
			fmt.Sscanf(line, "%d:%d", &k, &c)
			assert.True(t, c >= 0 && c <= 5, line)
		}

		env = ex.newEnv(flinksim.WithParallelism(2))
		build(env, []string{"touch"})
		_, err = env.Execute(t.Context(), "touch")
		require.ErrorIs(t, err, flinksim.ErrNoKey)
	})
}
