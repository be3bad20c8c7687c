package lifecycle_test

import (
	"context"
	"fmt"
	"log"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/lifecycle"
)

// An application's lifecycle: a job builder registered under a name, a code
// package naming it in the code store, then create, start, update (through
// a snapshot), stop, and the versions and operations it left.
func Example() {
	ctx := context.Background()
	s, err := lifecycle.New(lifecycle.Options{}) // in memory; Options.Dir keeps it on disk
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	// The job: what a Flink application's main() builds.
	_ = s.RegisterBuilder("clicks", func(env *flinksim.Environment, job lifecycle.JobContext) error {
		clicks := flinksim.FromChan(env, "clicks", make(chan string))
		counts := flinksim.Reduce(flinksim.KeyBy(clicks, func(page string) string { return page }), "count",
			func(a, b string) (string, error) { return a, nil })
		flinksim.Sink(counts, "out", func(string) error { return nil })
		return nil
	})
	_ = s.Code().Put("my-bucket", "clicks.zip", lifecycle.NewCodePackage("clicks", nil))

	created, err := s.CreateApplication(ctx, lifecycle.CreateApplicationRequest{
		ApplicationName:      "clicks",
		RuntimeEnvironment:   lifecycle.RuntimeFlink1_20,
		ServiceExecutionRole: "arn:aws:iam::123456789012:role/flink",
		ApplicationConfiguration: &lifecycle.ApplicationConfiguration{
			ApplicationCodeConfiguration: &lifecycle.ApplicationCodeConfiguration{
				CodeContentType: lifecycle.CodeZipFile,
				CodeContent: lifecycle.CodeContent{S3ContentLocation: &lifecycle.S3ContentLocation{
					BucketARN: "arn:aws:s3:::my-bucket", FileKey: "clicks.zip"}},
			},
			ApplicationSnapshotConfiguration: &lifecycle.ApplicationSnapshotConfiguration{SnapshotsEnabled: true},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(created.ApplicationDetail.ApplicationStatus, "version", created.ApplicationDetail.ApplicationVersionID)

	started, err := s.StartApplication(ctx, lifecycle.StartApplicationRequest{ApplicationName: "clicks"})
	if err != nil {
		log.Fatal(err)
	}
	op, _ := s.WaitForOperation(ctx, "clicks", started.OperationID)
	fmt.Println("start:", op.OperationStatus)

	updated, err := s.UpdateApplication(ctx, lifecycle.UpdateApplicationRequest{
		ApplicationName:             "clicks",
		CurrentApplicationVersionID: 1,
		ApplicationConfigurationUpdate: &lifecycle.ApplicationConfigurationUpdate{
			FlinkApplicationConfigurationUpdate: &lifecycle.FlinkApplicationConfigurationUpdate{
				ParallelismConfigurationUpdate: &lifecycle.ParallelismConfigurationUpdate{
					ConfigurationTypeUpdate: lifecycle.ConfigurationCustom, ParallelismUpdate: 2}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	op, _ = s.WaitForOperation(ctx, "clicks", updated.OperationID)
	fmt.Println("update to version", updated.ApplicationDetail.ApplicationVersionID, op.OperationStatus)

	// The same version id again is stale.
	_, err = s.UpdateApplication(ctx, lifecycle.UpdateApplicationRequest{ApplicationName: "clicks", CurrentApplicationVersionID: 1})
	if e, ok := err.(lifecycle.APIError); ok {
		fmt.Println(e.ErrorCode())
	}

	stopped, _ := s.StopApplication(ctx, lifecycle.StopApplicationRequest{ApplicationName: "clicks"})
	op, _ = s.WaitForOperation(ctx, "clicks", stopped.OperationID)
	d, _ := s.DescribeApplication(ctx, lifecycle.DescribeApplicationRequest{ApplicationName: "clicks"})
	fmt.Println("stop:", op.OperationStatus, d.ApplicationDetail.ApplicationStatus)

	snaps, _ := s.ListApplicationSnapshots(ctx, lifecycle.ListApplicationSnapshotsRequest{ApplicationName: "clicks"})
	fmt.Println(len(snaps.SnapshotSummaries), "snapshots: the update's and the stop's")
	// Output:
	// READY version 1
	// start: SUCCESSFUL
	// update to version 2 SUCCESSFUL
	// ConcurrentModificationException
	// stop: SUCCESSFUL READY
	// 2 snapshots: the update's and the stop's
}
