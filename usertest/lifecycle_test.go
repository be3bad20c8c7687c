package usertest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/lifecycle"
)

// A newcomer's automation of an application of the in-process Managed
// Service for Apache Flink, written from `go doc ./lifecycle`: put a build in
// the service's code store, create the application from it, start it, scale
// it with an update, take a snapshot, stop, start again from that snapshot,
// and delete it. The job is a keyed count over the log source of
// sources_test.go, so the test can tell which state each start restored.
//
// Mutants killed (each planted once in the lifecycle package, run, and
// restored): RESTORE_FROM_CUSTOM_SNAPSHOT restoring the latest snapshot
// instead (the first count after the restart is 21, not 16); an update of a
// running application taking no snapshot (its first count is 1, not 11);
// Service.Wait returning nil for a deleted application.

// tally is what the job's sink has seen: the last count, and the first
// count of each run of the job (each call of the builder).
type tally struct {
	mu      sync.Mutex
	runs    int
	first   map[int]int
	last    int
	changed chan struct{}
}

func newTally() *tally { return &tally{first: map[int]int{}, changed: make(chan struct{})} }

func (t *tally) newRun() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.runs++
	return t.runs
}

func (t *tally) saw(run, n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.first[run]; !ok {
		t.first[run] = n
	}
	t.last = n
	close(t.changed)
	t.changed = make(chan struct{})
}

// await waits until cond holds of the tally.
func (t *tally) await(ctx context.Context, what string, cond func(t *tally) bool) error {
	for {
		t.mu.Lock()
		ok, changed := cond(t), t.changed
		t.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		}
	}
}

// counterJob is the application's main(): every record of the log counted
// under one key; the sink sees the running count.
func counterJob(log *appendLog, seen *tally) lifecycle.JobBuilder {
	return func(env *flinksim.Environment, job lifecycle.JobContext) error {
		run := seen.newRun()
		records := flinksim.FromSource(env, "log", logSource{log: log}, flinksim.Parallelism(1))
		counts := flinksim.Process(flinksim.KeyBy(records, func(int) int { return 0 }), "count",
			func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error) {
				n := flinksim.NewValueState[int](rt, "n")
				return flinksim.ProcessFunc[int, int, int](func(_ *flinksim.KeyedContext[int], _ int, out flinksim.Collector[int]) error {
					c, _ := n.Value()
					n.Update(c + 1)
					out.Collect(c + 1)
					return nil
				}), nil
			})
		flinksim.Sink(counts, "seen", func(n int) error { seen.saw(run, n); return nil })
		return nil
	}
}

