package lifecycle_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/lifecycle"
)

func jobProperties(kv ...string) *lifecycle.ApplicationConfigurationUpdate {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return propertiesUpdate(lifecycle.PropertyGroup{PropertyGroupID: "job", PropertyMap: m})
}

func enableRollback(t *testing.T, s *lifecycle.Service, name string) {
	t.Helper()
	update(t, s, name, lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: &lifecycle.ApplicationConfigurationUpdate{
		ApplicationSystemRollbackConfigurationUpdate: &lifecycle.ApplicationSystemRollbackConfigurationUpdate{RollbackEnabledUpdate: true}}})
}

// TestSystemRollback: with system rollback enabled, an update whose new
// version cannot start (its builder fails), or whose job keeps failing
// right after it starts, rolls back by itself to the version before and its
// snapshot: the update's operation FAILED, naming the rollback's, and the
// keyed count goes on from the snapshot.
//
// Mutants killed: deployAndWatch ignoring RollbackEnabled (the update
// fails and the application is READY); restartedAfterUpdate never rolling
// back (the job loops); the failed operation not naming the rollback.
func TestSystemRollback(t *testing.T) {
	for _, tc := range []struct {
		name  string
		props []string
	}{
		{"builder fails", []string{"build", "fail"}},
		{"job keeps failing", []string{"fail", "0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCounts()
			s := newService(t, lifecycle.Options{}, c)
			createCounting(t, s, "app", "count-v1.zip", true, 2)
			enableRollback(t, s, "app") // version 2, READY: nothing runs yet
			start(t, s, "app", nil)
			progress(t, s, c, "app", 3000)
			out, op := update(t, s, "app", lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: jobProperties(tc.props...)})
			require.Equal(t, int64(3), out.ApplicationDetail.ApplicationVersionID)
			if op.OperationStatus == lifecycle.OperationSuccessful { // it started, then fails: the window sees it
				op, _ = s.WaitForOperation(ctx(t), "app", out.OperationID)
				d, err := s.Wait(ctx(t), "app", func(d lifecycle.ApplicationDetail) bool { return d.ApplicationVersionID == 4 })
				require.NoError(t, err, "%+v", d)
				full, err := s.DescribeApplicationOperation(ctx(t), lifecycle.DescribeApplicationOperationRequest{ApplicationName: "app", OperationID: out.OperationID})
				require.NoError(t, err)
				op = full.ApplicationOperationInfoDetails
			}
			require.Equal(t, lifecycle.OperationFailed, op.OperationStatus, "%+v", op)
			require.NotNil(t, op.OperationFailureDetails)
			require.NotEmpty(t, op.OperationFailureDetails.ErrorInfo.ErrorString)
			rollbackID := op.OperationFailureDetails.RollbackOperationID
			require.NotEmpty(t, rollbackID, "the failed update names its rollback")
			rb, err := s.WaitForOperation(ctx(t), "app", rollbackID)
			require.NoError(t, err)
			require.Equal(t, lifecycle.OperationSuccessful, rb.OperationStatus, "%+v", rb)
			require.Equal(t, lifecycle.OpSystemRollback, rb.Operation)
			d := describe(t, s, "app")
			require.Equal(t, lifecycle.StatusRunning, d.ApplicationStatus)
			require.Equal(t, int64(4), d.ApplicationVersionID)
			require.Equal(t, int64(3), d.ApplicationVersionRolledBackFrom)
			require.Equal(t, int64(2), d.ApplicationVersionRolledBackTo)
			require.Empty(t, d.ApplicationConfigurationDescription.EnvironmentPropertyDescriptions.PropertyGroupDescriptions,
				"version 4 has version 2's configuration")
			progress(t, s, c, "app", 3000)
			if _, n := c.firstOf(4); n == 1 {
				t.Fatal("the rolled back version did not restore the snapshot")
			}
			wrong, first := c.wrongOutputs()
			require.Zero(t, wrong, first)
		})
	}
}

