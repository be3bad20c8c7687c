// Command lifecycle walks the happy path of an application's lifecycle in
// Amazon Managed Service for Apache Flink, as the article on the lifecycle
// of a Managed Service for Apache Flink application describes it, on the
// in-process service of package lifecycle:
//
//	go run ./examples/lifecycle [--dir DIR]
//
// It uploads two code packages (the stand-ins for a JAR, v1 and v2) into a
// bucket, creates an application, and then drives it with the API's
// actions, printing every status change and the state the job keeps:
//
//  1. CreateApplication: READY, version 1.
//  2. StartApplication: READY -> STARTING -> RUNNING, counting from empty
//     state.
//  3. UpdateApplication to the code v2: RUNNING -> UPDATING -> RUNNING,
//     version 2, the state kept through a snapshot.
//  4. UpdateApplication to parallelism 4 (scaling): version 3, state kept.
//  5. CreateApplicationSnapshot of the running job, as a scheduled snapshot
//     would be taken.
//  6. StopApplication: RUNNING -> STOPPING -> READY, with a snapshot.
//  7. StartApplication from the latest snapshot: the counts go on.
//  8. StopApplication, then StartApplication from the older snapshot of
//     step 5: the counts go back, and the output since that snapshot is
//     emitted again — the duplicate output the article warns of.
//  9. ListApplicationSnapshots, ListApplicationVersions and
//     ListApplicationOperations.
//  10. DeleteApplication: RUNNING -> DELETING -> deleted.
//
// Each action waits for its operation with WaitForOperation, and for the
// deletion with Wait. The statuses in between last milliseconds here
// (minutes in the real service): too short for a DescribeApplication after
// the action to be sure to see them. So each is taken where it must hold:
// UPDATING from UpdateApplication's response; STARTING by the job's main()
// (the JobBuilder), which the service runs while the application starts;
// STOPPING and DELETING by the job's sink as the job ends, which the
// service waits for before it leaves those statuses.
//
// The job is a streaming keyed count: a source of events "user-0" to
// "user-4" whose position is in every checkpoint and snapshot, a count per
// user in keyed state, and a sink that keeps the running totals. After each
// update, scaling and restart the program waits for the job to emit more
// records — an event the sink signals, not a time — and compares the
// counts with those before: a count that went on from exactly where it
// was shows that the state was kept, and no output was repeated.
//
// The service's catalog — applications, versions, operations, snapshots —
// lives in DIR (default lifecycle-data, in the current directory), and the
// bucket of code packages is the directory DIR/s3/flinksim-code, so the
// packages can be looked at as files. The run ends by deleting the
// application, so a second run starts clean; an application left by an
// interrupted run is deleted first, with a message saying so.
//
// The program exits with status 0 when the walk completes (and with
// --help), 1 with a one-line message when a step fails, and 2 on bad
// flags or arguments.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/lifecycle"
)

const (
	appName   = "counter"
	builder   = "counter"
	bucket    = "flinksim-code"
	bucketARN = "arn:aws:s3:::" + bucket
	codeV1    = "counter-v1.zip"
	codeV2    = "counter-v2.zip"
	role      = "arn:aws:iam::123456789012:role/flinksim-lifecycle-example"
	// snapshotName is the snapshot taken of the running job, as a
	// scheduled snapshot would be, to restart from later.
	snapshotName = "scheduled-1"

	// users is how many users the events cycle through; watched is the
	// one whose count the program reports.
	users   = 5
	watched = "user-3"
	// step is how many records the job emits between two steps.
	step = 5000
	// startParallelism and scaledParallelism are the parallelism before
	// and after the scaling.
	startParallelism  = 2
	scaledParallelism = 4
	// timeout bounds the whole walk, so that a step that never completes
	// fails the run instead of hanging it.
	timeout = 2 * time.Minute
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// usageError is a bad flag or argument: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// realMain runs the program and returns its exit status.
func realMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := run(ctx, args, stdout, stderr)
	var usage usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usage):
		fmt.Fprintln(stderr, "lifecycle:", oneLine(err))
		return 2
	default:
		fmt.Fprintln(stderr, "lifecycle:", oneLine(err))
		return 1
	}
}