func TestLifecycleAutomation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	svc, err := lifecycle.New(lifecycle.Options{})
	must(err, "New")
	defer func() { must(svc.Close(), "Close") }()
	log, seen := newAppendLog(), newTally()
	must(svc.RegisterBuilder("counter", counterJob(log, seen)), "RegisterBuilder")

	// The build drops its package in the bucket.
	must(svc.Code().Put("builds", "counter-1.0.zip", lifecycle.NewCodePackage("counter", map[string]string{"version": "1.0"})), "Put")

	const app = "counter"
	created, err := svc.CreateApplication(ctx, lifecycle.CreateApplicationRequest{
		ApplicationName:      app,
		RuntimeEnvironment:   lifecycle.RuntimeFlink1_20,
		ServiceExecutionRole: "arn:aws:iam::123456789012:role/counter",
		ApplicationConfiguration: &lifecycle.ApplicationConfiguration{
			ApplicationCodeConfiguration: &lifecycle.ApplicationCodeConfiguration{
				CodeContentType: lifecycle.CodeZipFile,
				CodeContent: lifecycle.CodeContent{S3ContentLocation: &lifecycle.S3ContentLocation{
					BucketARN: "arn:aws:s3:::builds", FileKey: "counter-1.0.zip"}},
			},
			ApplicationSnapshotConfiguration: &lifecycle.ApplicationSnapshotConfiguration{SnapshotsEnabled: true},
			FlinkApplicationConfiguration: &lifecycle.FlinkApplicationConfiguration{
				ParallelismConfiguration: &lifecycle.ParallelismConfiguration{ConfigurationType: lifecycle.ConfigurationCustom,
					Parallelism: 1, AutoScalingEnabled: new(false)},
			},
		},
	})
	must(err, "CreateApplication")
	if d := created.ApplicationDetail; d.ApplicationStatus != lifecycle.StatusReady || d.ApplicationVersionID != 1 {
		t.Fatalf("created %s at version %d, want READY at 1", d.ApplicationStatus, d.ApplicationVersionID)
	}

	// Start, and wait until it runs.
	_, err = svc.StartApplication(ctx, lifecycle.StartApplicationRequest{ApplicationName: app})
	must(err, "StartApplication")
	_, err = svc.WaitForStatus(ctx, app, lifecycle.StatusRunning)
	must(err, "WaitForStatus RUNNING")
	feed := func(n int) {
		for range n {
			log.append(1)
		}
	}
	reach := func(n int) {
		t.Helper()
		must(seen.await(ctx, fmt.Sprintf("a count of %d", n), func(t *tally) bool { return t.last >= n }), "the job's output")
	}
	// firstOf waits for the first output of the job's run-th build.
	firstOf := func(run int) int {
		t.Helper()
		var first int
		must(seen.await(ctx, fmt.Sprintf("the first output of run %d", run), func(t *tally) bool {
			n, ok := t.first[run]
			first = n
			return ok
		}), "the job's output")
		return first
	}
	feed(10)
	reach(10)
	if first := firstOf(1); first != 1 {
		t.Fatalf("the first start counted first %d, want 1", first)
	}

	// Scale to 2 with an update: an operation on a running application.
	d, err := svc.DescribeApplication(ctx, lifecycle.DescribeApplicationRequest{ApplicationName: app})
	must(err, "DescribeApplication")
	upd, err := svc.UpdateApplication(ctx, lifecycle.UpdateApplicationRequest{
		ApplicationName:             app,
		CurrentApplicationVersionID: d.ApplicationDetail.ApplicationVersionID,
		ApplicationConfigurationUpdate: &lifecycle.ApplicationConfigurationUpdate{
			FlinkApplicationConfigurationUpdate: &lifecycle.FlinkApplicationConfigurationUpdate{
				ParallelismConfigurationUpdate: &lifecycle.ParallelismConfigurationUpdate{
					ConfigurationTypeUpdate: lifecycle.ConfigurationCustom, ParallelismUpdate: 2}}},
	})
	must(err, "UpdateApplication")
	if upd.OperationID == "" {
		t.Fatal("the update of a running application has no operation id")
	}
	op, err := svc.WaitForOperation(ctx, app, upd.OperationID)
	must(err, "WaitForOperation")
	if op.OperationStatus != lifecycle.OperationSuccessful {
		t.Fatalf("the update ended %s: %+v", op.OperationStatus, op.OperationFailureDetails)
	}
	d, err = svc.DescribeApplication(ctx, lifecycle.DescribeApplicationRequest{ApplicationName: app})
	must(err, "DescribeApplication")
	par := d.ApplicationDetail.ApplicationConfigurationDescription.FlinkApplicationConfigurationDescription.ParallelismConfigurationDescription
	if d.ApplicationDetail.ApplicationStatus != lifecycle.StatusRunning || d.ApplicationDetail.ApplicationVersionID != 2 || par.CurrentParallelism != 2 {
		t.Fatalf("after the update: %s, version %d, parallelism %d; want RUNNING, 2, 2",
			d.ApplicationDetail.ApplicationStatus, d.ApplicationDetail.ApplicationVersionID, par.CurrentParallelism)
	}
	// The update went through a snapshot: the new job's count resumes at
	// 10, so its first output, for the next record, is 11.
	feed(5)
	if first := firstOf(2); first != 11 {
		t.Fatalf("after the update the job counted first %d, want 11", first)
	}
	reach(15)

	// A snapshot of our own, then wait until it is READY.
	_, err = svc.CreateApplicationSnapshot(ctx, lifecycle.CreateApplicationSnapshotRequest{ApplicationName: app, SnapshotName: "at-15"})
	must(err, "CreateApplicationSnapshot")
	var snap lifecycle.SnapshotDetails
	_, err = svc.Wait(ctx, app, func(lifecycle.ApplicationDetail) bool {
		list, err := svc.ListApplicationSnapshots(ctx, lifecycle.ListApplicationSnapshotsRequest{ApplicationName: app})
		if err != nil {
			return true // reported below
		}
		for _, s := range list.SnapshotSummaries {
			if s.SnapshotName == "at-15" && s.SnapshotStatus != lifecycle.SnapshotCreating {
				snap = s
				return true
			}
		}
		return false
	})
	must(err, "waiting for the snapshot")
	if snap.SnapshotStatus != lifecycle.SnapshotReady || snap.ApplicationVersionID != 2 {
		t.Fatalf("snapshot at-15: %+v, want READY of version 2", snap)
	}

	// More records after the snapshot, then stop.
	feed(5)
	reach(20)
	stop, err := svc.StopApplication(ctx, lifecycle.StopApplicationRequest{ApplicationName: app})
	must(err, "StopApplication")
	op, err = svc.WaitForOperation(ctx, app, stop.OperationID)
	must(err, "WaitForOperation stop")
	if op.OperationStatus != lifecycle.OperationSuccessful {
		t.Fatalf("the stop ended %s", op.OperationStatus)
	}
	_, err = svc.WaitForStatus(ctx, app, lifecycle.StatusReady)
	must(err, "WaitForStatus READY")

	// Start again from our snapshot: the count resumes at 15 and the
	// source re-reads the 5 records after it, so the first count is 16
	// (restoring the stop's snapshot instead would make it 21).
	runsBefore := func() int { seen.mu.Lock(); defer seen.mu.Unlock(); return seen.runs }()
	if runsBefore != 2 {
		t.Fatalf("the builder ran %d times before the restart, want 2 (the start and the update)", runsBefore)
	}
	_, err = svc.StartApplication(ctx, lifecycle.StartApplicationRequest{ApplicationName: app,
		RunConfiguration: &lifecycle.RunConfiguration{ApplicationRestoreConfiguration: &lifecycle.ApplicationRestoreConfiguration{
			ApplicationRestoreType: lifecycle.RestoreFromCustomSnapshot, SnapshotName: "at-15"}}})
	must(err, "StartApplication from at-15")
	_, err = svc.WaitForStatus(ctx, app, lifecycle.StatusRunning)
	must(err, "WaitForStatus RUNNING again")
	feed(1)
	if first := firstOf(3); first != 16 {
		t.Fatalf("the start from snapshot at-15 counted first %d, want 16", first)
	}
	reach(21)
	d, err = svc.DescribeApplication(ctx, lifecycle.DescribeApplicationRequest{ApplicationName: app})
	must(err, "DescribeApplication")
	if rc := d.ApplicationDetail.ApplicationConfigurationDescription.RunConfigurationDescription; rc == nil ||
		rc.ApplicationRestoreConfigurationDescription.SnapshotName != "at-15" {
		t.Fatalf("RunConfigurationDescription %+v does not name snapshot at-15", rc)
	}

	// Delete it, with its CreateTimestamp, then it is gone.
	_, err = svc.DeleteApplication(ctx, lifecycle.DeleteApplicationRequest{ApplicationName: app,
		CreateTimestamp: d.ApplicationDetail.CreateTimestamp})
	must(err, "DeleteApplication")
	_, err = svc.Wait(ctx, app, func(lifecycle.ApplicationDetail) bool { return false })
	var notFound *lifecycle.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("waiting on a deleted application: %v, want a ResourceNotFoundException", err)
	}
	_, err = svc.DescribeApplication(ctx, lifecycle.DescribeApplicationRequest{ApplicationName: app})
	if !errors.As(err, &notFound) || notFound.ErrorCode() != "ResourceNotFoundException" {
		t.Fatalf("DescribeApplication after the deletion: %v, want a ResourceNotFoundException", err)
	}
	list, err := svc.ListApplications(ctx, lifecycle.ListApplicationsRequest{})
	must(err, "ListApplications")
	if len(list.ApplicationSummaries) != 0 {
		t.Fatalf("ListApplications after the deletion: %+v", list.ApplicationSummaries)
	}
}
