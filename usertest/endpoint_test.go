package usertest

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2/types"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/lifecycle"
	"github.com/flinksim/go-flinksim/lifecycle/endpoint"
)

// A newcomer drives the local Managed Service for Apache Flink through the
// official Go SDK, written from `go doc ./lifecycle/endpoint` (its "Use"
// section) and the README's aws-sdk-go-v2 line: a lifecycle.Service with a
// registered builder, the endpoint's Handler behind an httptest.Server, and
// kinesisanalyticsv2.Options.BaseEndpoint pointed at it. The application
// goes create → start → RUNNING → update → stop → delete; a stale version
// and a missing application are the SDK's typed errors.
//
// Mutants killed (each planted once in lifecycle/endpoint, run, and
// restored): writeError without __type and x-amzn-ErrorType (the SDK's
// errors are not its typed ones); updateApplication dropping
// EnvironmentPropertyUpdates (the redeployed job reads the old property);
// toDetail reporting ApplicationVersionId 0 (the version one past the one
// read is then the current one, and the "stale" update is accepted).
// (writeError without x-amzn-ErrorType alone survives: the SDK reads
// __type from the body; without both it is killed.)

// propertyJob is a streaming job that waits for records that never come;
// each build reports the property job.mode it was given.
func propertyJob(builds chan<- string) lifecycle.JobBuilder {
	return func(env *flinksim.Environment, job lifecycle.JobContext) error {
		mode, _ := job.Property("job", "mode")
		builds <- mode
		in := flinksim.FromChan(env, "events", make(chan string))
		flinksim.Sink(in, "out", func(string) error { return nil })
		return nil
	}
}

// awaitStatus polls DescribeApplication, as an SDK user must (the API has
// no waiter for it), until the application has status, for at most a
// minute.
func awaitStatus(ctx context.Context, t *testing.T, c *kinesisanalyticsv2.Client, name string, status types.ApplicationStatus) *types.ApplicationDetail {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		out, err := c.DescribeApplication(ctx, &kinesisanalyticsv2.DescribeApplicationInput{ApplicationName: aws.String(name)})
		if err != nil {
			t.Fatalf("waiting for %s: %v", status, err)
		}
		if out.ApplicationDetail.ApplicationStatus == status {
			return out.ApplicationDetail
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			t.Fatalf("%s is still %s, not %s", name, out.ApplicationDetail.ApplicationStatus, status)
		}
	}
}

func TestEndpointThroughTheSDK(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	svc, err := lifecycle.New(lifecycle.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close() }) // after the server: cleanups run last first
	builds := make(chan string, 4)
	if err := svc.RegisterBuilder("property", propertyJob(builds)); err != nil {
		t.Fatal(err)
	}
	if err := svc.Code().Put("code", "app.json", lifecycle.NewCodePackage("property", nil)); err != nil {
		t.Fatal(err)
	}
	h, err := endpoint.New(svc, endpoint.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := kinesisanalyticsv2.New(kinesisanalyticsv2.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
	})

	created, err := c.CreateApplication(ctx, &kinesisanalyticsv2.CreateApplicationInput{
		ApplicationName: aws.String("app"), RuntimeEnvironment: types.RuntimeEnvironmentFlink120,
		ServiceExecutionRole: aws.String("arn:aws:iam::123456789012:role/flink"),
		ApplicationConfiguration: &types.ApplicationConfiguration{
			ApplicationCodeConfiguration: &types.ApplicationCodeConfiguration{
				CodeContentType: types.CodeContentTypeZipfile,
				CodeContent: &types.CodeContent{S3ContentLocation: &types.S3ContentLocation{
					BucketARN: aws.String("arn:aws:s3:::code"), FileKey: aws.String("app.json")}},
			},
			ApplicationSnapshotConfiguration: &types.ApplicationSnapshotConfiguration{SnapshotsEnabled: aws.Bool(true)},
			EnvironmentProperties: &types.EnvironmentProperties{PropertyGroups: []types.PropertyGroup{
				{PropertyGroupId: aws.String("job"), PropertyMap: map[string]string{"mode": "first"}}}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := created.ApplicationDetail.ApplicationStatus; s != types.ApplicationStatusReady {
		t.Fatalf("created: %s", s)
	}

	if _, err := c.StartApplication(ctx, &kinesisanalyticsv2.StartApplicationInput{ApplicationName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	running := awaitStatus(ctx, t, c, "app", types.ApplicationStatusRunning)
	if mode := <-builds; mode != "first" {
		t.Errorf("the job was built with mode %q", mode)
	}

	// An update with a version that is not the current one is refused.
	var conc *types.ConcurrentModificationException
	_, err = c.UpdateApplication(ctx, &kinesisanalyticsv2.UpdateApplicationInput{ApplicationName: aws.String("app"),
		CurrentApplicationVersionId: aws.Int64(aws.ToInt64(running.ApplicationVersionId) + 1)})
	if !errors.As(err, &conc) {
		t.Errorf("update with a stale version: %v", err)
	}
	upd, err := c.UpdateApplication(ctx, &kinesisanalyticsv2.UpdateApplicationInput{ApplicationName: aws.String("app"),
		CurrentApplicationVersionId: running.ApplicationVersionId,
		ApplicationConfigurationUpdate: &types.ApplicationConfigurationUpdate{EnvironmentPropertyUpdates: &types.EnvironmentPropertyUpdates{
			PropertyGroups: []types.PropertyGroup{{PropertyGroupId: aws.String("job"), PropertyMap: map[string]string{"mode": "second"}}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The Service is the caller's too: it waits for the update by event.
	op, err := svc.WaitForOperation(ctx, "app", aws.ToString(upd.OperationId))
	if err != nil || op.OperationStatus != lifecycle.OperationSuccessful {
		t.Fatalf("update: %v %v", op.OperationStatus, err)
	}
	if mode := <-builds; mode != "second" {
		t.Errorf("the updated job was built with mode %q", mode)
	}
	updated := awaitStatus(ctx, t, c, "app", types.ApplicationStatusRunning)
	if v := aws.ToInt64(updated.ApplicationVersionId); v != aws.ToInt64(running.ApplicationVersionId)+1 {
		t.Errorf("version after the update: %d", v)
	}

	stop, err := c.StopApplication(ctx, &kinesisanalyticsv2.StopApplicationInput{ApplicationName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.WaitForOperation(ctx, "app", aws.ToString(stop.OperationId)); err != nil {
		t.Fatal(err)
	}
	stopped := awaitStatus(ctx, t, c, "app", types.ApplicationStatusReady)

	if _, err := c.DeleteApplication(ctx, &kinesisanalyticsv2.DeleteApplicationInput{ApplicationName: aws.String("app"),
		CreateTimestamp: stopped.CreateTimestamp}); err != nil {
		t.Fatal(err)
	}
	var notFound *types.ResourceNotFoundException
	if _, err := c.DescribeApplication(ctx, &kinesisanalyticsv2.DescribeApplicationInput{ApplicationName: aws.String("app")}); !errors.As(err, &notFound) {
		t.Errorf("describe after delete: %v", err)
	}
	if _, err := c.StartApplication(ctx, &kinesisanalyticsv2.StartApplicationInput{ApplicationName: aws.String("nope")}); !errors.As(err, &notFound) {
		t.Errorf("start of a missing application: %v", err)
	}
}