// oneLine keeps the first line of an error's message (a job builder's
// panic carries its stack).
func oneLine(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return msg
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lifecycle", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "lifecycle-data", "keep the service's catalog and the code bucket (`DIR`/s3/"+bucket+") in directory DIR")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: lifecycle [--dir DIR]")
		fmt.Fprintln(stderr, "walks an application through create, start, update, scale, stop, start from a snapshot and delete")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return usageError{fmt.Errorf("takes no arguments, got %q", fs.Args())}
	}
	if *dir == "" {
		return usageError{errors.New("--dir needs a directory, got \"\"")}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	code := lifecycle.DirCodeStore{Dir: filepath.Join(*dir, "s3")}
	svc, err := lifecycle.New(lifecycle.Options{Dir: *dir, Code: code})
	if err != nil {
		return fmt.Errorf("opening the service in %s: %w", *dir, err)
	}
	defer svc.Close()
	d, err := newDemo(ctx, svc, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "catalog in %s, code bucket s3://%s in %s\n", *dir, bucket, filepath.Join(code.Dir, bucket))
	err = d.removeLeftover()
	if err == nil {
		err = d.upload(code)
	}
	if err == nil {
		err = d.walk()
	}
	if err != nil && ctx.Err() != nil {
		if errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
			return fmt.Errorf("timed out after %v: %w", timeout, err)
		}
		return fmt.Errorf("interrupted: %w", err)
	}
	return err
}

// demo is one walk through the lifecycle.
type demo struct {
	ctx  context.Context
	svc  *lifecycle.Service
	out  io.Writer
	jobs *tracker
}

// newDemo registers the application's job builder with svc.
func newDemo(ctx context.Context, svc *lifecycle.Service, out io.Writer) (*demo, error) {
	d := &demo{ctx: ctx, svc: svc, out: out}
	d.jobs = newTracker(func() lifecycle.ApplicationStatus {
		app, err := svc.DescribeApplication(ctx, lifecycle.DescribeApplicationRequest{ApplicationName: appName})
		if err != nil {
			return ""
		}
		return app.ApplicationDetail.ApplicationStatus
	})
	if err := svc.RegisterBuilder(builder, countingJob(d.jobs)); err != nil {
		return nil, err
	}
	return d, nil
}

