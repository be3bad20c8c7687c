package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// serviceTable is the service's transition table as its documentation
// states it, written here independently of transitions.go: the statuses in
// which each action is allowed.
var serviceTable = map[string][]ApplicationStatus{
	"StartApplication":          {StatusReady},
	"StopApplication":           {StatusRunning},
	"StopApplication Force":     {StatusRunning, StatusStarting, StatusUpdating, StatusStopping, StatusAutoscaling, StatusRollingBack},
	"UpdateApplication":         {StatusReady, StatusRunning},
	"DeleteApplication":         {StatusReady, StatusRunning},
	"RollbackApplication":       {StatusRunning, StatusUpdating, StatusAutoscaling},
	"CreateApplicationSnapshot": {StatusRunning},
	"DeleteApplicationSnapshot": notDeleting,
	"TagResource":               notDeleting,
	"UntagResource":             notDeleting,
	// Reading is allowed in every status.
	"DescribeApplication":          ApplicationStatuses,
	"ListApplicationSnapshots":     ApplicationStatuses,
	"ListApplicationVersions":      ApplicationStatuses,
	"ListApplicationOperations":    ApplicationStatuses,
	"ListTagsForResource":          ApplicationStatuses,
	"DescribeApplicationVersion":   ApplicationStatuses,
	"DescribeApplicationSnapshot":  ApplicationStatuses,
	"DescribeApplicationOperation": ApplicationStatuses,
}

var notDeleting = slices.DeleteFunc(slices.Clone(ApplicationStatuses), func(s ApplicationStatus) bool { return s == StatusDeleting })

// TestTransitionTable calls every action on an application in every
// status: an allowed action is never refused with ResourceInUseException,
// a refused one always is, naming the status.
//
// Mutants killed: StopApplication allowed in AUTOSCALING without Force;
// UpdateApplication allowed in UPDATING; RollbackApplication refused in
// AUTOSCALING; CreateApplicationSnapshot allowed in READY.
func TestTransitionTable(t *testing.T) {
	for action, allowedIn := range serviceTable {
		for _, st := range ApplicationStatuses {
			t.Run(fmt.Sprintf("%s/%s", action, st), func(t *testing.T) {
				s, a := tableService(t)
				s.mu.Lock()
				a.rec.Status = st
				s.mu.Unlock()
				err := callAction(s, a, action)
				var inUse *ResourceInUseException
				if slices.Contains(allowedIn, st) {
					require.False(t, errors.As(err, &inUse), "%s is allowed in %s, got %v", action, st, err)
				} else {
					require.True(t, errors.As(err, &inUse), "%s is not allowed in %s, got %v", action, st, err)
					require.Contains(t, inUse.Message, string(st))
				}
			})
		}
	}
}

// tableService is a service with application "app" (version 2, one
// snapshot, one operation) and no job, to be put in any status.
func tableService(t *testing.T) (*Service, *app) {
	s, err := New(Options{RestartStrategy: func() flinksim.RestartStrategy { return flinksim.NoRestart() }})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	require.NoError(t, s.RegisterBuilder("idle", func(env *flinksim.Environment, _ JobContext) error {
		flinksim.Sink(flinksim.FromChan(env, "in", make(chan int)), "out", func(int) error { return nil })
		return nil
	}))
	ctx := context.Background()
	_, err = s.CreateApplication(ctx, CreateApplicationRequest{ApplicationName: "app", RuntimeEnvironment: RuntimeFlink1_20,
		ServiceExecutionRole: "arn:aws:iam::1:role/r", ApplicationConfiguration: &ApplicationConfiguration{
			ApplicationCodeConfiguration: &ApplicationCodeConfiguration{CodeContentType: CodeZipFile,
				CodeContent: CodeContent{ZipFileContent: NewCodePackage("idle", nil)}},
			ApplicationSnapshotConfiguration: &ApplicationSnapshotConfiguration{SnapshotsEnabled: true}}})
	require.NoError(t, err)
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.apps["app"]
	cur := a.rec.current()
	a.rec.Versions = append(a.rec.Versions, versionRecord{ID: 2, Created: s.now(), UpdatedFrom: 1, Config: cur.Config})
	a.rec.VersionID = 2
	a.rec.Snapshots = append(a.rec.Snapshots, snapshotRecord{Name: "snap", Version: 1, Created: s.now(), Status: SnapshotReady})
	s.newOperationLocked(a, OpStartApplication, 0, 0).Status = OperationSuccessful
	return s, a
}

