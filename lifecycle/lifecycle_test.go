package lifecycle_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/lifecycle"
	"github.com/flinksim/go-flinksim/snapshot"
)

// TestBoundedJobReturnsToReady: a batch-style job that finishes its input
// ends, and its application goes back to READY by itself.
func TestBoundedJobReturnsToReady(t *testing.T) {
	s := newService(t, lifecycle.Options{}, newCounts())
	require.NoError(t, s.RegisterBuilder("bounded", func(env *flinksim.Environment, _ lifecycle.JobContext) error {
		n := flinksim.Generate(env, "n", 1000, func(i int64) (int64, error) { return i, nil })
		flinksim.Sink(n, "out", func(int64) error { return nil })
		return nil
	}))
	require.NoError(t, s.Code().Put("code", "bounded.zip", lifecycle.NewCodePackage("bounded", nil)))
	createApp(t, s, "batch", "bounded.zip", true, nil)
	require.Equal(t, lifecycle.OperationSuccessful, start(t, s, "batch", nil).OperationStatus)
	d, err := s.WaitForStatus(ctx(t), "batch", lifecycle.StatusReady)
	require.NoError(t, err)
	require.Nil(t, d.Job, "no job runs")
}

// TestRunningWhileSubtasksInitialize: the application is RUNNING once its
// job is deployed, while a subtask is still opening (INITIALIZING), as the
// article says.
func TestRunningWhileSubtasksInitialize(t *testing.T) {
	s := newService(t, lifecycle.Options{}, newCounts())
	opening, release := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(release) }) // before the service closes: cleanups run last first
	require.NoError(t, s.RegisterBuilder("slow-open", func(env *flinksim.Environment, _ lifecycle.JobContext) error {
		in := flinksim.FromChan(env, "in", make(chan int))
		flinksim.SinkTo(in, "slow", func(*flinksim.RuntimeContext) (flinksim.SinkWriter[int], error) {
			close(opening)
			<-release // a connection that takes a while
			return flinksim.SinkWriterFunc[int](func(int) error { return nil }), nil
		})
		return nil
	}))
	require.NoError(t, s.Code().Put("code", "slow.zip", lifecycle.NewCodePackage("slow-open", nil)))
	createApp(t, s, "app", "slow.zip", true, nil)
	require.Equal(t, lifecycle.OperationSuccessful, start(t, s, "app", nil).OperationStatus)
	<-opening
	d := describe(t, s, "app")
	require.Equal(t, lifecycle.StatusRunning, d.ApplicationStatus)
	require.NotNil(t, d.Job)
	require.Equal(t, "RUNNING", d.Job.JobStatus)
	require.Len(t, d.Job.Subtasks, 1)
	require.Equal(t, "INITIALIZING", d.Job.Subtasks[0].Status, "the subtask is still opening its sink")
}

// TestSkipRestoreStartsEmpty: SKIP_RESTORE_FROM_SNAPSHOT starts with empty
// state although a snapshot exists; RESTORE_FROM_LATEST_SNAPSHOT then goes
// on from the latest snapshot, the skip's stop.
func TestSkipRestoreStartsEmpty(t *testing.T) {
	c := newCounts()
	s := newService(t, lifecycle.Options{}, c)
	createCounting(t, s, "app", "count-v1.zip", true, 1)
	start(t, s, "app", nil)
	progress(t, s, c, "app", 2000)
	stop(t, s, "app", false)
	c.forgetFirst()
	start(t, s, "app", &lifecycle.ApplicationRestoreConfiguration{ApplicationRestoreType: lifecycle.SkipRestoreFromSnapshot})
	wait(t, c.reached(1, 1))
	i, n := c.firstOf(1)
	require.EqualValues(t, 1, n, "record %d counted from empty state", i)
	require.Less(t, i, int64(testKeys))
}

