package flinksim_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/snapshot"
)

// opStateSeen records what each subtask of a restored sink found in its
// operator list states.
type opStateSeen struct {
	mu                 sync.Mutex
	split              []int
	union, broadcast   map[int][]string
	declareSplit, uMod bool // the second job's declarations
}

// opStateJob is 30 numbers from a non-parallel source, rebalanced into a
// sink of parallelism p whose writers keep three operator list states:
// "s" (split) the numbers they wrote, "u" (union) their own name, and
// "b" (broadcast) one value every subtask holds. seen, if set, records
// what the writers found when they opened.
func opStateJob(env *flinksim.Environment, p int, seen *opStateSeen) {
	src := flinksim.Generate(env, "nums", 30, func(i int64) (int, error) { return int(i), nil }, flinksim.Parallelism(1))
	flinksim.SinkTo(flinksim.Rebalance(src), "sink", func(rt *flinksim.RuntimeContext) (flinksim.SinkWriter[int], error) {
		uMode := flinksim.RedistributeUnion
		if seen != nil && seen.uMod {
			uMode = flinksim.RedistributeSplit
		}
		var s flinksim.OperatorListState[int]
		if seen == nil || seen.declareSplit {
			s = flinksim.NewOperatorListState[int](rt, "s", flinksim.RedistributeSplit)
		}
		u := flinksim.NewOperatorListState[string](rt, "u", uMode)
		b := flinksim.NewOperatorListState[string](rt, "b", flinksim.RedistributeBroadcast)
		if seen != nil {
			seen.mu.Lock()
			if s != nil {
				seen.split = append(seen.split, s.Get()...)
			}
			seen.union[rt.Subtask()] = slices.Clone(u.Get())
			seen.broadcast[rt.Subtask()] = slices.Clone(b.Get())
			seen.mu.Unlock()
			return flinksim.SinkWriterFunc[int](func(int) error { return nil }), nil
		}
		u.Update([]string{fmt.Sprintf("u%d", rt.Subtask())})
		b.Update([]string{"B"})
		return flinksim.SinkWriterFunc[int](func(v int) error { s.Add(v); return nil }), nil
	}, flinksim.Parallelism(p))
}

func newOpStateSeen(declareSplit bool) *opStateSeen {
	return &opStateSeen{union: map[int][]string{}, broadcast: map[int][]string{}, declareSplit: declareSplit}
}

// opStateSavepoint runs the first job at parallelism 3 and stops it with a
// savepoint once its source emitted every number.
func opStateSavepoint(t *testing.T, store *snapshot.Store) string {
	env := flinksim.NewEnvironment(flinksim.WithSimulation(4, nil),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}),
		flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "nums", After: 30, Name: "ops", Stop: true}))
	opStateJob(env, 3, nil)
	_, err := env.Execute(cpDeadline(t), "first")
	require.NoError(t, err)
	return "savepoints/ops"
}

// TestOperatorListStateRedistribution: restored at another parallelism,
// a split list is dealt out (every element to one subtask), a union list
// reaches every subtask whole, and every subtask gets a broadcast copy; a
// state restored with another mode is refused by Start; a restored list
// no operator declares survives into the next snapshot.
//
// Mutants this catches: union dealt as split (a subtask misses "u1"); an
// undeclared union list kept by every subtask (it comes back three times);
// the restored lists nobody declared dropped from snapshots (the third
// job finds no numbers); a changed mode accepted.
func TestOperatorListStateRedistribution(t *testing.T) {
	store, _ := cpMemStore(t)
	ref := opStateSavepoint(t, store)
	for _, p := range []int{1, 2, 5} {
		t.Run(fmt.Sprintf("p=%d", p), func(t *testing.T) {
			seen := newOpStateSeen(true)
			env := flinksim.NewEnvironment(flinksim.WithSimulation(5, nil), flinksim.WithRestoreFrom(ref, false),
				flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}))
			opStateJob(env, p, seen)
			_, err := env.Execute(cpDeadline(t), "restored")
			require.NoError(t, err)
			assert.ElementsMatch(t, seq(0, 30), seen.split, "split: each number once")
			for sub := range p {
				assert.ElementsMatch(t, []string{"u0", "u1", "u2"}, seen.union[sub], "union, subtask %d", sub)
				assert.Equal(t, []string{"B"}, seen.broadcast[sub], "broadcast, subtask %d", sub)
			}
		})
	}
	t.Run("mode changed", func(t *testing.T) {
		seen := newOpStateSeen(true)
		seen.uMod = true
		env := flinksim.NewEnvironment(flinksim.WithRestoreFrom(ref, false), flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}))
		opStateJob(env, 2, seen)
		_, err := env.Start(t.Context(), "mode changed")
		require.ErrorIs(t, err, flinksim.ErrIncompatibleState)
		assert.ErrorContains(t, err, `"u" was union, is declared split`)
	})
	t.Run("undeclared survives", func(t *testing.T) {
		env := flinksim.NewEnvironment(flinksim.WithSimulation(6, nil), flinksim.WithRestoreFrom(ref, false),
			flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}))
		opStateJob(env, 2, newOpStateSeen(false)) // does not declare "s"
		_, err := env.Execute(cpDeadline(t), "without s")
		require.NoError(t, err)
		latest, err := store.Latest()
		require.NoError(t, err)

		seen := newOpStateSeen(true)
		env = flinksim.NewEnvironment(flinksim.WithSimulation(7, nil), flinksim.WithRestoreFrom(latest.Manifest().Ref(), false),
			flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}))
		opStateJob(env, 3, seen)
		_, err = env.Execute(cpDeadline(t), "with s again")
		require.NoError(t, err)
		assert.ElementsMatch(t, seq(0, 30), seen.split)
	})
	t.Run("undeclared union does not multiply", func(t *testing.T) {
		// A job declaring none of the lists passes them on; the union one
		// once, not once per subtask.
		env := flinksim.NewEnvironment(flinksim.WithSimulation(8, nil), flinksim.WithRestoreFrom(ref, false),
			flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}))
		src := flinksim.Generate(env, "nums", 30, func(i int64) (int, error) { return int(i), nil }, flinksim.Parallelism(1))
		flinksim.Sink(flinksim.Rebalance(src), "sink", func(int) error { return nil }, flinksim.Parallelism(3))
		_, err := env.Execute(cpDeadline(t), "declares nothing")
		require.NoError(t, err)
		latest, err := store.Latest()
		require.NoError(t, err)

		seen := newOpStateSeen(true)
		env = flinksim.NewEnvironment(flinksim.WithSimulation(9, nil), flinksim.WithRestoreFrom(latest.Manifest().Ref(), false),
			flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}))
		opStateJob(env, 2, seen)
		_, err = env.Execute(cpDeadline(t), "declares them again")
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"u0", "u1", "u2"}, seen.union[0], "the union list, once")
		assert.ElementsMatch(t, seq(0, 30), seen.split)
	})
}
