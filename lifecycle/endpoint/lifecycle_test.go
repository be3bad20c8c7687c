package endpoint_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2/types"
	"github.com/flinksim/go-flinksim/lifecycle"
	"github.com/flinksim/go-flinksim/lifecycle/endpoint"
)

// TestLifecycleThroughSDK walks the article's lifecycle with the official
// SDK: create, start, snapshot, update (a new version through a snapshot),
// rollback, stop, the lists, delete.
//
// Mutants killed: the target prefix misspelt (every call fails); toDetail
// dropping ApplicationVersionUpdatedFrom; StopApplication ignoring Force
// (FORCE stop, no snapshot: the count of snapshots differs);
// ListApplicationVersions leaving the list nil.
func TestLifecycleThroughSDK(t *testing.T) {
	e := start(t, lifecycle.Options{}, endpoint.Options{})
	ctx := ctxT(t)
	c := e.client
	const app = "clicks"

	d := create(t, e, app)
	if d.ApplicationStatus != types.ApplicationStatusReady || aws.ToInt64(d.ApplicationVersionId) != 1 {
		t.Fatalf("created: %s version %d", d.ApplicationStatus, aws.ToInt64(d.ApplicationVersionId))
	}
	if got := aws.ToString(d.ApplicationARN); got != "arn:aws:kinesisanalytics:us-east-1:123456789012:application/clicks" {
		t.Errorf("ARN %s", got)
	}
	loc := d.ApplicationConfigurationDescription.ApplicationCodeConfigurationDescription.CodeContentDescription.S3ApplicationCodeLocationDescription
	if loc == nil || aws.ToString(loc.FileKey) != "idle.zip" {
		t.Errorf("code location %+v", loc)
	}

	started, err := c.StartApplication(ctx, &kinesisanalyticsv2.StartApplicationInput{ApplicationName: aws.String(app)})
	if err != nil {
		t.Fatal(err)
	}
	if st := waitOp(t, e, app, started.OperationId); st != lifecycle.OperationSuccessful {
		t.Fatalf("start: %s", st)
	}
	if st := describe(t, e, app).ApplicationStatus; st != types.ApplicationStatusRunning {
		t.Fatalf("after start: %s", st)
	}

	if _, err := c.CreateApplicationSnapshot(ctx, &kinesisanalyticsv2.CreateApplicationSnapshotInput{
		ApplicationName: aws.String(app), SnapshotName: aws.String("manual-1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Wait(ctx, app, func(lifecycle.ApplicationDetail) bool {
		s, err := e.svc.DescribeApplicationSnapshot(ctx, lifecycle.DescribeApplicationSnapshotRequest{ApplicationName: app, SnapshotName: "manual-1"})
		return err == nil && s.SnapshotDetails.SnapshotStatus == lifecycle.SnapshotReady
	}); err != nil {
		t.Fatal(err)
	}
	snap, err := c.DescribeApplicationSnapshot(ctx, &kinesisanalyticsv2.DescribeApplicationSnapshotInput{
		ApplicationName: aws.String(app), SnapshotName: aws.String("manual-1")})
	if err != nil {
		t.Fatal(err)
	}
	if snap.SnapshotDetails.SnapshotStatus != types.SnapshotStatusReady || aws.ToInt64(snap.SnapshotDetails.ApplicationVersionId) != 1 {
		t.Errorf("snapshot %+v", snap.SnapshotDetails)
	}

	updated, err := c.UpdateApplication(ctx, &kinesisanalyticsv2.UpdateApplicationInput{
		ApplicationName:             aws.String(app),
		CurrentApplicationVersionId: aws.Int64(1),
		ApplicationConfigurationUpdate: &types.ApplicationConfigurationUpdate{
			FlinkApplicationConfigurationUpdate: &types.FlinkApplicationConfigurationUpdate{
				ParallelismConfigurationUpdate: &types.ParallelismConfigurationUpdate{
					ConfigurationTypeUpdate: types.ConfigurationTypeCustom, ParallelismUpdate: aws.Int32(2)}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if updated.ApplicationDetail.ApplicationStatus != types.ApplicationStatusUpdating {
		t.Errorf("update answered %s", updated.ApplicationDetail.ApplicationStatus)
	}
	if st := waitOp(t, e, app, updated.OperationId); st != lifecycle.OperationSuccessful {
		t.Fatalf("update: %s", st)
	}
	d = describe(t, e, app)
	par := d.ApplicationConfigurationDescription.FlinkApplicationConfigurationDescription.ParallelismConfigurationDescription
	if aws.ToInt64(d.ApplicationVersionId) != 2 || aws.ToInt64(d.ApplicationVersionUpdatedFrom) != 1 || aws.ToInt32(par.CurrentParallelism) != 2 {
		t.Fatalf("after update: version %d from %d, parallelism %d", aws.ToInt64(d.ApplicationVersionId),
			aws.ToInt64(d.ApplicationVersionUpdatedFrom), aws.ToInt32(par.CurrentParallelism))
	}

	rolled, err := c.RollbackApplication(ctx, &kinesisanalyticsv2.RollbackApplicationInput{
		ApplicationName: aws.String(app), CurrentApplicationVersionId: aws.Int64(2)})
	if err != nil {
		t.Fatal(err)
	}
	if st := waitOp(t, e, app, rolled.OperationId); st != lifecycle.OperationSuccessful {
		t.Fatalf("rollback: %s", st)
	}
	d = describe(t, e, app)
	if aws.ToInt64(d.ApplicationVersionId) != 3 || aws.ToInt64(d.ApplicationVersionRolledBackFrom) != 2 || aws.ToInt64(d.ApplicationVersionRolledBackTo) != 1 {
		t.Fatalf("after rollback: version %d, rolled back from %d to %d", aws.ToInt64(d.ApplicationVersionId),
			aws.ToInt64(d.ApplicationVersionRolledBackFrom), aws.ToInt64(d.ApplicationVersionRolledBackTo))
	}

	stopped, err := c.StopApplication(ctx, &kinesisanalyticsv2.StopApplicationInput{ApplicationName: aws.String(app)})
	if err != nil {
		t.Fatal(err)
	}
	if st := waitOp(t, e, app, stopped.OperationId); st != lifecycle.OperationSuccessful {
		t.Fatalf("stop: %s", st)
	}
	if st := describe(t, e, app).ApplicationStatus; st != types.ApplicationStatusReady {
		t.Fatalf("after stop: %s", st)
	}

	snaps, err := c.ListApplicationSnapshots(ctx, &kinesisanalyticsv2.ListApplicationSnapshotsInput{ApplicationName: aws.String(app)})
	if err != nil {
		t.Fatal(err)
	}
	// manual-1, the update's and the stop's (the rollback restores one).
	if len(snaps.SnapshotSummaries) != 3 {
		t.Errorf("%d snapshots, want 3: %+v", len(snaps.SnapshotSummaries), snaps.SnapshotSummaries)
	}
	versions, err := c.ListApplicationVersions(ctx, &kinesisanalyticsv2.ListApplicationVersionsInput{ApplicationName: aws.String(app)})
	if err != nil {
		t.Fatal(err)
	}
	var statuses []types.ApplicationStatus
	for _, v := range versions.ApplicationVersionSummaries {
		statuses = append(statuses, v.ApplicationStatus)
	}
	if len(statuses) != 3 || statuses[1] != types.ApplicationStatusRolledBack {
		t.Errorf("versions %v, want version 2 ROLLED_BACK", statuses)
	}
	v2, err := c.DescribeApplicationVersion(ctx, &kinesisanalyticsv2.DescribeApplicationVersionInput{
		ApplicationName: aws.String(app), ApplicationVersionId: aws.Int64(2)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToInt32(v2.ApplicationVersionDetail.ApplicationConfigurationDescription.FlinkApplicationConfigurationDescription.ParallelismConfigurationDescription.Parallelism); got != 2 {
		t.Errorf("version 2 parallelism %d", got)
	}
	ops, err := c.ListApplicationOperations(ctx, &kinesisanalyticsv2.ListApplicationOperationsInput{ApplicationName: aws.String(app)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range ops.ApplicationOperationInfoList {
		names = append(names, aws.ToString(o.Operation))
		if o.OperationStatus != types.OperationStatusSuccessful || o.StartTime == nil || o.EndTime == nil {
			t.Errorf("operation %+v", o)
		}
	}
	if len(names) != 4 || names[0] != "StopApplication" || names[3] != "StartApplication" {
		t.Errorf("operations %v", names)
	}
	op, err := c.DescribeApplicationOperation(ctx, &kinesisanalyticsv2.DescribeApplicationOperationInput{
		ApplicationName: aws.String(app), OperationId: updated.OperationId})
	if err != nil {
		t.Fatal(err)
	}
	if ch := op.ApplicationOperationInfoDetails.ApplicationVersionChangeDetails; ch == nil || aws.ToInt64(ch.ApplicationVersionUpdatedTo) != 2 {
		t.Errorf("update operation %+v", op.ApplicationOperationInfoDetails)
	}

	arn := d.ApplicationARN
	if _, err := c.TagResource(ctx, &kinesisanalyticsv2.TagResourceInput{ResourceARN: arn,
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}, {Key: aws.String("env")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &kinesisanalyticsv2.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &kinesisanalyticsv2.ListTagsForResourceInput{ResourceARN: arn})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "data" {
		t.Errorf("tags %+v", tags.Tags)
	}

	if _, err := c.DeleteApplication(ctx, &kinesisanalyticsv2.DeleteApplicationInput{
		ApplicationName: aws.String(app), CreateTimestamp: d.CreateTimestamp}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListApplications(ctx, &kinesisanalyticsv2.ListApplicationsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.ApplicationSummaries) != 0 {
		t.Errorf("after delete: %+v", list.ApplicationSummaries)
	}
}
