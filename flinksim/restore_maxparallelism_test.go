package flinksim_test

import (
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