// walk is the happy path.
func (d *demo) walk() error {
	// 1. Create.
	fmt.Fprintf(d.out, "\n1. CreateApplication %s: code s3://%s/%s, snapshots enabled, parallelism %d\n", appName, bucket, codeV1, startParallelism)
	if err := d.create(); err != nil {
		return err
	}

	// 2. Start.
	fmt.Fprintln(d.out, "\n2. StartApplication")
	if err := d.start(nil); err != nil {
		return err
	}
	first, err := d.progress()
	if err != nil {
		return err
	}
	n, all := first.counts()
	fmt.Fprintf(d.out, "   version %d: code %s, parallelism %d, counting from empty state: %s = %d\n",
		first.version, first.code, first.parallelism, watched, n)
	fmt.Fprintf(d.out, "   counts: %s\n", all)

	// 3. Update the code.
	fmt.Fprintf(d.out, "\n3. UpdateApplication: code s3://%s/%s\n", bucket, codeV2)
	cur, err := d.update(&lifecycle.ApplicationConfigurationUpdate{
		ApplicationCodeConfigurationUpdate: &lifecycle.ApplicationCodeConfigurationUpdate{
			CodeContentUpdate: &lifecycle.CodeContentUpdate{S3ContentLocationUpdate: &lifecycle.S3ContentLocationUpdate{FileKeyUpdate: codeV2}}}})
	if err != nil {
		return err
	}
	if err := d.kept(first, cur, "before the update"); err != nil {
		return err
	}

	// 4. Scale.
	fmt.Fprintf(d.out, "\n4. UpdateApplication: parallelism %d -> %d\n", startParallelism, scaledParallelism)
	prev := cur
	if cur, err = d.update(&lifecycle.ApplicationConfigurationUpdate{
		FlinkApplicationConfigurationUpdate: &lifecycle.FlinkApplicationConfigurationUpdate{
			ParallelismConfigurationUpdate: &lifecycle.ParallelismConfigurationUpdate{
				ConfigurationTypeUpdate: lifecycle.ConfigurationCustom, ParallelismUpdate: scaledParallelism}}}); err != nil {
		return err
	}
	if err := d.kept(prev, cur, "before the scaling"); err != nil {
		return err
	}
	if err := d.printJob(); err != nil {
		return err
	}

	// 5. A snapshot of the running job.
	fmt.Fprintf(d.out, "\n5. CreateApplicationSnapshot %s\n", snapshotName)
	asked := cur.last(watched)
	if err := d.snapshot(snapshotName); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "   taken while the job ran on (%s was at %d when it was asked for)\n", watched, asked)
	if _, err := d.wait(cur, step); err != nil {
		return err
	}

	// 6. Stop, with a snapshot.
	fmt.Fprintln(d.out, "\n6. StopApplication")
	if err := d.stop(); err != nil {
		return err
	}
	latest, err := d.latestSnapshot()
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "   snapshot %s taken at the stop: %s = %d\n", latest, watched, cur.last(watched))

	// 7. Start from the latest snapshot.
	fmt.Fprintf(d.out, "\n7. StartApplication with %s\n", lifecycle.RestoreFromLatestSnapshot)
	if err := d.start(&lifecycle.ApplicationRestoreConfiguration{ApplicationRestoreType: lifecycle.RestoreFromLatestSnapshot}); err != nil {
		return err
	}
	prev = cur
	if cur, err = d.progress(); err != nil {
		return err
	}
	if err := d.kept(prev, cur, "at the stop"); err != nil {
		return err
	}

	// 8. Stop, and start from the older snapshot of step 5.
	fmt.Fprintf(d.out, "\n8. StopApplication, then StartApplication with %s %s\n", lifecycle.RestoreFromCustomSnapshot, snapshotName)
	if err := d.stop(); err != nil {
		return err
	}
	reached := cur.last(watched)
	fmt.Fprintf(d.out, "   %s = %d at the stop\n", watched, reached)
	if err := d.start(&lifecycle.ApplicationRestoreConfiguration{
		ApplicationRestoreType: lifecycle.RestoreFromCustomSnapshot, SnapshotName: snapshotName}); err != nil {
		return err
	}
	if cur, err = d.progress(); err != nil {
		return err
	}
	again := cur.firstOf(watched)
	if again > reached {
		return fmt.Errorf("after the start from %s, %s counted from %d, past the %d it had reached: the older snapshot was not restored", snapshotName, watched, again, reached)
	}
	fmt.Fprintf(d.out, "   version %d: restored %s, counts went back: %s counted %d again (it had reached %d), %d outputs repeated\n",
		cur.version, snapshotName, watched, again, reached, cur.repeatedOutputs())
	fmt.Fprintf(d.out, "   the article's warning: a start from an older snapshot emits again the output since that snapshot\n")
	_, all = cur.counts()
	fmt.Fprintf(d.out, "   counts: %s\n", all)

	// 9. What the service recorded.
	fmt.Fprintln(d.out, "\n9. ListApplicationSnapshots, ListApplicationVersions, ListApplicationOperations")
	if err := d.printSnapshots(); err != nil {
		return err
	}
	if err := d.printVersions(); err != nil {
		return err
	}
	if err := d.printOperations(); err != nil {
		return err
	}

	// 10. Delete.
	fmt.Fprintln(d.out, "\n10. DeleteApplication")
	if err := d.delete(); err != nil {
		return err
	}
	list, err := d.svc.ListApplications(d.ctx, lifecycle.ListApplicationsRequest{})
	if err != nil {
		return fmt.Errorf("ListApplications: %w", err)
	}
	names := []string{}
	for _, a := range list.ApplicationSummaries {
		names = append(names, a.ApplicationName)
	}
	if len(names) == 0 {
		fmt.Fprintln(d.out, "   applications left: none")
	} else {
		fmt.Fprintf(d.out, "   applications left: %s\n", strings.Join(names, ", "))
	}
	return nil
}

// upload puts the code packages v1 and v2 in the bucket, as a build does.
func (d *demo) upload(code lifecycle.DirCodeStore) error {
	for _, key := range []string{codeV1, codeV2} {
		pkg := lifecycle.NewCodePackage(builder, map[string]string{"version": strings.TrimSuffix(strings.TrimPrefix(key, "counter-"), ".zip")})
		if err := code.Put(bucket, key, pkg); err != nil {
			return fmt.Errorf("uploading the code package: %w", err)
		}
		fmt.Fprintf(d.out, "uploaded s3://%s/%s (%d bytes): %s\n", bucket, key, len(pkg), filepath.Join(code.Dir, bucket, key))
	}
	return nil
}

