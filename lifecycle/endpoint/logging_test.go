package endpoint_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2/types"
	"github.com/flinksim/go-flinksim/lifecycle"
	"github.com/flinksim/go-flinksim/lifecycle/endpoint"
)

const logStream = "arn:aws:logs:us-east-1:123456789012:log-group:flink:log-stream:app"

// loggingOptions are the (id, stream) pairs of d.
func loggingOptions(ds []types.CloudWatchLoggingOptionDescription) [][2]string {
	var out [][2]string
	for _, d := range ds {
		out = append(out, [2]string{aws.ToString(d.CloudWatchLoggingOptionId), aws.ToString(d.LogStreamARN)})
	}
	return out
}

// TestCloudWatchLoggingOptionsThroughTheSDK: a logging option added through
// the SDK is described, changed by UpdateApplication and deleted, each
// change a new version; a stale version id is the SDK's
// ConcurrentModificationException; an option given at create is described.
//
// Mutants killed: AddApplicationCloudWatchLoggingOption not in actions
// (the SDK gets an error); toDetail without the logging
// descriptions (describe shows none); the JSON name "CloudWatchLoggingOptionId"
// spelt "CloudWatchLoggingOptionID" (the SDK reads no id, delete is refused
// as a missing member); CurrentApplicationVersionId not passed on (the
// Service refuses the request for want of a version); create dropping
// CloudWatchLoggingOptions; update dropping CloudWatchLoggingOptionUpdates.
func TestCloudWatchLoggingOptionsThroughTheSDK(t *testing.T) {
	e := start(t, lifecycle.Options{}, endpoint.Options{})
	ctx := ctxT(t)
	c := e.client
	d := create(t, e, "app")
	if len(d.CloudWatchLoggingOptionDescriptions) != 0 {
		t.Fatalf("a new application has logging options: %v", loggingOptions(d.CloudWatchLoggingOptionDescriptions))
	}

	added, err := c.AddApplicationCloudWatchLoggingOption(ctx, &kinesisanalyticsv2.AddApplicationCloudWatchLoggingOptionInput{
		ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(1),
		CloudWatchLoggingOption: &types.CloudWatchLoggingOption{LogStreamARN: aws.String(logStream)}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(added.ApplicationVersionId) != 2 || aws.ToString(added.ApplicationARN) != aws.ToString(d.ApplicationARN) {
		t.Errorf("add: version %d, ARN %s", aws.ToInt64(added.ApplicationVersionId), aws.ToString(added.ApplicationARN))
	}
	opts := loggingOptions(added.CloudWatchLoggingOptionDescriptions)
	if len(opts) != 1 || opts[0][0] == "" || opts[0][1] != logStream {
		t.Fatalf("add: options %v", opts)
	}
	id := opts[0][0]
	if got := waitOp(t, e, "app", added.OperationId); got != lifecycle.OperationSuccessful {
		t.Errorf("the add operation is %s", got)
	}
	if got := loggingOptions(describe(t, e, "app").CloudWatchLoggingOptionDescriptions); len(got) != 1 || got[0] != opts[0] {
		t.Errorf("described after add: %v, want %v", got, opts)
	}

	var conc *types.ConcurrentModificationException
	_, err = c.AddApplicationCloudWatchLoggingOption(ctx, &kinesisanalyticsv2.AddApplicationCloudWatchLoggingOptionInput{
		ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(1),
		CloudWatchLoggingOption: &types.CloudWatchLoggingOption{LogStreamARN: aws.String(logStream)}})
	if !errors.As(err, &conc) {
		t.Errorf("add with a stale version: %v", err)
	}
	_, err = c.DeleteApplicationCloudWatchLoggingOption(ctx, &kinesisanalyticsv2.DeleteApplicationCloudWatchLoggingOptionInput{
		ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(1), CloudWatchLoggingOptionId: aws.String(id)})
	if !errors.As(err, &conc) {
		t.Errorf("delete with a stale version: %v", err)
	}
	var invalid *types.InvalidArgumentException
	_, err = c.AddApplicationCloudWatchLoggingOption(ctx, &kinesisanalyticsv2.AddApplicationCloudWatchLoggingOptionInput{
		ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(2),
		CloudWatchLoggingOption: &types.CloudWatchLoggingOption{LogStreamARN: aws.String("not-an-arn")}})
	if !errors.As(err, &invalid) {
		t.Errorf("add with a bad LogStreamARN: %v", err)
	}

	const other = logStream + "-2"
	upd, err := c.UpdateApplication(ctx, &kinesisanalyticsv2.UpdateApplicationInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(2),
		CloudWatchLoggingOptionUpdates: []types.CloudWatchLoggingOptionUpdate{{CloudWatchLoggingOptionId: aws.String(id), LogStreamARNUpdate: aws.String(other)}}})
	if err != nil {
		t.Fatal(err)
	}
	// (A READY application's update takes effect at once: no operation.)
	if got := loggingOptions(upd.ApplicationDetail.CloudWatchLoggingOptionDescriptions); len(got) != 1 || got[0] != [2]string{id, other} {
		t.Errorf("update: %v", got)
	}
	if got := loggingOptions(describe(t, e, "app").CloudWatchLoggingOptionDescriptions); len(got) != 1 || got[0] != [2]string{id, other} {
		t.Errorf("described after update: %v", got)
	}

	del, err := c.DeleteApplicationCloudWatchLoggingOption(ctx, &kinesisanalyticsv2.DeleteApplicationCloudWatchLoggingOptionInput{
		ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(3), CloudWatchLoggingOptionId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(del.ApplicationVersionId) != 4 || len(del.CloudWatchLoggingOptionDescriptions) != 0 {
		t.Errorf("delete: version %d, options %v", aws.ToInt64(del.ApplicationVersionId), loggingOptions(del.CloudWatchLoggingOptionDescriptions))
	}
	if got := describe(t, e, "app").CloudWatchLoggingOptionDescriptions; len(got) != 0 {
		t.Errorf("described after delete: %v", loggingOptions(got))
	}

	in := createInput("logged")
	in.CloudWatchLoggingOptions = []types.CloudWatchLoggingOption{{LogStreamARN: aws.String(logStream)}}
	out, err := c.CreateApplication(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if got := loggingOptions(out.ApplicationDetail.CloudWatchLoggingOptionDescriptions); len(got) != 1 || got[0][1] != logStream {
		t.Errorf("created with a logging option: %v", got)
	}
}

// TestMaintenanceConfigurationThroughTheSDK: every ApplicationDetail carries
// the maintenance window, the default one until
// UpdateApplicationMaintenanceConfiguration moves its start; a bad time of
// day and a missing application are the SDK's typed errors.
//
// Mutants killed: toDetail without the maintenance description (the SDK
// reads nil); the action's response without it; the update's start not
// passed on (the Service refuses "").
func TestMaintenanceConfigurationThroughTheSDK(t *testing.T) {
	e := start(t, lifecycle.Options{}, endpoint.Options{})
	ctx := ctxT(t)
	c := e.client
	window := func(m *types.ApplicationMaintenanceConfigurationDescription) [2]string {
		if m == nil {
			return [2]string{}
		}
		return [2]string{aws.ToString(m.ApplicationMaintenanceWindowStartTime), aws.ToString(m.ApplicationMaintenanceWindowEndTime)}
	}
	d := create(t, e, "app")
	def := window(d.ApplicationMaintenanceConfigurationDescription)
	if def[0] == "" || def[1] == "" {
		t.Fatalf("create: window %v", def)
	}
	out, err := c.UpdateApplicationMaintenanceConfiguration(ctx, &kinesisanalyticsv2.UpdateApplicationMaintenanceConfigurationInput{ApplicationName: aws.String("app"),
		ApplicationMaintenanceConfigurationUpdate: &types.ApplicationMaintenanceConfigurationUpdate{ApplicationMaintenanceWindowStartTimeUpdate: aws.String("22:30")}})
	if err != nil {
		t.Fatal(err)
	}
	want := [2]string{"22:30", "06:30"}
	if got := window(out.ApplicationMaintenanceConfigurationDescription); got != want || aws.ToString(out.ApplicationARN) != aws.ToString(d.ApplicationARN) {
		t.Errorf("update: window %v, ARN %s; want %v", got, aws.ToString(out.ApplicationARN), want)
	}
	if got := window(describe(t, e, "app").ApplicationMaintenanceConfigurationDescription); got != want {
		t.Errorf("describe: window %v, want %v", got, want)
	}
	v, err := c.DescribeApplicationVersion(ctx, &kinesisanalyticsv2.DescribeApplicationVersionInput{ApplicationName: aws.String("app"), ApplicationVersionId: aws.Int64(1)})
	if err != nil {
		t.Fatal(err)
	}
	if got := window(v.ApplicationVersionDetail.ApplicationMaintenanceConfigurationDescription); got[0] == "" {
		t.Errorf("describe version: window %v", got)
	}

	var invalid *types.InvalidArgumentException
	if _, err := c.UpdateApplicationMaintenanceConfiguration(ctx, &kinesisanalyticsv2.UpdateApplicationMaintenanceConfigurationInput{ApplicationName: aws.String("app"),
		ApplicationMaintenanceConfigurationUpdate: &types.ApplicationMaintenanceConfigurationUpdate{ApplicationMaintenanceWindowStartTimeUpdate: aws.String("24:00")}}); !errors.As(err, &invalid) {
		t.Errorf("start 24:00: %v", err)
	}
	var notFound *types.ResourceNotFoundException
	if _, err := c.UpdateApplicationMaintenanceConfiguration(ctx, &kinesisanalyticsv2.UpdateApplicationMaintenanceConfigurationInput{ApplicationName: aws.String("nope"),
		ApplicationMaintenanceConfigurationUpdate: &types.ApplicationMaintenanceConfigurationUpdate{ApplicationMaintenanceWindowStartTimeUpdate: aws.String("01:00")}}); !errors.As(err, &notFound) {
		t.Errorf("missing application: %v", err)
	}
}