// TestRestartLoopVisible: without system rollback, a version whose job
// keeps failing stays RUNNING while its job loops on restarts, as the
// article's restart loop: Describe shows the restarts and the cause.
func TestRestartLoopVisible(t *testing.T) {
	c := newCounts()
	s := newService(t, lifecycle.Options{}, c)
	createCounting(t, s, "app", "count-v1.zip", true, 1)
	start(t, s, "app", nil)
	progress(t, s, c, "app", 1000)
	update(t, s, "app", lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: jobProperties("fail", "0")})
	d, err := s.Wait(ctx(t), "app", func(d lifecycle.ApplicationDetail) bool { return d.Job != nil && d.Job.Restarts >= 5 })
	require.NoError(t, err)
	require.Equal(t, lifecycle.StatusRunning, d.ApplicationStatus, "RUNNING, while the job loops")
	require.NotEmpty(t, d.Job.Exceptions)
	require.Contains(t, d.Job.Exceptions[len(d.Job.Exceptions)-1].Cause, "fails on purpose")
	m, err := s.ApplicationMetrics(ctx(t), "app")
	require.NoError(t, err)
	require.GreaterOrEqual(t, m.FullRestarts, int64(5))
	require.Equal(t, lifecycle.OperationSuccessful, stop(t, s, "app", true).OperationStatus, "a forced stop ends the loop")
}

// TestRollbackRefusedWithoutSnapshot: a rollback needs a snapshot of the
// version it returns to.
func TestRollbackRefusedWithoutSnapshot(t *testing.T) {
	c := newCounts()
	s := newService(t, lifecycle.Options{}, c)
	createCounting(t, s, "app", "count-v1.zip", false, 1)
	start(t, s, "app", nil)
	_, op := update(t, s, "app", lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: codeUpdate("count-v2.zip")})
	require.Equal(t, lifecycle.OperationSuccessful, op.OperationStatus)
	_, err := s.RollbackApplication(ctx(t), lifecycle.RollbackApplicationRequest{ApplicationName: "app", CurrentApplicationVersionID: 2})
	var invalid *lifecycle.InvalidRequestException
	require.True(t, errors.As(err, &invalid), "%v", err)
	_, err = s.RollbackApplication(ctx(t), lifecycle.RollbackApplicationRequest{ApplicationName: "app", CurrentApplicationVersionID: 1})
	var stale *lifecycle.ConcurrentModificationException
	require.True(t, errors.As(err, &stale), "%v", err)
}

// TestAllowNonRestoredState: an update that drops a stateful operator
// fails to start unless it allows non-restored state; the setting holds for
// that update only, and the next update that does not set it resets it.
func TestAllowNonRestoredState(t *testing.T) {
	c := newCounts()
	s := newService(t, lifecycle.Options{}, c)
	createCounting(t, s, "app", "count-v1.zip", true, 1)
	start(t, s, "app", nil)
	progress(t, s, c, "app", 1000)

	_, op := update(t, s, "app", lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: jobProperties("count-name", "count2")})
	require.Equal(t, lifecycle.OperationFailed, op.OperationStatus, "the count's state has nowhere to go: %+v", op)
	require.Contains(t, op.OperationFailureDetails.ErrorInfo.ErrorString, "count")
	require.Equal(t, lifecycle.StatusReady, describe(t, s, "app").ApplicationStatus)

	start(t, s, "app", &lifecycle.ApplicationRestoreConfiguration{ApplicationRestoreType: lifecycle.RestoreFromLatestSnapshot})
	d := describe(t, s, "app")
	require.Equal(t, lifecycle.StatusReady, d.ApplicationStatus, "the same version fails the same way")

	// Start with AllowNonRestoredState: the renamed count starts empty.
	out, err := s.StartApplication(ctx(t), lifecycle.StartApplicationRequest{ApplicationName: "app", RunConfiguration: &lifecycle.RunConfiguration{
		FlinkRunConfiguration: &lifecycle.FlinkRunConfiguration{AllowNonRestoredState: true}}})
	require.NoError(t, err)
	sop, err := s.WaitForOperation(ctx(t), "app", out.OperationID)
	require.NoError(t, err)
	require.Equal(t, lifecycle.OperationSuccessful, sop.OperationStatus, "%+v", sop)
	d = describe(t, s, "app")
	require.True(t, d.ApplicationConfigurationDescription.RunConfigurationDescription.FlinkRunConfigurationDescription.AllowNonRestoredState)

	_, op = update(t, s, "app", lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: codeUpdate("count-v2.zip")})
	require.Equal(t, lifecycle.OperationSuccessful, op.OperationStatus)
	d = describe(t, s, "app")
	require.False(t, d.ApplicationConfigurationDescription.RunConfigurationDescription.FlinkRunConfigurationDescription.AllowNonRestoredState,
		"an update that does not set it resets it")
}