// create creates the application: READY, version 1, code v1, snapshots
// enabled, autoscaling off.
func (d *demo) create() error {
	created, err := d.svc.CreateApplication(d.ctx, lifecycle.CreateApplicationRequest{
		ApplicationName:        appName,
		ApplicationDescription: "a keyed count of events per user",
		RuntimeEnvironment:     lifecycle.RuntimeFlink1_20,
		ServiceExecutionRole:   role,
		ApplicationConfiguration: &lifecycle.ApplicationConfiguration{
			ApplicationCodeConfiguration: &lifecycle.ApplicationCodeConfiguration{
				CodeContentType: lifecycle.CodeZipFile,
				CodeContent: lifecycle.CodeContent{S3ContentLocation: &lifecycle.S3ContentLocation{
					BucketARN: bucketARN, FileKey: codeV1}},
			},
			ApplicationSnapshotConfiguration: &lifecycle.ApplicationSnapshotConfiguration{SnapshotsEnabled: true},
			FlinkApplicationConfiguration: &lifecycle.FlinkApplicationConfiguration{
				CheckpointConfiguration: &lifecycle.CheckpointConfiguration{ConfigurationType: lifecycle.ConfigurationCustom,
					CheckpointInterval: 500, MinPauseBetweenCheckpoints: ptr(int64(500))},
				ParallelismConfiguration: &lifecycle.ParallelismConfiguration{ConfigurationType: lifecycle.ConfigurationCustom,
					Parallelism: startParallelism, AutoScalingEnabled: ptr(false)},
			},
		},
	})
	if err != nil {
		return fmt.Errorf("CreateApplication: %w", err)
	}
	app := created.ApplicationDetail
	codeDesc := app.ApplicationConfigurationDescription.ApplicationCodeConfigurationDescription.CodeContentDescription
	fmt.Fprintf(d.out, "   status: %s, version %d, the service's copy of the code: md5 %s, %d bytes\n",
		app.ApplicationStatus, app.ApplicationVersionID, codeDesc.CodeMD5, codeDesc.CodeSize)
	return nil
}

// removeLeftover deletes the application an interrupted run left in the
// catalog, if any.
func (d *demo) removeLeftover() error {
	out, err := d.svc.DescribeApplication(d.ctx, lifecycle.DescribeApplicationRequest{ApplicationName: appName})
	var notFound *lifecycle.ResourceNotFoundException
	if errors.As(err, &notFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("DescribeApplication: %w", err)
	}
	app := out.ApplicationDetail
	fmt.Fprintf(d.out, "found application %s left by an earlier run (%s, version %d): deleting it\n",
		appName, app.ApplicationStatus, app.ApplicationVersionID)
	if app.ApplicationStatus != lifecycle.StatusReady && app.ApplicationStatus != lifecycle.StatusRunning {
		// Resuming, or stuck in an operation: a forced stop ends it.
		stop, err := d.svc.StopApplication(d.ctx, lifecycle.StopApplicationRequest{ApplicationName: appName, Force: true})
		if err != nil {
			return fmt.Errorf("StopApplication with Force: %w", err)
		}
		if _, err := d.svc.WaitForOperation(d.ctx, appName, stop.OperationID); err != nil {
			return err
		}
		if _, err := d.svc.WaitForStatus(d.ctx, appName, lifecycle.StatusReady); err != nil {
			return err
		}
	}
	if err := d.deleteApp(); err != nil {
		return err
	}
	if _, err := d.svc.Wait(d.ctx, appName, func(lifecycle.ApplicationDetail) bool { return false }); !errors.As(err, &notFound) {
		return fmt.Errorf("deleting the application left by an earlier run: %w", err)
	}
	d.jobs.forget()
	return nil
}

func (d *demo) describe() (lifecycle.ApplicationDetail, error) {
	out, err := d.svc.DescribeApplication(d.ctx, lifecycle.DescribeApplicationRequest{ApplicationName: appName})
	if err != nil {
		return lifecycle.ApplicationDetail{}, fmt.Errorf("DescribeApplication: %w", err)
	}
	return out.ApplicationDetail, nil
}

// follow runs action, which starts an operation, waits until the
// operation completes, and prints the statuses the application went
// through: the one before, the one during the operation, and the one
// after. during says which status the application had during the
// operation; it is called once the operation completed.
func (d *demo) follow(name string, action func() (op string, err error), during func() lifecycle.ApplicationStatus) error {
	before, err := d.describe()
	if err != nil {
		return err
	}
	op, err := action()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	details, err := d.svc.WaitForOperation(d.ctx, appName, op)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if details.OperationStatus != lifecycle.OperationSuccessful {
		why := ""
		if f := details.OperationFailureDetails; f != nil {
			why = ": " + f.ErrorInfo.ErrorString
		}
		return fmt.Errorf("%s: operation %s is %s%s", name, op, details.OperationStatus, why)
	}
	after, err := d.describe()
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "   status: %s\n", trail(before.ApplicationStatus, during(), after.ApplicationStatus))
	return nil
}

