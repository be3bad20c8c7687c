package lifecycle_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/lifecycle"
	"github.com/flinksim/go-flinksim/snapshot"
)

// holdingJob is a job whose sink can hold the next checkpoint (or
// savepoint) in its flush until released, and counts its open writers.
type holdingJob struct {
	open    atomic.Int64
	mu      sync.Mutex
	armed   bool
	held    chan struct{} // closed when a flush is held
	release chan struct{}
}

func newHoldingJob() *holdingJob {
	return &holdingJob{held: make(chan struct{}), release: make(chan struct{})}
}

// arm makes the next flush wait for release.
func (h *holdingJob) arm() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.armed = true
}

func (h *holdingJob) builder() lifecycle.JobBuilder {
	return func(env *flinksim.Environment, _ lifecycle.JobContext) error {
		n := flinksim.Generate(env, "n", 1<<40, func(i int64) (int64, error) { return i, nil }, flinksim.Parallelism(1))
		flinksim.SinkTo(n, "hold", func(*flinksim.RuntimeContext) (flinksim.SinkWriter[int64], error) {
			h.open.Add(1)
			return &holdingWriter{h: h}, nil
		})
		return nil
	}
}

type holdingWriter struct{ h *holdingJob }

func (w *holdingWriter) Write(int64) error { return nil }

func (w *holdingWriter) Flush(bool) error {
	w.h.wait()
	return nil
}

// wait holds the caller until release if h is armed, once.
func (h *holdingJob) wait() {
	h.mu.Lock()
	armed := h.armed
	h.armed = false
	h.mu.Unlock()
	if armed {
		close(h.held)
		<-h.release
	}
}

func (w *holdingWriter) Close() error { w.h.open.Add(-1); return nil }

func holdingApp(t *testing.T, opts lifecycle.Options, h *holdingJob) *lifecycle.Service {
	t.Helper()
	s := newService(t, opts, newCounts())
	require.NoError(t, s.RegisterBuilder("hold", h.builder()))
	require.NoError(t, s.Code().Put("code", "hold.zip", lifecycle.NewCodePackage("hold", nil)))
	// Checkpoints only when asked for (by a stop, an update, a snapshot).
	createApp(t, s, "app", "hold.zip", true, &lifecycle.FlinkApplicationConfiguration{
		CheckpointConfiguration: &lifecycle.CheckpointConfiguration{ConfigurationType: lifecycle.ConfigurationCustom, CheckpointingEnabled: ptr(false)}})
	return s
}

// TestForcedStopDuringAnUpdatesSnapshot: a forced stop while an update
// waits for its snapshot ends the update's job — no job of the
// application outlives the stop — and a snapshot the job took is in the
// list.
//
// Mutant killed: stopTakingSnapshot returning on a cancelled context
// without cancelling the job (the stop is SUCCESSFUL while the old job
// still runs, its writer open).
func TestForcedStopDuringAnUpdatesSnapshot(t *testing.T) {
	h := newHoldingJob()
	s := holdingApp(t, lifecycle.Options{}, h)
	start(t, s, "app", nil)
	h.arm()
	_, err := s.UpdateApplication(ctx(t), lifecycle.UpdateApplicationRequest{ApplicationName: "app", CurrentApplicationVersionID: 1,
		ApplicationConfigurationUpdate: parallelismUpdate(2)})
	require.NoError(t, err)
	<-h.held // the update's stop with snapshot waits in the sink's flush
	out, err := s.StopApplication(ctx(t), lifecycle.StopApplicationRequest{ApplicationName: "app", Force: true})
	require.NoError(t, err)
	close(h.release)
	op, err := s.WaitForOperation(ctx(t), "app", out.OperationID)
	require.NoError(t, err)
	require.Equal(t, lifecycle.OperationSuccessful, op.OperationStatus)
	require.Zero(t, h.open.Load(), "no job of the application runs after the forced stop")
	d := describe(t, s, "app")
	require.Equal(t, lifecycle.StatusReady, d.ApplicationStatus)
	require.Nil(t, d.Job)
}

// TestSystemRollbackDoesNotOverrideAForcedStop: a forced stop while an
// update's new version is being built wins over the system rollback that
// the version's failure would start.
//
// Mutant killed: deployAndWatch not checking that its operation is still
// the application's (the rollback takes over and the application runs).
func TestSystemRollbackDoesNotOverrideAForcedStop(t *testing.T) {
	c := newCounts()
	s := newService(t, lifecycle.Options{}, c)
	building, fail := make(chan struct{}), make(chan struct{})
	require.NoError(t, s.RegisterBuilder("slow-fail", func(*flinksim.Environment, lifecycle.JobContext) error {
		close(building)
		<-fail
		return errors.New("this version cannot build")
	}))
	require.NoError(t, s.Code().Put("code", "slow-fail.zip", lifecycle.NewCodePackage("slow-fail", nil)))
	createCounting(t, s, "app", "count-v1.zip", true, 1)
	enableRollback(t, s, "app")
	start(t, s, "app", nil)
	progress(t, s, c, "app", 500)
	_, err := s.UpdateApplication(ctx(t), lifecycle.UpdateApplicationRequest{ApplicationName: "app", CurrentApplicationVersionID: 2,
		ApplicationConfigurationUpdate: codeUpdate("slow-fail.zip")})
	require.NoError(t, err)
	<-building
	out, err := s.StopApplication(ctx(t), lifecycle.StopApplicationRequest{ApplicationName: "app", Force: true})
	require.NoError(t, err)
	close(fail)
	op, err := s.WaitForOperation(ctx(t), "app", out.OperationID)
	require.NoError(t, err)
	require.Equal(t, lifecycle.OperationSuccessful, op.OperationStatus)
	d := describe(t, s, "app")
	require.Equal(t, lifecycle.StatusReady, d.ApplicationStatus, "stopped, as asked")
	require.Equal(t, int64(3), d.ApplicationVersionID, "no rollback version")
}