// callAction calls action on a as a client would, with valid arguments.
func callAction(s *Service, a *app, action string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s.mu.Lock()
	name, arn, created, version, opID := a.rec.Name, a.rec.ARN, a.rec.Created, a.rec.VersionID, a.rec.Operations[0].ID
	snapCreated := a.rec.Snapshots[0].Created
	s.mu.Unlock()
	var err error
	switch action {
	case "StartApplication":
		_, err = s.StartApplication(ctx, StartApplicationRequest{ApplicationName: name})
	case "StopApplication":
		_, err = s.StopApplication(ctx, StopApplicationRequest{ApplicationName: name})
	case "StopApplication Force":
		_, err = s.StopApplication(ctx, StopApplicationRequest{ApplicationName: name, Force: true})
	case "UpdateApplication":
		_, err = s.UpdateApplication(ctx, UpdateApplicationRequest{ApplicationName: name, CurrentApplicationVersionID: version,
			ApplicationConfigurationUpdate: &ApplicationConfigurationUpdate{EnvironmentPropertyUpdates: &EnvironmentPropertyUpdates{
				PropertyGroups: []PropertyGroup{{PropertyGroupID: "g", PropertyMap: map[string]string{"k": "v"}}}}}})
	case "DeleteApplication":
		_, err = s.DeleteApplication(ctx, DeleteApplicationRequest{ApplicationName: name, CreateTimestamp: created})
	case "RollbackApplication":
		_, err = s.RollbackApplication(ctx, RollbackApplicationRequest{ApplicationName: name, CurrentApplicationVersionID: version})
	case "CreateApplicationSnapshot":
		_, err = s.CreateApplicationSnapshot(ctx, CreateApplicationSnapshotRequest{ApplicationName: name, SnapshotName: "new"})
	case "DeleteApplicationSnapshot":
		_, err = s.DeleteApplicationSnapshot(ctx, DeleteApplicationSnapshotRequest{ApplicationName: name, SnapshotName: "snap", SnapshotCreationTimestamp: snapCreated})
	case "TagResource":
		_, err = s.TagResource(ctx, TagResourceRequest{ResourceARN: arn, Tags: []Tag{{Key: "k", Value: "v"}}})
	case "UntagResource":
		_, err = s.UntagResource(ctx, UntagResourceRequest{ResourceARN: arn, TagKeys: []string{"k"}})
	case "ListTagsForResource":
		_, err = s.ListTagsForResource(ctx, ListTagsForResourceRequest{ResourceARN: arn})
	case "DescribeApplication":
		_, err = s.DescribeApplication(ctx, DescribeApplicationRequest{ApplicationName: name})
	case "ListApplicationSnapshots":
		_, err = s.ListApplicationSnapshots(ctx, ListApplicationSnapshotsRequest{ApplicationName: name})
	case "ListApplicationVersions":
		_, err = s.ListApplicationVersions(ctx, ListApplicationVersionsRequest{ApplicationName: name})
	case "ListApplicationOperations":
		_, err = s.ListApplicationOperations(ctx, ListApplicationOperationsRequest{ApplicationName: name})
	case "DescribeApplicationVersion":
		_, err = s.DescribeApplicationVersion(ctx, DescribeApplicationVersionRequest{ApplicationName: name, ApplicationVersionID: 1})
	case "DescribeApplicationSnapshot":
		_, err = s.DescribeApplicationSnapshot(ctx, DescribeApplicationSnapshotRequest{ApplicationName: name, SnapshotName: "snap"})
	case "DescribeApplicationOperation":
		_, err = s.DescribeApplicationOperation(ctx, DescribeApplicationOperationRequest{ApplicationName: name, OperationID: opID})
	default:
		return fmt.Errorf("no such action %q", action)
	}
	return err
}