// trail is a sequence of statuses, as "READY -> STARTING -> RUNNING",
// leaving out those not known ("").
func trail(statuses ...lifecycle.ApplicationStatus) string {
	var s []string
	for _, st := range statuses {
		if st != "" {
			s = append(s, string(st))
		}
	}
	return strings.Join(s, " -> ")
}

// start starts the application, restoring as restore says (nil: the
// default, the latest snapshot). The status during the start is the one
// the job's main() saw.
func (d *demo) start(restore *lifecycle.ApplicationRestoreConfiguration) error {
	return d.follow("StartApplication", func() (string, error) {
		in := lifecycle.StartApplicationRequest{ApplicationName: appName}
		if restore != nil {
			in.RunConfiguration = &lifecycle.RunConfiguration{ApplicationRestoreConfiguration: restore}
		}
		out, err := d.svc.StartApplication(d.ctx, in)
		return out.OperationID, err
	}, func() lifecycle.ApplicationStatus { return d.jobs.current().builtDuring() })
}

// stop stops the application, with a snapshot. The status during the stop
// is the one the job saw as it ended.
func (d *demo) stop() error {
	job := d.jobs.current()
	return d.follow("StopApplication", func() (string, error) {
		out, err := d.svc.StopApplication(d.ctx, lifecycle.StopApplicationRequest{ApplicationName: appName})
		return out.OperationID, err
	}, job.endedDuring)
}

// update applies u to the running application's current version, and
// returns the job of the new version once it has emitted step records.
// The status during the update is the one UpdateApplication's response
// gives.
func (d *demo) update(u *lifecycle.ApplicationConfigurationUpdate) (*jobRun, error) {
	app, err := d.describe()
	if err != nil {
		return nil, err
	}
	var updated lifecycle.ApplicationDetail
	if err := d.follow("UpdateApplication", func() (string, error) {
		out, err := d.svc.UpdateApplication(d.ctx, lifecycle.UpdateApplicationRequest{ApplicationName: appName,
			CurrentApplicationVersionID: app.ApplicationVersionID, ApplicationConfigurationUpdate: u})
		updated = out.ApplicationDetail
		return out.OperationID, err
	}, func() lifecycle.ApplicationStatus { return updated.ApplicationStatus }); err != nil {
		return nil, err
	}
	fmt.Fprintf(d.out, "   version %d -> %d\n", app.ApplicationVersionID, updated.ApplicationVersionID)
	return d.progress()
}

// progress returns the job that runs now, once it has emitted step
// records.
func (d *demo) progress() (*jobRun, error) {
	r := d.jobs.current()
	if r == nil {
		return nil, errors.New("the application runs no job of this program")
	}
	return d.wait(r, step)
}

// wait returns r once it has emitted n more records than it has now.
func (d *demo) wait(r *jobRun, n int64) (*jobRun, error) {
	select {
	case <-r.reached(r.emitted() + n):
		return r, nil
	case <-d.ctx.Done():
		return nil, fmt.Errorf("waiting for version %d's job to emit %d records (it emitted %d): %w", r.version, n, r.emitted(), d.ctx.Err())
	}
}

// kept prints and checks that the job now counts on from where the job
// before it stopped: state kept, no output repeated.
func (d *demo) kept(before, now *jobRun, when string) error {
	was, from := before.last(watched), now.firstOf(watched)
	if from != was+1 || now.repeatedOutputs() != 0 {
		return fmt.Errorf("version %d: state not kept: %s counted %d after %d (%s), %d outputs repeated",
			now.version, watched, from, was, when, now.repeatedOutputs())
	}
	n, all := now.counts()
	fmt.Fprintf(d.out, "   version %d: code %s, parallelism %d, counts kept: %s = %d (was %d %s, went on from %d), %d outputs repeated\n",
		now.version, now.code, now.parallelism, watched, n, was, when, from, now.repeatedOutputs())
	fmt.Fprintf(d.out, "   counts: %s\n", all)
	return nil
}

