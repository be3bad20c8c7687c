package lifecycle_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/lifecycle"
)

// update applies u to the application's current version and waits for the
// update's operation.
func update(t *testing.T, s *lifecycle.Service, name string, u lifecycle.UpdateApplicationRequest) (lifecycle.UpdateApplicationResponse, lifecycle.ApplicationOperationInfoDetails) {
	t.Helper()
	u.ApplicationName = name
	if u.CurrentApplicationVersionID == 0 && u.ConditionalToken == "" {
		u.CurrentApplicationVersionID = describe(t, s, name).ApplicationVersionID
	}
	out, err := s.UpdateApplication(ctx(t), u)
	require.NoError(t, err)
	if out.OperationID == "" {
		return out, lifecycle.ApplicationOperationInfoDetails{}
	}
	op, err := s.WaitForOperation(ctx(t), name, out.OperationID)
	require.NoError(t, err)
	return out, op
}

func codeUpdate(key string) *lifecycle.ApplicationConfigurationUpdate {
	return &lifecycle.ApplicationConfigurationUpdate{ApplicationCodeConfigurationUpdate: &lifecycle.ApplicationCodeConfigurationUpdate{
		CodeContentUpdate: &lifecycle.CodeContentUpdate{S3ContentLocationUpdate: &lifecycle.S3ContentLocationUpdate{FileKeyUpdate: key}}}}
}

func parallelismUpdate(p int) *lifecycle.ApplicationConfigurationUpdate {
	return &lifecycle.ApplicationConfigurationUpdate{FlinkApplicationConfigurationUpdate: &lifecycle.FlinkApplicationConfigurationUpdate{
		ParallelismConfigurationUpdate: &lifecycle.ParallelismConfigurationUpdate{ConfigurationTypeUpdate: lifecycle.ConfigurationCustom, ParallelismUpdate: p}}}
}

func propertiesUpdate(groups ...lifecycle.PropertyGroup) *lifecycle.ApplicationConfigurationUpdate {
	return &lifecycle.ApplicationConfigurationUpdate{EnvironmentPropertyUpdates: &lifecycle.EnvironmentPropertyUpdates{PropertyGroups: groups}}
}

// progress waits until the job of the current version has emitted n more
// records than the whole application had when it was called.
func progress(t *testing.T, s *lifecycle.Service, c *counts, name string, n int64) {
	t.Helper()
	v := describe(t, s, name).ApplicationVersionID
	wait(t, c.reached(v, c.highest()+n))
}

