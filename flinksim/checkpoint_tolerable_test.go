package flinksim_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/snapshot"
)

// cpFailingWrites is a store whose every file creation fails (a full or
// read-only disk): every checkpoint fails to be written.
func cpFailingWrites(t *testing.T) (*snapshot.Store, *snapshot.FaultyFS) {
	t.Helper()
	faults := make([]snapshot.Fault, 0, 5000)
	for n := range int64(5000) {
		faults = append(faults, snapshot.Fault{Op: snapshot.OpCreate, N: n + 1})
	}
	ffs := snapshot.NewFaultyFS(snapshot.NewMemFS(), snapshot.FailOn(faults...))
	store, err := snapshot.NewStore(ffs, snapshot.StoreOptions{})
	require.NoError(t, err)
	return store, ffs
}

// cpTolerableJob runs the running-counts job on the simulation with store,
// tolerable, and strategy, and returns the ended job and its output.
func cpTolerableJob(t *testing.T, store *snapshot.Store, tolerable int, strategy flinksim.RestartStrategy, records int64) (*flinksim.JobClient, *flinksim.TransactionalCollector[keyCount]) {
	t.Helper()
	out := flinksim.NewTransactionalCollector[keyCount]()
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithBatchSize(4), flinksim.WithSimulation(11, nil),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 2 * time.Millisecond, TolerableFailures: tolerable, Store: store}),
		flinksim.WithRestartStrategy(strategy))
	runningCounts(env, records, 13, out)
	job := startJob(t, env)
	_ = job.Wait(cpDeadline(t))
	return job, out
}

// TestTolerableCheckpointFailures: with TolerableFailures n, the job
// survives n checkpoints failing in a row and fails over at the n+1-th.
func TestTolerableCheckpointFailures(t *testing.T) {
	for _, tolerable := range []int{0, 2} {
		t.Run(fmt.Sprintf("tolerable=%d", tolerable), func(t *testing.T) {
			store, ffs := cpFailingWrites(t)
			job, out := cpTolerableJob(t, store, tolerable, flinksim.NoRestart(), 3000)
			err := job.Err()
			require.ErrorIs(t, err, flinksim.ErrTooManyCheckpointFailures)
			require.ErrorIs(t, err, snapshot.ErrInjected, "the cause is the store's failure")
			assert.Contains(t, err.Error(), fmt.Sprintf("(%d in a row)", tolerable+1))
			assert.Equal(t, flinksim.JobFailed, job.Status())
			assert.Positive(t, ffs.Count(snapshot.OpCreate))

			m := job.Checkpoints()
			assert.Zero(t, m.NumberOfCompletedCheckpoints)
			assert.Equal(t, int64(tolerable+1), m.NumberOfFailedCheckpoints, "the job survived %d failures and failed at the next", tolerable)
			require.Len(t, m.History, tolerable+1)
			for i, rec := range m.History {
				assert.Equal(t, int64(i+1), rec.ID)
				assert.Equal(t, flinksim.CheckpointFailed, rec.Status)
				assert.Empty(t, rec.Ref)
				assert.Contains(t, rec.Failure, "injected")
			}
			assert.Empty(t, out.Committed(), "no checkpoint completed: nothing may be committed")
		})
	}
}

// cpFailCheckpoints is an FS on which writing the checkpoints in fail fails.
type cpFailCheckpoints struct {
	snapshot.FS
	fail map[int64]bool
}

func (f cpFailCheckpoints) Create(name string) (snapshot.File, error) {
	for id := range f.fail {
		if strings.HasPrefix(name, fmt.Sprintf("checkpoints/chk-%020d/", id)) {
			return nil, fmt.Errorf("create %s: %w", name, snapshot.ErrInjected)
		}
	}
	return f.FS.Create(name)
}

// TestTolerableFailuresResetOnSuccess: the count is of failures in a row:
// a completed checkpoint starts it over. Past the limit, the job fails
// over, restarts from its last checkpoint and still commits every record
// exactly once.
func TestTolerableFailuresResetOnSuccess(t *testing.T) {
	t.Run("survives", func(t *testing.T) {
		fsys := cpFailCheckpoints{FS: snapshot.NewMemFS(), fail: map[int64]bool{1: true, 2: true, 4: true, 5: true, 7: true, 8: true}}
		store, err := snapshot.NewStore(fsys, snapshot.StoreOptions{})
		require.NoError(t, err)
		job, out := cpTolerableJob(t, store, 2, flinksim.NoRestart(), 3000)
		require.NoError(t, job.Err())
		m := job.Checkpoints()
		assert.Equal(t, int64(6), m.NumberOfFailedCheckpoints)
		assert.Positive(t, m.NumberOfCompletedCheckpoints)
		assert.Len(t, out.Committed(), 3000)
	})
	t.Run("fails-over", func(t *testing.T) {
		fsys := cpFailCheckpoints{FS: snapshot.NewMemFS(), fail: map[int64]bool{2: true, 3: true, 4: true}}
		store, err := snapshot.NewStore(fsys, snapshot.StoreOptions{})
		require.NoError(t, err)
		job, out := cpTolerableJob(t, store, 2, flinksim.FixedDelayRestart(1, 0), 3000)
		require.NoError(t, job.Err())
		assert.Equal(t, int64(1), job.Restarts(), "the third failure in a row fails the job over")
		m := job.Checkpoints()
		assert.GreaterOrEqual(t, m.NumberOfFailedCheckpoints, int64(3))
		assert.Len(t, out.Committed(), 3000)
		want := make([]keyCount, 0, 3000)
		for k := range 13 {
			for c := int64(1); c <= int64((3000-k+12)/13); c++ {
				want = append(want, keyCount{k, c})
			}
		}
		assert.Equal(t, sortedCounts(want), sortedCounts(out.Committed()))
	})
}

// TestNoCheckpointTriggeredAfterFatalFailure: once too many checkpoints
// failed and the job must fail over, the coordinator triggers no further
// checkpoint (it would only be aborted by the restart and counted failed).
func TestNoCheckpointTriggeredAfterFatalFailure(t *testing.T) {
	fsys := cpFailCheckpoints{FS: snapshot.NewMemFS(), fail: map[int64]bool{1: true, 2: true, 3: true}}
	store, err := snapshot.NewStore(fsys, snapshot.StoreOptions{})
	require.NoError(t, err)
	job, out := cpTolerableJob(t, store, 2, flinksim.FixedDelayRestart(1, 0), 120)
	require.NoError(t, job.Err())
	assert.Len(t, out.Committed(), 120)
	m := job.Checkpoints()
	require.LessOrEqual(t, m.NumberOfCompletedCheckpoints+m.NumberOfFailedCheckpoints, int64(10), "the whole history is kept")
	for _, r := range m.History {
		if r.Status == flinksim.CheckpointFailed {
			assert.Contains(t, r.Failure, "injected", "checkpoint %d failed for another reason", r.ID)
		}
	}
	assert.Equal(t, int64(3), m.NumberOfFailedCheckpoints)
}