// printJob prints the parallelism in force and the job's subtasks.
func (d *demo) printJob() error {
	app, err := d.describe()
	if err != nil {
		return err
	}
	p := app.ApplicationConfigurationDescription.FlinkApplicationConfigurationDescription.ParallelismConfigurationDescription
	tasks := map[string]int{}
	var order []string
	if app.Job != nil {
		for _, st := range app.Job.Subtasks {
			if tasks[st.Task] == 0 {
				order = append(order, st.Task)
			}
			tasks[st.Task]++
		}
	}
	parts := make([]string, len(order))
	for i, t := range order {
		parts[i] = fmt.Sprintf("%s ×%d", t, tasks[t])
	}
	fmt.Fprintf(d.out, "   current parallelism %d (%d KPU): subtasks %s\n",
		p.CurrentParallelism, (p.CurrentParallelism+p.ParallelismPerKPU-1)/p.ParallelismPerKPU, strings.Join(parts, ", "))
	return nil
}

// snapshot takes a snapshot of the running job and waits until it is
// READY.
func (d *demo) snapshot(name string) error {
	if _, err := d.svc.CreateApplicationSnapshot(d.ctx, lifecycle.CreateApplicationSnapshotRequest{ApplicationName: appName, SnapshotName: name}); err != nil {
		return fmt.Errorf("CreateApplicationSnapshot: %w", err)
	}
	var sn lifecycle.SnapshotDetails
	var describeErr error
	// There is no WaitForSnapshot; the snapshot's changes are the
	// application's, which Wait sees.
	if _, err := d.svc.Wait(d.ctx, appName, func(lifecycle.ApplicationDetail) bool {
		out, err := d.svc.DescribeApplicationSnapshot(d.ctx, lifecycle.DescribeApplicationSnapshotRequest{ApplicationName: appName, SnapshotName: name})
		sn, describeErr = out.SnapshotDetails, err
		return err != nil || sn.SnapshotStatus != lifecycle.SnapshotCreating
	}); err != nil {
		return fmt.Errorf("waiting for snapshot %s: %w", name, err)
	}
	if describeErr != nil {
		return fmt.Errorf("DescribeApplicationSnapshot: %w", describeErr)
	}
	if sn.SnapshotStatus != lifecycle.SnapshotReady {
		return fmt.Errorf("snapshot %s is %s", name, sn.SnapshotStatus)
	}
	fmt.Fprintf(d.out, "   snapshot %s of version %d: %s\n", name, sn.ApplicationVersionID, sn.SnapshotStatus)
	return nil
}

// latestSnapshot names the newest snapshot.
func (d *demo) latestSnapshot() (string, error) {
	out, err := d.svc.ListApplicationSnapshots(d.ctx, lifecycle.ListApplicationSnapshotsRequest{ApplicationName: appName, Limit: 1})
	if err != nil {
		return "", fmt.Errorf("ListApplicationSnapshots: %w", err)
	}
	if len(out.SnapshotSummaries) == 0 {
		return "", errors.New("the stop took no snapshot")
	}
	return out.SnapshotSummaries[0].SnapshotName, nil
}

func (d *demo) printSnapshots() error {
	fmt.Fprintln(d.out, "   snapshots, newest first:")
	token := ""
	for {
		out, err := d.svc.ListApplicationSnapshots(d.ctx, lifecycle.ListApplicationSnapshotsRequest{ApplicationName: appName, NextToken: token})
		if err != nil {
			return fmt.Errorf("ListApplicationSnapshots: %w", err)
		}
		for _, sn := range out.SnapshotSummaries {
			fmt.Fprintf(d.out, "     %-40s %-8s version %d\n", sn.SnapshotName, sn.SnapshotStatus, sn.ApplicationVersionID)
		}
		if token = out.NextToken; token == "" {
			return nil
		}
	}
}

func (d *demo) printVersions() error {
	var parts []string
	token := ""
	for {
		out, err := d.svc.ListApplicationVersions(d.ctx, lifecycle.ListApplicationVersionsRequest{ApplicationName: appName, NextToken: token})
		if err != nil {
			return fmt.Errorf("ListApplicationVersions: %w", err)
		}
		for _, v := range out.ApplicationVersionSummaries {
			parts = append(parts, fmt.Sprintf("%d %s", v.ApplicationVersionID, v.ApplicationStatus))
		}
		if token = out.NextToken; token == "" {
			break
		}
	}
	fmt.Fprintf(d.out, "   versions, newest first: %s\n", strings.Join(parts, ", "))
	return nil
}

