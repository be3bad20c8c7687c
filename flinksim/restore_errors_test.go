package flinksim_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// TestRestoreAdoptsMaxParallelism: a job whose max parallelism is not set
// adopts the one its snapshot's state has, as in Flink, so a savepoint of
// parallelism 2 (max parallelism 128 by default) restores at 100, whose
// own default would be 256; a parallelism above the adopted max is refused
// by Start. (An explicit different max parallelism stays an error: see
// TestRestoreChangedMaxParallelism.)
//
// Mutant this catches: no adoption (the restore at 100 fails with "had
// max parallelism 128, now 256").
func TestRestoreAdoptsMaxParallelism(t *testing.T) {
	want := cpStraightCounts(t)
	store, _ := cpMemStore(t)
	out := flinksim.NewTransactionalCollector[keyCount]()
	sp := cpSavepointMidway(t, store, out, 2, "mp", false)

	env := cpRestoredEnv(store, sp.Ref, 100, false)
	cpKeyedCounts(env, out, false)
	res, err := env.Execute(t.Context(), "restored at 100")
	require.NoError(t, err)
	for _, m := range res.Metrics {
		if m.Operator == "count" {
			assert.Less(t, m.Subtask, 100)
		}
	}
	assert.Equal(t, cpFinalCounts(want), cpFinalCounts(out.Committed()))

	env = cpRestoredEnv(store, sp.Ref, 200, false)
	cpKeyedCounts(env, flinksim.NewTransactionalCollector[keyCount](), false)
	_, err = env.Start(t.Context(), "restored at 200")
	require.ErrorIs(t, err, flinksim.ErrRestore)
	require.ErrorIs(t, err, flinksim.ErrIncompatibleState)
	assert.ErrorContains(t, err, `has parallelism 200, above the max parallelism 128 of its state`)
}

// TestRestoreStateThatDoesNotDecode: a savepoint restored into a job whose
// ValueState changed type (int64 to bool) cannot succeed: Start returns a
// restore error, the job is not restarted, and nothing more is committed.
// Before, the operator failed to open, and the restart strategy retried
// the same restore forever.
//
// Mutants this catches: the job loop restarting attempts that failed with
// ErrIncompatibleState (the job restarts until the deadline cancels it,
// and Start returns it); Register's decode error not marked incompatible
// (the same); the sink committing its restored transactions when it opens
// rather than once every operator has (624 records committed).
func TestRestoreStateThatDoesNotDecode(t *testing.T) {
	store, _ := cpMemStore(t)
	out := flinksim.NewTransactionalCollector[keyCount]()
	sp := cpSavepointMidway(t, store, out, 2, "typed", false)
	committed := len(out.Committed())

	for _, ex := range executors(t) {
		t.Run(ex.name, func(t *testing.T) {
			env := ex.newEnv(flinksim.WithParallelism(2), flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}),
				flinksim.WithRestoreFrom(sp.Ref, false)) // the default restart strategy: restarts forever
			src := flinksim.Generate(env, "numbers", cpRestoreRecords, func(i int64) (int, error) { return int(i) % cpRestoreKeys, nil })
			flags := flinksim.Process(flinksim.KeyBy(src, func(k int) int { return k }), "count",
				func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, keyCount], error) {
					seen := flinksim.NewValueState[bool](rt, "c") // was ValueState[int64]
					return flinksim.ProcessFunc[int, int, keyCount](func(_ *flinksim.KeyedContext[int], k int, out flinksim.Collector[keyCount]) error {
						seen.Update(true)
						return nil
					}), nil
				})
			flinksim.CollectTransactional(flags, "sink", out)
			job, err := env.Start(cpDeadline(t), "retyped")
			require.ErrorIs(t, err, flinksim.ErrRestore)
			require.ErrorIs(t, err, flinksim.ErrIncompatibleState)
			assert.ErrorContains(t, err, `state "c" was value state of int64 in the snapshot, is declared value state of bool`)
			assert.Nil(t, job)
			assert.Len(t, out.Committed(), committed)
		})
	}
}

