package lifecycle_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/lifecycle"
)

const logStream = "arn:aws:logs:us-east-1:123456789012:log-group:flink:log-stream:app"

// TestCloudWatchLoggingOptions are recorded and described: each change a
// new version, an operation that completed, checked like an update.
//
// Mutants killed: the option not copied into the new version (Describe
// shows none); a stale version id accepted.
func TestCloudWatchLoggingOptions(t *testing.T) {
	dir := t.TempDir()
	s := newService(t, lifecycle.Options{Dir: dir}, newCounts())
	createCounting(t, s, "app", "count-v1.zip", true, 1)
	added, err := s.AddApplicationCloudWatchLoggingOption(ctx(t), lifecycle.AddApplicationCloudWatchLoggingOptionRequest{ApplicationName: "app",
		CurrentApplicationVersionID: 1, CloudWatchLoggingOption: lifecycle.CloudWatchLoggingOption{LogStreamARN: logStream}})
	require.NoError(t, err)
	require.Equal(t, int64(2), added.ApplicationVersionID)
	require.Len(t, added.CloudWatchLoggingOptionDescriptions, 1)
	id := added.CloudWatchLoggingOptionDescriptions[0].CloudWatchLoggingOptionID
	require.NotEmpty(t, id)
	op, err := s.DescribeApplicationOperation(ctx(t), lifecycle.DescribeApplicationOperationRequest{ApplicationName: "app", OperationID: added.OperationID})
	require.NoError(t, err)
	require.Equal(t, lifecycle.OperationSuccessful, op.ApplicationOperationInfoDetails.OperationStatus)
	d := describe(t, s, "app")
	require.Equal(t, []lifecycle.CloudWatchLoggingOptionDescription{{CloudWatchLoggingOptionID: id, LogStreamARN: logStream}}, d.CloudWatchLoggingOptionDescriptions)

	_, err = s.AddApplicationCloudWatchLoggingOption(ctx(t), lifecycle.AddApplicationCloudWatchLoggingOptionRequest{ApplicationName: "app",
		CurrentApplicationVersionID: 1, CloudWatchLoggingOption: lifecycle.CloudWatchLoggingOption{LogStreamARN: logStream}})
	var stale *lifecycle.ConcurrentModificationException
	require.ErrorAs(t, err, &stale)
	_, err = s.AddApplicationCloudWatchLoggingOption(ctx(t), lifecycle.AddApplicationCloudWatchLoggingOptionRequest{ApplicationName: "app",
		CurrentApplicationVersionID: 2, CloudWatchLoggingOption: lifecycle.CloudWatchLoggingOption{LogStreamARN: "not-an-arn"}})
	var invalid *lifecycle.InvalidArgumentException
	require.ErrorAs(t, err, &invalid)
	_, err = s.DeleteApplicationCloudWatchLoggingOption(ctx(t), lifecycle.DeleteApplicationCloudWatchLoggingOptionRequest{ApplicationName: "app",
		CurrentApplicationVersionID: 2, CloudWatchLoggingOptionID: "9.9"})
	require.ErrorAs(t, err, &invalid)

	// An update keeps it; a new Service over the directory sees it.
	update(t, s, "app", lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: parallelismUpdate(2)})
	require.NoError(t, s.Close())
	s2 := reopen(t, lifecycle.Options{Dir: dir}, newCounts())
	d = describe(t, s2, "app")
	require.Len(t, d.CloudWatchLoggingOptionDescriptions, 1)
	deleted, err := s2.DeleteApplicationCloudWatchLoggingOption(ctx(t), lifecycle.DeleteApplicationCloudWatchLoggingOptionRequest{ApplicationName: "app",
		CurrentApplicationVersionID: 3, CloudWatchLoggingOptionID: id})
	require.NoError(t, err)
	require.Equal(t, int64(4), deleted.ApplicationVersionID)
	require.Empty(t, deleted.CloudWatchLoggingOptionDescriptions)
	require.Empty(t, describe(t, s2, "app").CloudWatchLoggingOptionDescriptions)
	old, err := s2.DescribeApplicationVersion(ctx(t), lifecycle.DescribeApplicationVersionRequest{ApplicationName: "app", ApplicationVersionID: 2})
	require.NoError(t, err)
	require.Len(t, old.ApplicationVersionDetail.CloudWatchLoggingOptionDescriptions, 1, "version 2 had it")
}

// TestMaintenanceConfiguration: the window is eight hours from its start,
// 06:00 by default, and an update sets the start.
func TestMaintenanceConfiguration(t *testing.T) {
	s := newService(t, lifecycle.Options{}, newCounts())
	createCounting(t, s, "app", "count-v1.zip", true, 1)
	require.Equal(t, lifecycle.ApplicationMaintenanceConfigurationDescription{ApplicationMaintenanceWindowStartTime: "06:00",
		ApplicationMaintenanceWindowEndTime: "14:00"}, describe(t, s, "app").ApplicationMaintenanceConfigurationDescription)
	out, err := s.UpdateApplicationMaintenanceConfiguration(ctx(t), lifecycle.UpdateApplicationMaintenanceConfigurationRequest{ApplicationName: "app",
		ApplicationMaintenanceConfigurationUpdate: lifecycle.ApplicationMaintenanceConfigurationUpdate{ApplicationMaintenanceWindowStartTimeUpdate: "22:30"}})
	require.NoError(t, err)
	want := lifecycle.ApplicationMaintenanceConfigurationDescription{ApplicationMaintenanceWindowStartTime: "22:30", ApplicationMaintenanceWindowEndTime: "06:30"}
	require.Equal(t, want, out.ApplicationMaintenanceConfigurationDescription)
	require.Equal(t, want, describe(t, s, "app").ApplicationMaintenanceConfigurationDescription)
	for _, bad := range []string{"24:00", "6:00", "06:60", ""} {
		_, err := s.UpdateApplicationMaintenanceConfiguration(ctx(t), lifecycle.UpdateApplicationMaintenanceConfigurationRequest{ApplicationName: "app",
			ApplicationMaintenanceConfigurationUpdate: lifecycle.ApplicationMaintenanceConfigurationUpdate{ApplicationMaintenanceWindowStartTimeUpdate: bad}})
		var invalid *lifecycle.InvalidArgumentException
		require.ErrorAs(t, err, &invalid, bad)
	}
}