func (d *demo) printOperations() error {
	var ops []lifecycle.ApplicationOperationInfo
	token := ""
	for {
		out, err := d.svc.ListApplicationOperations(d.ctx, lifecycle.ListApplicationOperationsRequest{ApplicationName: appName, NextToken: token})
		if err != nil {
			return fmt.Errorf("ListApplicationOperations: %w", err)
		}
		ops = append(ops, out.ApplicationOperationInfoList...)
		if token = out.NextToken; token == "" {
			break
		}
	}
	fmt.Fprintln(d.out, "   operations, oldest first:")
	for _, op := range slices.Backward(ops) {
		out, err := d.svc.DescribeApplicationOperation(d.ctx, lifecycle.DescribeApplicationOperationRequest{ApplicationName: appName, OperationID: op.OperationID})
		if err != nil {
			return fmt.Errorf("DescribeApplicationOperation: %w", err)
		}
		change := ""
		if c := out.ApplicationOperationInfoDetails.ApplicationVersionChangeDetails; c != nil {
			change = fmt.Sprintf("  version %d -> %d", c.ApplicationVersionUpdatedFrom, c.ApplicationVersionUpdatedTo)
		}
		took := op.EndTime.Sub(op.StartTime).Round(time.Millisecond)
		fmt.Fprintf(d.out, "     %-18s %-10s %s  %6v%s\n", op.Operation, op.OperationStatus, op.OperationID, took, change)
	}
	return nil
}

// delete deletes the application and waits until it is gone. The status
// during the deletion is the one the job saw as it ended.
func (d *demo) delete() error {
	before, err := d.describe()
	if err != nil {
		return err
	}
	job := d.jobs.current()
	if err := d.deleteApp(); err != nil {
		return err
	}
	var notFound *lifecycle.ResourceNotFoundException
	if _, err := d.svc.Wait(d.ctx, appName, func(lifecycle.ApplicationDetail) bool { return false }); !errors.As(err, &notFound) {
		return fmt.Errorf("DeleteApplication: waiting for the application to be gone: %w", err)
	}
	fmt.Fprintf(d.out, "   status: %s -> deleted\n", trail(before.ApplicationStatus, job.endedDuring()))
	return nil
}

// deleteApp asks for the deletion of the application.
func (d *demo) deleteApp() error {
	app, err := d.describe()
	if err != nil {
		return err
	}
	if _, err := d.svc.DeleteApplication(d.ctx, lifecycle.DeleteApplicationRequest{ApplicationName: appName, CreateTimestamp: app.CreateTimestamp}); err != nil {
		return fmt.Errorf("DeleteApplication: %w", err)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// output is what the count emits: a user's count so far.
type output struct {
	User  string
	Count int64
}

// countingJob is the application's code: the JobBuilder its code packages
// name. The package's payload is its version tag ("v1", "v2"). The job:
// events "user-0" … "user-4", from a source whose position every
// checkpoint and snapshot records (one subtask, so that each user's events
// are in order), keyed by user, counted in keyed state, and the running
// totals kept by jobs. The operators keep their names in both versions, so
// v2 restores v1's state.
func countingJob(jobs *tracker) lifecycle.JobBuilder {
	names := make([]string, users)
	for i := range names {
		names[i] = fmt.Sprintf("user-%d", i)
	}
	return func(env *flinksim.Environment, job lifecycle.JobContext) error {
		code, _ := job.PackageString("version")
		if code != "v1" && code != "v2" {
			return fmt.Errorf("unknown code version %q", code)
		}
		// This is the job's main(): the service runs it while the
		// application is STARTING (or UPDATING).
		r := jobs.newRun(job.ApplicationVersionID, code, job.Parallelism)
		events := flinksim.Generate(env, "events", 1<<40, func(i int64) (string, error) { return names[i%users], nil },
			flinksim.Parallelism(1))
		counts := flinksim.Process(flinksim.KeyBy(events, func(user string) string { return user }), "count",
			func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, string, output], error) {
				n := flinksim.NewValueState[int64](rt, "n")
				return flinksim.ProcessFunc[string, string, output](
					func(ctx *flinksim.KeyedContext[string], user string, out flinksim.Collector[output]) error {
						c, _ := n.Value()
						n.Update(c + 1)
						out.Collect(output{User: user, Count: c + 1})
						return nil
					}), nil
			})
		flinksim.SinkTo(counts, "totals", func(rt *flinksim.RuntimeContext) (flinksim.SinkWriter[output], error) {
			return totals{r: r, first: rt.Subtask() == 0}, nil
		})
		return nil
	}
}

