// Package lifecycle is Amazon Managed Service for Apache Flink in a Go
// process: applications with a configuration, versions, statuses,
// operations, snapshots and rollback, run as flinksim jobs, through a
// Service whose methods are the kinesisanalyticsv2 API's actions. A user who
// automates the service — deploy scripts, CI/CD pipelines, infrastructure
// tools — recognises every name and behaviour, and can test that automation
// here, failures included, in milliseconds.
//
// # The service
//
// New opens a Service; RegisterBuilder registers the Go functions that
// build jobs. Its methods mirror the API by name and take a context and a
// request struct named after the API's shape, returning the response's:
//
//	CreateApplication, DescribeApplication, ListApplications,
//	UpdateApplication, StartApplication, StopApplication, DeleteApplication,
//	RollbackApplication, CreateApplicationSnapshot, ListApplicationSnapshots,
//	DescribeApplicationSnapshot, DeleteApplicationSnapshot,
//	ListApplicationVersions, DescribeApplicationVersion,
//	ListApplicationOperations, DescribeApplicationOperation,
//	TagResource, UntagResource, ListTagsForResource,
//	AddApplicationCloudWatchLoggingOption,
//	DeleteApplicationCloudWatchLoggingOption,
//	UpdateApplicationMaintenanceConfiguration.
//
// Members keep the API's names in Go's spelling (ApplicationVersionID for
// ApplicationVersionId); enums keep its values (READY,
// RESTORE_FROM_LATEST_SNAPSHOT, …). Inputs are validated as the API model
// says — names, lengths, patterns, ranges, list limits of 1 to 50 — and every
// error is one of the API's exceptions, a type of its own that errors.As
// finds, with the API's code (APIError): ResourceNotFoundException,
// ResourceInUseException, InvalidArgumentException, InvalidRequestException,
// ConcurrentModificationException, CodeValidationException,
// InvalidApplicationConfigurationException, UnsupportedOperationException,
// LimitExceededException, TooManyTagsException. Lists return Limit items
// and a NextToken for the next page. Only Flink applications run: SQL and
// Zeppelin ones are UnsupportedOperationException.
//
// # Code, and the job builder
//
// The code store (CodeStore: MemCodeStore, or DirCodeStore with objects
// at DIR/BUCKET/KEY) stands in for S3. A configuration names an object by
// BucketARN ("arn:aws:s3:::BUCKET") and FileKey, or carries the bytes in
// ZipFileContent. CreateApplication and UpdateApplication take a copy:
// CodeMD5 (hex) and CodeSize describe it, and overwriting or deleting the
// object changes nothing until the next UpdateApplication, even one naming
// the same key. A configuration naming a missing object is an
// InvalidArgumentException, as the service's clients (the AWS Terraform
// provider) expect; so is a snapshot that does not exist.
//
// A code package (NewCodePackage) is a JSON document whose member "job"
// names a JobBuilder registered with the service; its other members are
// for the builder. When the application starts, the
// service prepares a flinksim.Environment — the current parallelism,
// checkpointing as configured, the application's checkpoint and snapshot
// store, the snapshot to restore — and calls the builder with it and a
// JobContext (the runtime properties, the package): this is the main() of
// a Flink application, where the logical graph is generated. A package that
// names no registered builder, or a builder that fails, fails the start, as
// a bad JAR does.
//
// # Configuration and versions
//
// ParallelismConfiguration sets Parallelism, ParallelismPerKPU and
// AutoScalingEnabled (DEFAULT: 1, 1, enabled); CurrentParallelism is what
// runs. CheckpointConfiguration DEFAULT is checkpoints every 60 s with a
// 5 s minimum pause; CUSTOM sets them. Snapshots and system rollback are off
// unless the configuration enables them (as when created through the API).
// EnvironmentProperties are handed to the builder.
//
// Every UpdateApplication creates a version with the next id and
// ApplicationVersionUpdatedFrom; so do autoscaling and rollback. An update
// must carry the current version id or conditional token: a stale one is a
// ConcurrentModificationException, so of two updates from the same version
// exactly one wins. Versions list and describe, rolled-back ones included
// (ROLLED_BACK).
//
// # Statuses and operations
//
// An application is READY, STARTING, RUNNING, UPDATING, STOPPING,
// FORCE_STOPPING, AUTOSCALING, ROLLING_BACK, DELETING or MAINTENANCE, and an
// action not allowed in its status is a ResourceInUseException: start only
// from READY, stop from RUNNING, a forced stop also from STARTING, UPDATING,
// STOPPING, AUTOSCALING and ROLLING_BACK, update from READY or RUNNING,
// rollback from RUNNING, UPDATING or AUTOSCALING, a snapshot of a RUNNING
// application only. Starting, stopping, updating a running application,
// rolling back, autoscaling and maintenance are operations: the call
// returns at once with an operation id, and the work goes on in the
// background. An operation is IN_PROGRESS, then SUCCESSFUL, FAILED (with an
// error string, and the id of the rollback that undid it) or CANCELLED.
// Wait, WaitForStatus and WaitForOperation wait for them by event, never by
// polling.
//
// DescribeApplication also describes the job underneath (ApplicationDetail.
// Job): Flink's job status, each subtask's status, the restarts and the last
// failures with their causes. An application is RUNNING once its job is
// deployed, before every subtask has restored its state, and stays RUNNING
// while its job loops on restarts (the "restart loop").
//
// # The lifecycle
//
// StartApplication goes READY → STARTING → RUNNING, restoring the latest
// snapshot (RESTORE_FROM_LATEST_SNAPSHOT, the default), a named one
// (RESTORE_FROM_CUSTOM_SNAPSHOT) or none (SKIP_RESTORE_FROM_SNAPSHOT); an
// application with no snapshot starts empty whatever the choice.
// StopApplication goes RUNNING → STOPPING → READY, taking a snapshot (a
// stop with savepoint) when snapshots are enabled; Force stops at once,
// without one. UpdateApplication of a RUNNING application goes through
// UPDATING: a snapshot, the job stopped, the new version started and
// restored from it, RUNNING — no data lost; with snapshots disabled the new
// version starts with empty state, as the service warns.
// AllowNonRestoredState applies to one start or update. Checkpoints are
// deleted on stop, update and scaling; snapshots stay until
// DeleteApplicationSnapshot (which needs their creation timestamp) or
// DeleteApplication (which needs the application's). A streaming job that
// fails restarts from its latest checkpoint (by default every 10 s, without
// limit: Options.RestartStrategy); a bounded job that finishes returns the
// application to READY.
//
// RollbackApplication returns to the version the current one was updated
// from and its latest snapshot, refusing without one. With system rollback
// enabled, an update whose new version fails to start, or restarts
// Options.RollbackRestarts times (3) before its subtasks run or within
// Options.RollbackWindow (10 min) after, rolls back by itself: the update's
// operation is FAILED and names the rollback's.
//
// Autoscaling, when enabled, reads each running application's utilisation
// once a minute of Options.Clock: the busy time per second of its busiest
// subtask (flinksim.SubtaskInfo.BusyTime, Flink's busyTimeMsPerSecond). 15
// consecutive points at or above 75 % double CurrentParallelism, 360 below
// 10 % halve it, rounded up; never below Parallelism, never above
// ParallelismPerKPU × KPULimit (64 KPUs) nor the job's max parallelism. A
// scaling goes through AUTOSCALING with a snapshot (when snapshots are
// enabled; else state starts empty, as for an update). On a
// flinksim.ManualClock, those thresholds take a test milliseconds.
//
// ApplicationMetrics gives the metrics the service publishes: uptime,
// downtime, fullRestarts, numberOfFailedCheckpoints, lastCheckpointDuration,
// lastCheckpointSize, and the records in and out.
//
// # Durability
//
// With Options.Dir, the catalog — applications, versions, snapshot records,
// operations, tags, code copies — lives in that directory, each file
// written crash-safely (snapshot.WriteRecord: temporary file, fsync, rename,
// directory fsync) and checksummed; every application's checkpoints and
// snapshots live there too. A new Service over the same directory sees
// everything. An application that was running when the process died
// starts again from its latest checkpoint (or a snapshot taken since), once
// its builder is registered, so a crash of the host loses no committed
// state; operations in progress at the crash end FAILED with a cause. A
// catalog file that fails its checks makes New fail with
// ErrCorruptCatalog: nothing is silently reset.
//
// # Logging options and maintenance windows
//
// AddApplicationCloudWatchLoggingOption and
// DeleteApplicationCloudWatchLoggingOption record an application's log
// stream (one at most): each is a new version and an operation that
// completes at once, checked against the version id or conditional token
// like an update. UpdateApplicationMaintenanceConfiguration sets the start
// of the eight-hour maintenance window (06:00 UTC by default). Both are
// described by DescribeApplication and change nothing in how the job runs:
// its logs go to Options.Logger, and Maintain runs a maintenance when a
// test asks.
//
// # What is left out
//
// Networking (VPC), encryption, SQL and Zeppelin applications, and IAM: the
// role is recorded, never checked.
package lifecycle