// TestServiceSnapshotsOnAStillClock: on a clock that stands still, the
// snapshots the service takes at two stops have names of their own.
//
// Mutant killed: snapshot names from the kind, version and time only (the
// second stop fails: its savepoint exists already).
func TestServiceSnapshotsOnAStillClock(t *testing.T) {
	clock := flinksim.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	c := newCounts()
	s := newService(t, lifecycle.Options{Clock: clock}, c)
	createCounting(t, s, "app", "count-v1.zip", true, 1)
	for range 2 {
		start(t, s, "app", nil)
		progress(t, s, c, "app", 100)
		require.Equal(t, lifecycle.OperationSuccessful, stop(t, s, "app", false).OperationStatus)
	}
	snaps, err := s.ListApplicationSnapshots(ctx(t), lifecycle.ListApplicationSnapshotsRequest{ApplicationName: "app"})
	require.NoError(t, err)
	require.Len(t, snaps.SnapshotSummaries, 2)
}

// TestCrashWhileStoppingLosesNothing: a crash while the stop's snapshot is
// being taken leaves the checkpoints; the new service resumes the
// application from them (the stop is for the user to ask again), and a
// savepoint the store has but the catalog does not becomes a snapshot.
//
// Mutant killed: recovery turning STOPPING into READY and deleting the
// checkpoints.
func TestCrashWhileStoppingLosesNothing(t *testing.T) {
	mem := snapshot.NewMemFS()
	c := newCounts()
	c.hold = newHoldingJob()
	s := newService(t, lifecycle.Options{FS: mem}, c)
	createCounting(t, s, "app", "count-v1.zip", true, 2)
	start(t, s, "app", nil)
	progress(t, s, c, "app", 2000)
	wait(t, c.checkpointedPast(1, 1000))
	c.hold.arm()
	_, err := s.StopApplication(ctx(t), lifecycle.StopApplicationRequest{ApplicationName: "app"})
	require.NoError(t, err)
	<-c.hold.held // the stop's snapshot waits in the sink
	require.Equal(t, lifecycle.StatusStopping, describe(t, s, "app").ApplicationStatus)
	crashed := mem.CrashClone()
	close(c.hold.release)

	c2 := newCounts()
	s2 := reopen(t, lifecycle.Options{FS: crashed}, c2)
	_, err = s2.WaitForStatus(ctx(t), "app", lifecycle.StatusRunning)
	require.NoError(t, err)
	first, n := c2.firstOf(1)
	require.Greater(t, n, int64(1), "record %d: resumed with its state", first)
	require.Greater(t, first, int64(1000), "from the checkpoint")
}

// failingRenames fails every rename while failing is set: a full disk.
type failingRenames struct {
	snapshot.FS
	failing atomic.Bool
}

func (f *failingRenames) Rename(o, n string) error {
	if f.failing.Load() {
		return errors.New("no space left on device")
	}
	return f.FS.Rename(o, n)
}

// TestFailedCatalogWriteChangesNothing: an action whose catalog write
// fails returns the error and leaves the application as it was, so that
// it can be retried once the disk recovers.
//
// Mutants killed: DeleteApplication keeping DELETING after a failed write
// (the retry is ResourceInUseException); CreateApplicationSnapshot keeping
// the CREATING record; an update of a READY application keeping the
// version.
func TestFailedCatalogWriteChangesNothing(t *testing.T) {
	fsys := &failingRenames{FS: snapshot.NewMemFS()}
	c := newCounts()
	s := newService(t, lifecycle.Options{FS: fsys}, c)
	created := createCounting(t, s, "app", "count-v1.zip", true, 1)

	fsys.failing.Store(true)
	_, err := s.UpdateApplication(ctx(t), lifecycle.UpdateApplicationRequest{ApplicationName: "app", CurrentApplicationVersionID: 1,
		ApplicationConfigurationUpdate: parallelismUpdate(2)})
	require.Error(t, err)
	fsys.failing.Store(false)
	require.Equal(t, int64(1), describe(t, s, "app").ApplicationVersionID, "the failed update made no version")

	start(t, s, "app", nil)
	fsys.failing.Store(true)
	_, err = s.CreateApplicationSnapshot(ctx(t), lifecycle.CreateApplicationSnapshotRequest{ApplicationName: "app", SnapshotName: "s1"})
	require.Error(t, err)
	_, err = s.DeleteApplication(ctx(t), lifecycle.DeleteApplicationRequest{ApplicationName: "app", CreateTimestamp: created.CreateTimestamp})
	require.Error(t, err)
	fsys.failing.Store(false)
	require.Equal(t, lifecycle.StatusRunning, describe(t, s, "app").ApplicationStatus)
	snaps, err := s.ListApplicationSnapshots(ctx(t), lifecycle.ListApplicationSnapshotsRequest{ApplicationName: "app"})
	require.NoError(t, err)
	require.Empty(t, snaps.SnapshotSummaries, "the failed snapshot left no record")

	_, err = s.DeleteApplication(ctx(t), lifecycle.DeleteApplicationRequest{ApplicationName: "app", CreateTimestamp: created.CreateTimestamp})
	require.NoError(t, err, "the retry works")
}