// totals is the sink's writer: it hands each output to the run, and its
// first subtask records the application's status when the job ends.
type totals struct {
	r     *jobRun
	first bool
}

func (w totals) Write(o output) error {
	w.r.record(o)
	return nil
}

// Close is called as the job ends: while the application is STOPPING,
// UPDATING or DELETING, since the service waits for the job to end before
// it leaves those statuses.
func (w totals) Close() error {
	if w.first {
		w.r.end()
	}
	return nil
}

// tracker holds what the sinks of every job saw.
type tracker struct {
	// status is the application's status now, as DescribeApplication
	// gives it ("" if it cannot).
	status func() lifecycle.ApplicationStatus

	mu   sync.Mutex
	runs []*jobRun
	// highest is the highest count each user's outputs ever reached: an
	// output at or below it is a repeat.
	highest map[string]int64
}

// jobRun is what one job's sink saw.
type jobRun struct {
	t           *tracker
	version     int64
	code        string
	parallelism int

	// Under t.mu.
	// built and ended are the application's statuses when the job's
	// main() ran and when the job ended.
	built, ended          lifecycle.ApplicationStatus
	records               int64
	repeated              int64
	firstCount, lastCount map[string]int64
	waiters               []waiter
}

type waiter struct {
	at int64
	ch chan struct{}
}

func newTracker(status func() lifecycle.ApplicationStatus) *tracker {
	return &tracker{status: status, highest: map[string]int64{}}
}

// newRun records a job being built, and the application's status then.
func (t *tracker) newRun(version int64, code string, parallelism int) *jobRun {
	built := t.status()
	t.mu.Lock()
	defer t.mu.Unlock()
	r := &jobRun{t: t, version: version, code: code, parallelism: parallelism, built: built,
		firstCount: map[string]int64{}, lastCount: map[string]int64{}}
	t.runs = append(t.runs, r)
	return r
}

// current is the job built last.
func (t *tracker) current() *jobRun {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.runs) == 0 {
		return nil
	}
	return t.runs[len(t.runs)-1]
}

// forget drops what the jobs of an application deleted saw.
func (t *tracker) forget() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.runs, t.highest = nil, map[string]int64{}
}

// record is the sink: it is called from every subtask of the sink.
func (r *jobRun) record(o output) {
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	r.records++
	if _, ok := r.firstCount[o.User]; !ok {
		r.firstCount[o.User] = o.Count
	}
	r.lastCount[o.User] = o.Count
	if o.Count <= r.t.highest[o.User] {
		r.repeated++
	} else {
		r.t.highest[o.User] = o.Count
	}
	kept := r.waiters[:0]
	for _, w := range r.waiters {
		if r.records >= w.at {
			close(w.ch)
		} else {
			kept = append(kept, w)
		}
	}
	r.waiters = kept
}

// end records the application's status as the job ends.
func (r *jobRun) end() {
	st := r.t.status()
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	r.ended = st
}

// builtDuring is the application's status when the job's main() ran (""
// for no job).
func (r *jobRun) builtDuring() lifecycle.ApplicationStatus {
	if r == nil {
		return ""
	}
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	return r.built
}

// endedDuring is the application's status when the job ended ("" while it
// runs, or for no job).
func (r *jobRun) endedDuring() lifecycle.ApplicationStatus {
	if r == nil {
		return ""
	}
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	return r.ended
}

// reached returns a channel closed once the job has emitted n records.
func (r *jobRun) reached(n int64) <-chan struct{} {
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	ch := make(chan struct{})
	if r.records >= n {
		close(ch)
	} else {
		r.waiters = append(r.waiters, waiter{at: n, ch: ch})
	}
	return ch
}

func (r *jobRun) emitted() int64 {
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	return r.records
}

func (r *jobRun) last(user string) int64 {
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	return r.lastCount[user]
}

func (r *jobRun) firstOf(user string) int64 {
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	return r.firstCount[user]
}

func (r *jobRun) repeatedOutputs() int64 {
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	return r.repeated
}

// counts returns the watched user's count and every user's, as
// "user-0=12 user-1=12 …", read at one moment.
func (r *jobRun) counts() (int64, string) {
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	parts := make([]string, users)
	for i := range parts {
		u := fmt.Sprintf("user-%d", i)
		parts[i] = fmt.Sprintf("%s=%d", u, r.lastCount[u])
	}
	return r.lastCount[watched], strings.Join(parts, " ")
}
