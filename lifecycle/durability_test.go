package lifecycle_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/lifecycle"
	"github.com/flinksim/go-flinksim/snapshot"
)

// reopen opens a second service over the same catalog, as a restarted
// process would, with the counting builder registered.
func reopen(t *testing.T, opts lifecycle.Options, c *counts) *lifecycle.Service {
	t.Helper()
	opts.RestartStrategy = func() flinksim.RestartStrategy { return flinksim.FixedDelayRestart(1<<30, 0) }
	s, err := lifecycle.New(opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	require.NoError(t, s.RegisterBuilder("count", countingBuilder(c)))
	return s
}

// TestServiceRestartResumes: a service closed while its application runs
// (its jobs cancelled, as a crash would) leaves a catalog from which a new
// service resumes the application from its latest checkpoint: versions,
// snapshots, operations and tags are all there, and the keyed count goes on.
//
// Mutants killed: recover not resuming RUNNING applications (the new
// service shows READY); resumeLocked restoring the run's basis instead of
// the latest checkpoint (the count restarts from the stop's snapshot:
// outputs repeat with the right counts, but the first output is older than
// the last checkpoint — caught by firstOf against the checkpointed
// position); persist skipped for tags.
func TestServiceRestartResumes(t *testing.T) {
	dir := t.TempDir()
	c := newCounts()
	s := newService(t, lifecycle.Options{Dir: dir}, c)
	createCounting(t, s, "app", "count-v1.zip", true, 2)
	_, err := s.TagResource(ctx(t), lifecycle.TagResourceRequest{ResourceARN: describe(t, s, "app").ApplicationARN,
		Tags: []lifecycle.Tag{{Key: "team", Value: "streaming"}}})
	require.NoError(t, err)
	start(t, s, "app", nil)
	progress(t, s, c, "app", 2000)
	stop(t, s, "app", false) // a snapshot
	atStop := c.highest()
	start(t, s, "app", nil)
	progress(t, s, c, "app", 2000)
	// A checkpoint after the snapshot, so that the resumed job must take it.
	wait(t, c.checkpointedPast(1, atStop+1000))
	before := describe(t, s, "app")
	require.NoError(t, s.Close())

	c2 := newCounts()
	s2 := reopen(t, lifecycle.Options{Dir: dir}, c2)
	d, err := s2.WaitForStatus(ctx(t), "app", lifecycle.StatusRunning)
	require.NoError(t, err)
	require.Equal(t, before.ApplicationVersionID, d.ApplicationVersionID)
	require.Equal(t, before.CreateTimestamp, d.CreateTimestamp)
	require.Equal(t, before.ApplicationConfigurationDescription.ApplicationCodeConfigurationDescription,
		d.ApplicationConfigurationDescription.ApplicationCodeConfigurationDescription)
	tags, err := s2.ListTagsForResource(ctx(t), lifecycle.ListTagsForResourceRequest{ResourceARN: d.ApplicationARN})
	require.NoError(t, err)
	require.Equal(t, []lifecycle.Tag{{Key: "team", Value: "streaming"}}, tags.Tags)
	snaps, err := s2.ListApplicationSnapshots(ctx(t), lifecycle.ListApplicationSnapshotsRequest{ApplicationName: "app"})
	require.NoError(t, err)
	require.Len(t, snaps.SnapshotSummaries, 1)
	ops, err := s2.ListApplicationOperations(ctx(t), lifecycle.ListApplicationOperationsRequest{ApplicationName: "app"})
	require.NoError(t, err)
	require.Len(t, ops.ApplicationOperationInfoList, 3, "start, stop, start")

	wait(t, c2.reached(before.ApplicationVersionID, 1))
	first, n := c2.firstOf(before.ApplicationVersionID)
	require.Greater(t, n, int64(1), "record %d: the resumed job kept the state", first)
	require.Greater(t, first, atStop+1000, "it resumed from the checkpoint after the snapshot, not from the snapshot")
	wait(t, c2.reached(before.ApplicationVersionID, c.highest()+2000))
	wrong, firstWrong := c2.wrongOutputs()
	require.Zero(t, wrong, firstWrong)
}

// TestCrashLosesNoCommittedState abandons a service without closing it —
// its catalog and stores are taken as a power loss would leave them
// (MemFS.CrashClone) — and opens a new one on what survived: the
// application resumes from its last durable checkpoint, and an operation
// that was in progress ends FAILED with a cause.
func TestCrashLosesNoCommittedState(t *testing.T) {
	mem := snapshot.NewMemFS()
	c := newCounts()
	block := make(chan struct{})
	s := newService(t, lifecycle.Options{FS: mem}, c)
	require.NoError(t, s.RegisterBuilder("blocked", func(*flinksim.Environment, lifecycle.JobContext) error { <-block; return errors.New("never built") }))
	t.Cleanup(func() { close(block) })
	require.NoError(t, s.Code().Put("code", "blocked.zip", lifecycle.NewCodePackage("blocked", nil)))
	createCounting(t, s, "app", "count-v1.zip", true, 2)
	start(t, s, "app", nil)
	progress(t, s, c, "app", 2000)
	wait(t, c.checkpointedPast(1, 1000))
	// An update whose builder never returns: its operation is in progress
	// when the power goes.
	out, err := s.UpdateApplication(ctx(t), lifecycle.UpdateApplicationRequest{ApplicationName: "app", CurrentApplicationVersionID: 1,
		ApplicationConfigurationUpdate: codeUpdate("blocked.zip")})
	require.NoError(t, err)
	_, err = s.WaitForStatus(ctx(t), "app", lifecycle.StatusUpdating)
	require.NoError(t, err)
	crashed := mem.CrashClone()

	c2 := newCounts()
	s2 := reopen(t, lifecycle.Options{FS: crashed}, c2)
	require.NoError(t, s2.RegisterBuilder("blocked", func(*flinksim.Environment, lifecycle.JobContext) error { return errors.New("still broken") }))
	op, err := s2.DescribeApplicationOperation(ctx(t), lifecycle.DescribeApplicationOperationRequest{ApplicationName: "app", OperationID: out.OperationID})
	require.NoError(t, err)
	require.Equal(t, lifecycle.OperationFailed, op.ApplicationOperationInfoDetails.OperationStatus)
	require.Contains(t, op.ApplicationOperationInfoDetails.OperationFailureDetails.ErrorInfo.ErrorString, "service stopped")
	// The interrupted update's version 2 is the current one; its code
	// cannot build, so resuming it fails and the application is READY.
	d, err := s2.WaitForStatus(ctx(t), "app", lifecycle.StatusReady, lifecycle.StatusRunning)
	require.NoError(t, err)
	require.Equal(t, int64(2), d.ApplicationVersionID)
	require.Equal(t, lifecycle.StatusReady, d.ApplicationStatus)
}

// TestCrashResumesRunningApplication: the same power loss with no
// operation in progress: the application resumes from the last durable
// checkpoint.
func TestCrashResumesRunningApplication(t *testing.T) {
	mem := snapshot.NewMemFS()
	c := newCounts()
	s := newService(t, lifecycle.Options{FS: mem}, c)
	createCounting(t, s, "app", "count-v1.zip", true, 2)
	start(t, s, "app", nil)
	progress(t, s, c, "app", 2000)
	wait(t, c.checkpointedPast(1, 1000))
	crashed := mem.CrashClone()

	c2 := newCounts()
	s2 := reopen(t, lifecycle.Options{FS: crashed}, c2)
	_, err := s2.WaitForStatus(ctx(t), "app", lifecycle.StatusRunning)
	require.NoError(t, err)
	wait(t, c2.reached(1, 1))
	first, n := c2.firstOf(1)
	require.Greater(t, n, int64(1), "record %d: resumed with its state", first)
	require.Greater(t, first, int64(1000), "from the checkpoint")
	wait(t, c2.reached(1, first+3000))
	wrong, firstWrong := c2.wrongOutputs()
	require.Zero(t, wrong, firstWrong)
}

// TestCorruptCatalogIsAnError: a catalog file that fails its checksum, or
// a torn one, makes New fail naming it; nothing is silently reset.
func TestCorruptCatalogIsAnError(t *testing.T) {
	for _, damage := range []struct {
		name string
		fn   func([]byte) []byte
	}{
		{"flipped byte", func(b []byte) []byte { b[len(b)/2] ^= 1; return b }},
		{"torn", func(b []byte) []byte { return b[:len(b)/2] }},
		{"empty", func([]byte) []byte { return nil }},
	} {
		t.Run(damage.name, func(t *testing.T) {
			dir := t.TempDir()
			s := newService(t, lifecycle.Options{Dir: dir}, newCounts())
			createCounting(t, s, "app", "count-v1.zip", true, 1)
			require.NoError(t, s.Close())
			p := filepath.Join(dir, "catalog", "app.app")
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(p, damage.fn(data), 0o644))
			_, err = lifecycle.New(lifecycle.Options{Dir: dir})
			require.ErrorIs(t, err, lifecycle.ErrCorruptCatalog)
			require.ErrorContains(t, err, "app.app")
		})
	}
}

// TestDirIsLocked: one Service at a time uses a directory; a second is
// refused until the first closes.
func TestDirIsLocked(t *testing.T) {
	dir := t.TempDir()
	s, err := lifecycle.New(lifecycle.Options{Dir: dir})
	require.NoError(t, err)
	_, err = lifecycle.New(lifecycle.Options{Dir: dir})
	require.ErrorIs(t, err, snapshot.ErrLocked)
	require.NoError(t, s.Close())
	s2, err := lifecycle.New(lifecycle.Options{Dir: dir})
	require.NoError(t, err)
	require.NoError(t, s2.Close())
}