// TestStopDeletesCheckpointsKeepsSnapshots: checkpoints go with a stop;
// snapshots stay until deleted, and DeleteApplication removes everything.
//
// Mutant killed: stopWork not deleting the checkpoints.
func TestStopDeletesCheckpointsKeepsSnapshots(t *testing.T) {
	dir := t.TempDir()
	c := newCounts()
	s := newService(t, lifecycle.Options{Dir: dir}, c)
	created := createCounting(t, s, "app", "count-v1.zip", true, 1)
	start(t, s, "app", nil)
	progress(t, s, c, "app", 1000)
	wait(t, c.checkpointedPast(1, 500))
	store, err := snapshot.NewStore(snapshot.DirFS(filepath.Join(dir, "apps", "app")), snapshot.StoreOptions{})
	require.NoError(t, err)
	cps, err := store.ListCheckpoints()
	require.NoError(t, err)
	require.NotEmpty(t, cps, "checkpoints while it runs")
	stop(t, s, "app", false)
	cps, err = store.ListCheckpoints()
	require.NoError(t, err)
	require.Empty(t, cps, "the stop deleted the checkpoints")
	sps, err := store.ListSavepoints()
	require.NoError(t, err)
	require.Len(t, sps, 1, "the stop's snapshot stays")

	_, err = s.DeleteApplication(ctx(t), lifecycle.DeleteApplicationRequest{ApplicationName: "app", CreateTimestamp: created.CreateTimestamp})
	require.NoError(t, err)
	_, err = s.WaitForStatus(ctx(t), "app", lifecycle.StatusReady)
	var gone *lifecycle.ResourceNotFoundException
	require.ErrorAs(t, err, &gone)
	for _, p := range []string{filepath.Join(dir, "apps", "app"), filepath.Join(dir, "catalog", "app.app")} {
		_, err := os.Stat(p)
		require.ErrorIs(t, err, os.ErrNotExist, p)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "code"))
	require.NoError(t, err)
	require.Empty(t, entries, "no application uses the code copies any more")
}

// TestMaintenance: the service's maintenance takes a RUNNING application
// through MAINTENANCE and back, restarting its job from its latest
// checkpoint: the count goes on.
func TestMaintenance(t *testing.T) {
	c := newCounts()
	s := newService(t, lifecycle.Options{}, c)
	createCounting(t, s, "app", "count-v1.zip", true, 2)
	start(t, s, "app", nil)
	progress(t, s, c, "app", 2000)
	wait(t, c.checkpointedPast(1, 1000))
	id, err := s.Maintain(ctx(t), "app")
	require.NoError(t, err)
	_, err = s.StopApplication(ctx(t), lifecycle.StopApplicationRequest{ApplicationName: "app"})
	var inUse *lifecycle.ResourceInUseException
	require.ErrorAs(t, err, &inUse, "no stop during MAINTENANCE")
	c.forgetFirst()
	op, err := s.WaitForOperation(ctx(t), "app", id)
	require.NoError(t, err)
	require.Equal(t, lifecycle.OperationSuccessful, op.OperationStatus, "%+v", op)
	require.Equal(t, lifecycle.OpMaintenance, op.Operation)
	require.Equal(t, lifecycle.StatusRunning, describe(t, s, "app").ApplicationStatus)
	progress(t, s, c, "app", 2000)
	i, n := c.firstOf(1)
	require.Greater(t, i, int64(1000), "resumed from the checkpoint")
	require.Greater(t, n, int64(1))
	wrong, first := c.wrongOutputs()
	require.Zero(t, wrong, first)
}

// TestApplicationMetrics: the metrics of the job that runs.
func TestApplicationMetrics(t *testing.T) {
	c := newCounts()
	s := newService(t, lifecycle.Options{}, c)
	createCounting(t, s, "app", "count-v1.zip", true, 2)
	m, err := s.ApplicationMetrics(ctx(t), "app")
	require.NoError(t, err)
	require.Zero(t, m, "nothing runs")
	start(t, s, "app", nil)
	progress(t, s, c, "app", 2000)
	wait(t, c.checkpointedPast(1, 1000))
	m, err = s.ApplicationMetrics(ctx(t), "app")
	require.NoError(t, err)
	require.Positive(t, m.Uptime)
	require.Zero(t, m.Downtime)
	require.Zero(t, m.FullRestarts)
	require.Positive(t, m.NumberOfCompletedCheckpoints)
	require.Positive(t, m.LastCheckpointSize)
	require.GreaterOrEqual(t, m.NumRecordsOut, int64(2000))
	require.GreaterOrEqual(t, m.NumRecordsIn, int64(2000))
	require.Equal(t, 2, m.CurrentParallelism)
}