// TestRestoreIntoShorterGenerator: a snapshot of a Generate source restored
// into one with a smaller count is refused by Start; before, the restored
// splits made the source emit records past its count (a FromSlice
// indexed past its slice and panicked on every restart).
//
// Mutant this catches: AddSplits not checking the splits against count.
func TestRestoreIntoShorterGenerator(t *testing.T) {
	store, _ := cpMemStore(t)
	out := flinksim.NewTransactionalCollector[keyCount]()
	sp := cpSavepointMidway(t, store, out, 2, "long", false)

	env := cpRestoredEnv(store, sp.Ref, 2, false)
	src := flinksim.Generate(env, "numbers", 100, func(i int64) (int, error) { return int(i) % cpRestoreKeys, nil })
	flinksim.CollectTransactional(flinksim.Process(flinksim.KeyBy(src, func(k int) int { return k }), "count", cpCounter), "sink", out)
	_, err := env.Start(t.Context(), "shorter")
	require.ErrorIs(t, err, flinksim.ErrRestore)
	require.ErrorIs(t, err, flinksim.ErrIncompatibleState)
	assert.ErrorContains(t, err, "of a source of 100 records")
}

// TestRenamedOperatorKeepsStateByUID: an operator renamed in a new version
// of the job keeps its state when its UID is its old name; without the
// UID the old state has no operator to go to (ErrNonRestoredState). Two
// operators with one UID are refused.
//
// Mutants this catches: restore mapping state by name instead of UID (the
// renamed job fails with ErrNonRestoredState); checkpoints recording the
// name instead of the UID (the renamed job's checkpoint has no "count").
func TestRenamedOperatorKeepsStateByUID(t *testing.T) {
	want := cpStraightCounts(t)
	store, _ := cpMemStore(t)
	out := flinksim.NewTransactionalCollector[keyCount]()
	sp := cpSavepointMidway(t, store, out, 2, "v1", false)
	build := func(env *flinksim.Environment, opts ...flinksim.OperatorOption) {
		src := flinksim.Generate(env, "numbers", cpRestoreRecords, func(i int64) (int, error) { return int(i) % cpRestoreKeys, nil })
		counts := flinksim.Process(flinksim.KeyBy(src, func(k int) int { return k }), "count-v2", cpCounter, opts...)
		flinksim.CollectTransactional(counts, "sink", out)
	}

	env := cpRestoredEnv(store, sp.Ref, 2, false)
	build(env)
	_, err := env.Start(t.Context(), "renamed, no UID")
	require.ErrorIs(t, err, flinksim.ErrNonRestoredState)
	assert.ErrorContains(t, err, `"count"`)

	env = cpRestoredEnv(store, sp.Ref, 3, false)
	build(env, flinksim.UID("count"))
	_, err = env.Execute(t.Context(), "renamed with its old UID")
	require.NoError(t, err)
	assert.Equal(t, cpFinalCounts(want), cpFinalCounts(out.Committed()))
	latest, err := store.Latest()
	require.NoError(t, err)
	cpStateFile(t, store, latest.Manifest().Ref(), "count") // its checkpoints keep the UID

	env = flinksim.NewEnvironment()
	src := flinksim.FromSlice(env, "a", []int{1})
	flinksim.Collect(src, "b", flinksim.UID("a"))
	_, err = env.Execute(t.Context(), "duplicate UID")
	require.ErrorIs(t, err, flinksim.ErrDuplicateName)
}

// countV2 is the new type of the count state in TestRestoreRetypedState:
// its codec reads the old int64 values.
type countV2 struct{ N int64 }

type countV2Codec struct{}

func (countV2Codec) Append(dst []byte, v countV2) ([]byte, error) {
	return flinksim.CodecFor[int64]().Append(dst, v.N)
}

func (countV2Codec) Decode(b []byte) (countV2, error) {
	n, err := flinksim.CodecFor[int64]().Decode(b)
	return countV2{n}, err
}