// TestStateContinuity: a keyed count keeps counting — every output's count
// is the number of records of its key so far, exactly — across an update
// of the code, of the properties, a scale up, a scale down, a stop and a
// start, and a rollback, because each goes through a snapshot.
//
// Mutants killed: the update restoring nothing (counts restart at 1); the
// stop taking no snapshot (the start resumes from the update's, before the
// stop); the rollback restoring nothing.
func TestStateContinuity(t *testing.T) {
	c := newCounts()
	s := newService(t, lifecycle.Options{}, c)
	createCounting(t, s, "app", "count-v1.zip", true, 2)
	require.Equal(t, lifecycle.OperationSuccessful, start(t, s, "app", nil).OperationStatus)
	progress(t, s, c, "app", 3000)

	steps := []struct {
		name string
		u    lifecycle.UpdateApplicationRequest
	}{
		{"code v2", lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: codeUpdate("count-v2.zip")}},
		{"properties", lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: propertiesUpdate(
			lifecycle.PropertyGroup{PropertyGroupID: "other", PropertyMap: map[string]string{"k": "v"}})}},
		{"scale up to 5", lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: parallelismUpdate(5)}},
		{"scale down to 3", lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: parallelismUpdate(3)}},
	}
	for _, st := range steps {
		before := describe(t, s, "app").ApplicationVersionID
		out, op := update(t, s, "app", st.u)
		require.Equal(t, lifecycle.OperationSuccessful, op.OperationStatus, "%s: %+v", st.name, op)
		require.Equal(t, before+1, out.ApplicationDetail.ApplicationVersionID, st.name)
		require.Equal(t, &lifecycle.ApplicationVersionChangeDetails{ApplicationVersionUpdatedFrom: before, ApplicationVersionUpdatedTo: before + 1},
			op.ApplicationVersionChangeDetails, st.name)
		d := describe(t, s, "app")
		require.Equal(t, lifecycle.StatusRunning, d.ApplicationStatus, st.name)
		progress(t, s, c, "app", 3000)
		if _, n := c.firstOf(d.ApplicationVersionID); n == 1 {
			t.Fatalf("%s: the new version's first count is 1: it did not resume the old one's state", st.name)
		}
	}
	d := describe(t, s, "app")
	require.Equal(t, 3, d.ApplicationConfigurationDescription.FlinkApplicationConfigurationDescription.ParallelismConfigurationDescription.CurrentParallelism)
	require.NotNil(t, d.Job)
	subtasks := map[string]int{}
	for _, st := range d.Job.Subtasks {
		subtasks[st.Task]++
	}
	require.Equal(t, 3, subtasks["count -> check"], "the job runs at the new parallelism: %v", subtasks)

	require.Equal(t, lifecycle.OperationSuccessful, stop(t, s, "app", false).OperationStatus)
	atStop := c.highest()
	c.forgetFirst()
	require.Equal(t, lifecycle.OperationSuccessful, start(t, s, "app", nil).OperationStatus)
	progress(t, s, c, "app", 3000)
	if i, _ := c.firstOf(describe(t, s, "app").ApplicationVersionID); i < atStop {
		t.Fatalf("the start resumed at record %d, before the stop's %d: the stop took no snapshot", i, atStop)
	}

	// Rollback to the version before the last update (parallelism 5), from
	// its snapshot.
	cur := describe(t, s, "app").ApplicationVersionID
	rb, err := s.RollbackApplication(ctx(t), lifecycle.RollbackApplicationRequest{ApplicationName: "app", CurrentApplicationVersionID: cur})
	require.NoError(t, err)
	op, err := s.WaitForOperation(ctx(t), "app", rb.OperationID)
	require.NoError(t, err)
	require.Equal(t, lifecycle.OperationSuccessful, op.OperationStatus, "%+v", op)
	d = describe(t, s, "app")
	require.Equal(t, cur+1, d.ApplicationVersionID)
	require.Equal(t, cur, d.ApplicationVersionRolledBackFrom)
	require.Equal(t, cur-1, d.ApplicationVersionRolledBackTo)
	require.Equal(t, 5, d.ApplicationConfigurationDescription.FlinkApplicationConfigurationDescription.ParallelismConfigurationDescription.CurrentParallelism)
	progress(t, s, c, "app", 3000)

	wrong, first := c.wrongOutputs()
	require.Zero(t, wrong, "outputs whose count shows state lost or doubled: %v", first)

	versions, err := s.ListApplicationVersions(ctx(t), lifecycle.ListApplicationVersionsRequest{ApplicationName: "app"})
	require.NoError(t, err)
	require.Len(t, versions.ApplicationVersionSummaries, int(cur+1))
	require.Equal(t, lifecycle.StatusRolledBack, versions.ApplicationVersionSummaries[1].ApplicationStatus, "the version rolled back from")
	require.Equal(t, lifecycle.StatusRunning, versions.ApplicationVersionSummaries[0].ApplicationStatus)
}

// TestSnapshotsDisabledUpdateStartsEmpty is the article's warning: with
// snapshots disabled, an update restarts the job with empty state — the
// source from its first record again, every count from 1.
func TestSnapshotsDisabledUpdateStartsEmpty(t *testing.T) {
	c := newCounts()
	s := newService(t, lifecycle.Options{}, c)
	createCounting(t, s, "app", "count-v1.zip", false, 2)
	start(t, s, "app", nil)
	progress(t, s, c, "app", 3000)
	_, op := update(t, s, "app", lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: codeUpdate("count-v2.zip")})
	require.Equal(t, lifecycle.OperationSuccessful, op.OperationStatus)
	wait(t, c.reached(2, 1))
	i, n := c.firstOf(2)
	require.EqualValues(t, 1, n, "the new version's first output (record %d) counts from 1: no state was kept", i)
	require.Less(t, i, int64(testKeys), "and the source starts again from the first records")
	snaps, err := s.ListApplicationSnapshots(ctx(t), lifecycle.ListApplicationSnapshotsRequest{ApplicationName: "app"})
	require.NoError(t, err)
	require.Empty(t, snaps.SnapshotSummaries)
}