// TestRestoreRetypedState: a state whose type changed is refused by Start
// even when the new type's codec would decode the old bytes (int64 to
// string: before, the restore succeeded with garbage strings); with a
// codec of the user's (WithCodec) the type may change, and the new job
// reads the old values.
//
// Mutant this catches: Register not comparing the snapshot's type with
// the declaration (the string state restores garbage, Start succeeds).
func TestRestoreRetypedState(t *testing.T) {
	store, _ := cpMemStore(t)
	out := flinksim.NewTransactionalCollector[keyCount]()
	sp := cpSavepointMidway(t, store, out, 2, "typed", false)
	build := func(env *flinksim.Environment, open func(rt *flinksim.KeyedRuntimeContext[int]) func(k int) int64) {
		src := flinksim.Generate(env, "numbers", cpRestoreRecords, func(i int64) (int, error) { return int(i) % cpRestoreKeys, nil })
		counts := flinksim.Process(flinksim.KeyBy(src, func(k int) int { return k }), "count",
			func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, keyCount], error) {
				next := open(rt)
				return flinksim.ProcessFunc[int, int, keyCount](func(_ *flinksim.KeyedContext[int], k int, out flinksim.Collector[keyCount]) error {
					out.Collect(keyCount{k, next(k)})
					return nil
				}), nil
			})
		flinksim.CollectTransactional(counts, "sink", out)
	}

	env := cpRestoredEnv(store, sp.Ref, 2, false)
	build(env, func(rt *flinksim.KeyedRuntimeContext[int]) func(int) int64 {
		s := flinksim.NewValueState[string](rt, "c")
		return func(int) int64 { v, _ := s.Value(); s.Update(v + "x"); return int64(len(v)) }
	})
	_, err := env.Start(t.Context(), "to string")
	require.ErrorIs(t, err, flinksim.ErrIncompatibleState)
	assert.ErrorContains(t, err, "is declared value state of string")

	want := cpStraightCounts(t)
	env = cpRestoredEnv(store, sp.Ref, 3, false)
	build(env, func(rt *flinksim.KeyedRuntimeContext[int]) func(int) int64 {
		s := flinksim.NewValueState[countV2](rt, "c", flinksim.WithCodec[countV2](countV2Codec{}))
		return func(int) int64 { v, _ := s.Value(); v.N++; s.Update(v); return v.N }
	})
	_, err = env.Execute(cpDeadline(t), "to countV2 with its codec")
	require.NoError(t, err)
	assert.Equal(t, cpFinalCounts(want), cpFinalCounts(out.Committed()))
}

// TestRestoreRekeyedState: a keyed operator whose key type changed (int
// to string) is refused by Start: before, the int keys' bytes decoded as
// strings and the counts went on under garbage keys.
//
// Mutant this catches: the restore not comparing the snapshot's key type
// (Start succeeds).
func TestRestoreRekeyedState(t *testing.T) {
	store, _ := cpMemStore(t)
	out := flinksim.NewTransactionalCollector[keyCount]()
	sp := cpSavepointMidway(t, store, out, 2, "int keys", false)
	env := cpRestoredEnv(store, sp.Ref, 2, false)
	src := flinksim.Generate(env, "numbers", cpRestoreRecords, func(i int64) (int, error) { return int(i) % cpRestoreKeys, nil })
	counts := flinksim.Process(flinksim.KeyBy(src, func(k int) string { return fmt.Sprint(k) }), "count",
		func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, int, keyCount], error) {
			c := flinksim.NewValueState[int64](rt, "c")
			return flinksim.ProcessFunc[string, int, keyCount](func(_ *flinksim.KeyedContext[string], k int, out flinksim.Collector[keyCount]) error {
				v, _ := c.Value()
				c.Update(v + 1)
				out.Collect(keyCount{k, v + 1})
				return nil
			}), nil
		})
	flinksim.CollectTransactional(counts, "sink", out)
	_, err := env.Start(t.Context(), "string keys")
	require.ErrorIs(t, err, flinksim.ErrIncompatibleState)
	assert.ErrorContains(t, err, "keys were int in the snapshot, are string")
}
