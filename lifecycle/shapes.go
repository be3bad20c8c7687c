package lifecycle

import "time"

// The request and response shapes of the service's actions, and the shapes
// they hold, named after the API's shapes. Members keep the API's names in
// Go's spelling (ApplicationVersionID for ApplicationVersionId). An
// optional structure is a pointer (nil: not given); an optional scalar is a
// plain value whose zero means "not given" where zero is not a valid value
// (a checkpoint interval of 0 ms), and a pointer where it is (a minimum pause
// of 0 ms). Durations are in milliseconds, as in the API.

// Tag is a key-value pair attached to an application.
type Tag struct {
	Key   string
	Value string
}

// PropertyGroup is a named group of runtime properties handed to the job
// builder (the API's PropertyGroup: PropertyGroupId and PropertyMap).
type PropertyGroup struct {
	PropertyGroupID string
	PropertyMap     map[string]string
}

// S3ContentLocation names a code package in the code store: the bucket's
// ARN ("arn:aws:s3:::BUCKET"), the object's key and, optionally, its version.
type S3ContentLocation struct {
	BucketARN     string
	FileKey       string
	ObjectVersion string
}

// CodeContent is where an application's code comes from: an object of the
// code store, or the package's bytes inline (ZipFileContent). TextContent
// is for SQL applications, which this service does not run.
type CodeContent struct {
	S3ContentLocation *S3ContentLocation
	ZipFileContent    []byte
	TextContent       string
}

// ApplicationCodeConfiguration says what code the application runs.
type ApplicationCodeConfiguration struct {
	CodeContent     CodeContent
	CodeContentType CodeContentType
}

// ApplicationSnapshotConfiguration turns snapshots on or off.
type ApplicationSnapshotConfiguration struct {
	SnapshotsEnabled bool
}

// ApplicationSystemRollbackConfiguration turns system rollback on or off.
type ApplicationSystemRollbackConfiguration struct {
	RollbackEnabled bool
}

// EnvironmentProperties are the runtime properties of the application.
type EnvironmentProperties struct {
	PropertyGroups []PropertyGroup
}

// CheckpointConfiguration configures checkpoints. With ConfigurationType
// DEFAULT the other members must be unset: checkpointing is enabled, every
// 60,000 ms, with a minimum pause of 5,000 ms. With CUSTOM, unset members
// take those same values.
type CheckpointConfiguration struct {
	ConfigurationType ConfigurationType
	// CheckpointingEnabled: nil means true.
	CheckpointingEnabled *bool
	// CheckpointInterval in ms; 0 means 60,000.
	CheckpointInterval int64
	// MinPauseBetweenCheckpoints in ms; nil means 5,000.
	MinPauseBetweenCheckpoints *int64
}

// MonitoringConfiguration configures logs and metrics (DEFAULT: INFO and
// APPLICATION). The levels are recorded and described; metrics are kept at
// every level.
type MonitoringConfiguration struct {
	ConfigurationType ConfigurationType
	LogLevel          LogLevel
	MetricsLevel      MetricsLevel
}

// ParallelismConfiguration configures parallelism. DEFAULT means
// parallelism 1, one per KPU, autoscaling enabled. With CUSTOM, unset
// members take those values.
type ParallelismConfiguration struct {
	ConfigurationType ConfigurationType
	// Parallelism is the parallelism the application starts with and the
	// least autoscaling goes down to; 0 means 1.
	Parallelism int
	// ParallelismPerKPU is the number of subtasks per KPU; 0 means 1.
	ParallelismPerKPU int
	// AutoScalingEnabled: nil means true.
	AutoScalingEnabled *bool
}

// FlinkApplicationConfiguration holds the Flink settings.
type FlinkApplicationConfiguration struct {
	CheckpointConfiguration  *CheckpointConfiguration
	MonitoringConfiguration  *MonitoringConfiguration
	ParallelismConfiguration *ParallelismConfiguration
}

// ApplicationConfiguration is an application's configuration, as given to
// CreateApplication.
type ApplicationConfiguration struct {
	ApplicationCodeConfiguration           *ApplicationCodeConfiguration
	ApplicationSnapshotConfiguration       *ApplicationSnapshotConfiguration
	ApplicationSystemRollbackConfiguration *ApplicationSystemRollbackConfiguration
	EnvironmentProperties                  *EnvironmentProperties
	FlinkApplicationConfiguration          *FlinkApplicationConfiguration
}

// CreateApplicationRequest is the input of CreateApplication.
type CreateApplicationRequest struct {
	ApplicationName        string
	ApplicationDescription string
	RuntimeEnvironment     RuntimeEnvironment
	// ServiceExecutionRole is the role's ARN; it is recorded, not used.
	ServiceExecutionRole     string
	ApplicationConfiguration *ApplicationConfiguration
	// ApplicationMode: "" means STREAMING.
	ApplicationMode ApplicationMode
	Tags            []Tag
	// CloudWatchLoggingOptions are the log streams it logs to (at most one).
	CloudWatchLoggingOptions []CloudWatchLoggingOption
}

// CreateApplicationResponse is the output of CreateApplication.
type CreateApplicationResponse struct {
	ApplicationDetail ApplicationDetail
}

// ApplicationDetail describes an application (a version of it, in
// DescribeApplicationVersion).
type ApplicationDetail struct {
	ApplicationARN         string
	ApplicationName        string
	ApplicationDescription string
	ApplicationStatus      ApplicationStatus
	ApplicationMode        ApplicationMode
	RuntimeEnvironment     RuntimeEnvironment
	ServiceExecutionRole   string
	ApplicationVersionID   int64
	// ApplicationVersionUpdatedFrom, ApplicationVersionRolledBackFrom and
	// ApplicationVersionRolledBackTo are 0 when they do not apply.
	ApplicationVersionUpdatedFrom     int64
	ApplicationVersionRolledBackFrom  int64
	ApplicationVersionRolledBackTo    int64
	ApplicationVersionCreateTimestamp time.Time
	CreateTimestamp                   time.Time
	LastUpdateTimestamp               time.Time
	// ConditionalToken changes with every version: UpdateApplication may
	// carry it instead of the version id.
	ConditionalToken                    string
	ApplicationConfigurationDescription ApplicationConfigurationDescription
	// CloudWatchLoggingOptionDescriptions are its log streams.
	CloudWatchLoggingOptionDescriptions []CloudWatchLoggingOptionDescription
	// ApplicationMaintenanceConfigurationDescription is its maintenance
	// window.
	ApplicationMaintenanceConfigurationDescription ApplicationMaintenanceConfigurationDescription
	// Job describes the job that runs now (nil when none does). It is this
	// service's addition to the API's shape: what the Flink dashboard would
	// show.
	Job *JobDescription
}

// ApplicationConfigurationDescription describes the configuration in force.
type ApplicationConfigurationDescription struct {
	ApplicationCodeConfigurationDescription           ApplicationCodeConfigurationDescription
	ApplicationSnapshotConfigurationDescription       ApplicationSnapshotConfiguration
	ApplicationSystemRollbackConfigurationDescription ApplicationSystemRollbackConfiguration
	EnvironmentPropertyDescriptions                   EnvironmentPropertyDescriptions
	FlinkApplicationConfigurationDescription          FlinkApplicationConfigurationDescription
	// RunConfigurationDescription is the run configuration of the last
	// start or update; nil before the first.
	RunConfigurationDescription *RunConfigurationDescription
}

// ApplicationCodeConfigurationDescription describes the code.
type ApplicationCodeConfigurationDescription struct {
	CodeContentType        CodeContentType
	CodeContentDescription CodeContentDescription
}

// CodeContentDescription describes the service's copy of the code package:
// where it was taken from, its MD5 (hex) and size in bytes.
type CodeContentDescription struct {
	CodeMD5                              string
	CodeSize                             int64
	S3ApplicationCodeLocationDescription *S3ContentLocation
	TextContent                          string
}

// EnvironmentPropertyDescriptions describes the runtime properties.
type EnvironmentPropertyDescriptions struct {
	PropertyGroupDescriptions []PropertyGroup
}

// FlinkApplicationConfigurationDescription describes the Flink settings in
// force, defaults filled in.
type FlinkApplicationConfigurationDescription struct {
	CheckpointConfigurationDescription  CheckpointConfigurationDescription
	MonitoringConfigurationDescription  MonitoringConfiguration
	ParallelismConfigurationDescription ParallelismConfigurationDescription
	// JobPlanDescription is the job's plan, its tasks and their
	// parallelism, when DescribeApplication asks for additional details.
	JobPlanDescription string
}

// CheckpointConfigurationDescription describes checkpointing in force.
type CheckpointConfigurationDescription struct {
	ConfigurationType          ConfigurationType
	CheckpointingEnabled       bool
	CheckpointInterval         int64
	MinPauseBetweenCheckpoints int64
}

// ParallelismConfigurationDescription describes parallelism in force:
// CurrentParallelism is what the application runs with, which autoscaling
// changes.
type ParallelismConfigurationDescription struct {
	ConfigurationType  ConfigurationType
	Parallelism        int
	ParallelismPerKPU  int
	CurrentParallelism int
	AutoScalingEnabled bool
}

// RunConfigurationDescription describes how the application last started.
type RunConfigurationDescription struct {
	ApplicationRestoreConfigurationDescription ApplicationRestoreConfiguration
	FlinkRunConfigurationDescription           FlinkRunConfiguration
}

// ApplicationRestoreConfiguration says which snapshot a start restores.
type ApplicationRestoreConfiguration struct {
	ApplicationRestoreType ApplicationRestoreType
	// SnapshotName names the snapshot for RESTORE_FROM_CUSTOM_SNAPSHOT.
	SnapshotName string
}

// FlinkRunConfiguration holds Flink's run options.
type FlinkRunConfiguration struct {
	// AllowNonRestoredState lets a restore skip state of operators the job
	// no longer has. It applies to one start or update: an update that
	// does not set it resets it to false.
	AllowNonRestoredState bool
}

// JobDescription describes the job under an application: Flink's job
// status, each subtask's status, the restarts, and the last failures.
type JobDescription struct {
	// JobStatus is Flink's job status (CREATED, RUNNING, RESTARTING, …).
	JobStatus string
	// Restarts is how many times the job restarted (Flink's fullRestarts).
	Restarts int64
	Subtasks []SubtaskDescription
	// Exceptions are the last failures, oldest first.
	Exceptions []JobException
}

// SubtaskDescription is one subtask of the job.
type SubtaskDescription struct {
	Task        string
	Subtask     int
	Status      string
	TaskManager int
}

// JobException is one failure of the job.
type JobException struct {
	Time     time.Time
	Operator string
	Subtask  int
	Cause    string
}

// DescribeApplicationRequest is the input of DescribeApplication.
type DescribeApplicationRequest struct {
	ApplicationName string
	// IncludeAdditionalDetails adds the job plan.
	IncludeAdditionalDetails bool
}

// DescribeApplicationResponse is the output of DescribeApplication.
type DescribeApplicationResponse struct {
	ApplicationDetail ApplicationDetail
}

// ListApplicationsRequest is the input of ListApplications.
type ListApplicationsRequest struct {
	// Limit is 1 to 50; 0 means 50.
	Limit     int
	NextToken string
}

// ListApplicationsResponse is the output of ListApplications.
type ListApplicationsResponse struct {
	ApplicationSummaries []ApplicationSummary
	NextToken            string
}

// ApplicationSummary is one application of a list.
type ApplicationSummary struct {
	ApplicationARN       string
	ApplicationName      string
	ApplicationStatus    ApplicationStatus
	ApplicationVersionID int64
	RuntimeEnvironment   RuntimeEnvironment
	ApplicationMode      ApplicationMode
}

// UpdateApplicationRequest is the input of UpdateApplication. It must carry
// either the current version id or the current conditional token.
type UpdateApplicationRequest struct {
	ApplicationName                string
	CurrentApplicationVersionID    int64
	ConditionalToken               string
	ApplicationConfigurationUpdate *ApplicationConfigurationUpdate
	RunConfigurationUpdate         *RunConfigurationUpdate
	RuntimeEnvironmentUpdate       RuntimeEnvironment
	ServiceExecutionRoleUpdate     string
	// CloudWatchLoggingOptionUpdates change the log streams of logging
	// options by id.
	CloudWatchLoggingOptionUpdates []CloudWatchLoggingOptionUpdate
}

// ApplicationConfigurationUpdate changes parts of the configuration; nil
// members change nothing.
type ApplicationConfigurationUpdate struct {
	ApplicationCodeConfigurationUpdate           *ApplicationCodeConfigurationUpdate
	ApplicationSnapshotConfigurationUpdate       *ApplicationSnapshotConfigurationUpdate
	ApplicationSystemRollbackConfigurationUpdate *ApplicationSystemRollbackConfigurationUpdate
	EnvironmentPropertyUpdates                   *EnvironmentPropertyUpdates
	FlinkApplicationConfigurationUpdate          *FlinkApplicationConfigurationUpdate
}

// ApplicationCodeConfigurationUpdate changes the code: the service takes a
// new copy of the package it names, even under the same key.
type ApplicationCodeConfigurationUpdate struct {
	CodeContentTypeUpdate CodeContentType
	CodeContentUpdate     *CodeContentUpdate
}

// CodeContentUpdate names the new code.
type CodeContentUpdate struct {
	S3ContentLocationUpdate *S3ContentLocationUpdate
	ZipFileContentUpdate    []byte
	TextContentUpdate       string
}

// S3ContentLocationUpdate changes the code's location; empty members keep
// the current ones.
type S3ContentLocationUpdate struct {
	BucketARNUpdate     string
	FileKeyUpdate       string
	ObjectVersionUpdate string
}

// ApplicationSnapshotConfigurationUpdate turns snapshots on or off.
type ApplicationSnapshotConfigurationUpdate struct {
	SnapshotsEnabledUpdate bool
}

// ApplicationSystemRollbackConfigurationUpdate turns system rollback on or off.
type ApplicationSystemRollbackConfigurationUpdate struct {
	RollbackEnabledUpdate bool
}

// EnvironmentPropertyUpdates replaces every property group.
type EnvironmentPropertyUpdates struct {
	PropertyGroups []PropertyGroup
}

// FlinkApplicationConfigurationUpdate changes Flink settings.
type FlinkApplicationConfigurationUpdate struct {
	CheckpointConfigurationUpdate  *CheckpointConfigurationUpdate
	MonitoringConfigurationUpdate  *MonitoringConfigurationUpdate
	ParallelismConfigurationUpdate *ParallelismConfigurationUpdate
}

// CheckpointConfigurationUpdate changes checkpointing; unset members keep
// their values (DEFAULT resets them all).
type CheckpointConfigurationUpdate struct {
	ConfigurationTypeUpdate          ConfigurationType
	CheckpointingEnabledUpdate       *bool
	CheckpointIntervalUpdate         int64
	MinPauseBetweenCheckpointsUpdate *int64
}

// MonitoringConfigurationUpdate changes monitoring.
type MonitoringConfigurationUpdate struct {
	ConfigurationTypeUpdate ConfigurationType
	LogLevelUpdate          LogLevel
	MetricsLevelUpdate      MetricsLevel
}

// ParallelismConfigurationUpdate changes parallelism; unset members keep
// their values (DEFAULT resets them all). A new Parallelism also sets the
// current parallelism.
type ParallelismConfigurationUpdate struct {
	ConfigurationTypeUpdate  ConfigurationType
	ParallelismUpdate        int
	ParallelismPerKPUUpdate  int
	AutoScalingEnabledUpdate *bool
}

// RunConfigurationUpdate says how an update of a running application
// restarts it.
type RunConfigurationUpdate struct {
	ApplicationRestoreConfiguration *ApplicationRestoreConfiguration
	FlinkRunConfiguration           *FlinkRunConfiguration
}

// UpdateApplicationResponse is the output of UpdateApplication.
type UpdateApplicationResponse struct {
	ApplicationDetail ApplicationDetail
	// OperationID is the update's operation ("" for an update of an
	// application that is not running, which completes at once).
	OperationID string
}

// StartApplicationRequest is the input of StartApplication.
type StartApplicationRequest struct {
	ApplicationName  string
	RunConfiguration *RunConfiguration
}

// RunConfiguration says how a start restores (nil: from the latest
// snapshot).
type RunConfiguration struct {
	ApplicationRestoreConfiguration *ApplicationRestoreConfiguration
	FlinkRunConfiguration           *FlinkRunConfiguration
}

// StartApplicationResponse is the output of StartApplication.
type StartApplicationResponse struct {
	OperationID string
}

// StopApplicationRequest is the input of StopApplication.
type StopApplicationRequest struct {
	ApplicationName string
	// Force stops at once, without a snapshot.
	Force bool
}

// StopApplicationResponse is the output of StopApplication.
type StopApplicationResponse struct {
	OperationID string
}

// DeleteApplicationRequest is the input of DeleteApplication.
type DeleteApplicationRequest struct {
	ApplicationName string
	// CreateTimestamp must be the application's, as DescribeApplication
	// gives it.
	CreateTimestamp time.Time
}

// DeleteApplicationResponse is the output of DeleteApplication.
type DeleteApplicationResponse struct{}

// RollbackApplicationRequest is the input of RollbackApplication.
type RollbackApplicationRequest struct {
	ApplicationName             string
	CurrentApplicationVersionID int64
}

// RollbackApplicationResponse is the output of RollbackApplication.
type RollbackApplicationResponse struct {
	ApplicationDetail ApplicationDetail
	OperationID       string
}

// CreateApplicationSnapshotRequest is the input of CreateApplicationSnapshot.
type CreateApplicationSnapshotRequest struct {
	ApplicationName string
	SnapshotName    string
}

// CreateApplicationSnapshotResponse is the output of CreateApplicationSnapshot.
type CreateApplicationSnapshotResponse struct{}

// ListApplicationSnapshotsRequest is the input of ListApplicationSnapshots.
type ListApplicationSnapshotsRequest struct {
	ApplicationName string
	Limit           int
	NextToken       string
}

// ListApplicationSnapshotsResponse is the output of ListApplicationSnapshots.
type ListApplicationSnapshotsResponse struct {
	SnapshotSummaries []SnapshotDetails
	NextToken         string
}

// SnapshotDetails describes a snapshot.
type SnapshotDetails struct {
	SnapshotName   string
	SnapshotStatus SnapshotStatus
	// ApplicationVersionID is the version that was running when it was
	// taken.
	ApplicationVersionID      int64
	RuntimeEnvironment        RuntimeEnvironment
	SnapshotCreationTimestamp time.Time
}

// DescribeApplicationSnapshotRequest is the input of DescribeApplicationSnapshot.
type DescribeApplicationSnapshotRequest struct {
	ApplicationName string
	SnapshotName    string
}

// DescribeApplicationSnapshotResponse is the output of DescribeApplicationSnapshot.
type DescribeApplicationSnapshotResponse struct {
	SnapshotDetails SnapshotDetails
}

// DeleteApplicationSnapshotRequest is the input of DeleteApplicationSnapshot.
type DeleteApplicationSnapshotRequest struct {
	ApplicationName string
	SnapshotName    string
	// SnapshotCreationTimestamp must be the snapshot's.
	SnapshotCreationTimestamp time.Time
}

// DeleteApplicationSnapshotResponse is the output of DeleteApplicationSnapshot.
type DeleteApplicationSnapshotResponse struct{}

// ListApplicationVersionsRequest is the input of ListApplicationVersions.
type ListApplicationVersionsRequest struct {
	ApplicationName string
	Limit           int
	NextToken       string
}

// ListApplicationVersionsResponse is the output of ListApplicationVersions,
// newest version first.
type ListApplicationVersionsResponse struct {
	ApplicationVersionSummaries []ApplicationVersionSummary
	NextToken                   string
}

// ApplicationVersionSummary is one version of a list: its id and status
// (ROLLED_BACK for a version rolled back from).
type ApplicationVersionSummary struct {
	ApplicationVersionID int64
	ApplicationStatus    ApplicationStatus
}

// DescribeApplicationVersionRequest is the input of DescribeApplicationVersion.
type DescribeApplicationVersionRequest struct {
	ApplicationName      string
	ApplicationVersionID int64
}

// DescribeApplicationVersionResponse is the output of DescribeApplicationVersion.
type DescribeApplicationVersionResponse struct {
	ApplicationVersionDetail ApplicationDetail
}

// ListApplicationOperationsRequest is the input of ListApplicationOperations.
// Operation and OperationStatus filter the list when set.
type ListApplicationOperationsRequest struct {
	ApplicationName string
	Limit           int
	NextToken       string
	Operation       string
	OperationStatus OperationStatus
}

// ListApplicationOperationsResponse is the output of
// ListApplicationOperations, newest first.
type ListApplicationOperationsResponse struct {
	ApplicationOperationInfoList []ApplicationOperationInfo
	NextToken                    string
}

// ApplicationOperationInfo is one operation of a list. EndTime is zero
// while it is in progress.
type ApplicationOperationInfo struct {
	OperationID     string
	Operation       string
	OperationStatus OperationStatus
	StartTime       time.Time
	EndTime         time.Time
}

// DescribeApplicationOperationRequest is the input of DescribeApplicationOperation.
type DescribeApplicationOperationRequest struct {
	ApplicationName string
	OperationID     string
}

// DescribeApplicationOperationResponse is the output of DescribeApplicationOperation.
type DescribeApplicationOperationResponse struct {
	ApplicationOperationInfoDetails ApplicationOperationInfoDetails
}

// ApplicationOperationInfoDetails describes an operation.
type ApplicationOperationInfoDetails struct {
	Operation       string
	OperationStatus OperationStatus
	StartTime       time.Time
	EndTime         time.Time
	// ApplicationVersionChangeDetails is set for an operation that changed
	// the version.
	ApplicationVersionChangeDetails *ApplicationVersionChangeDetails
	// OperationFailureDetails is set for a failed operation.
	OperationFailureDetails *OperationFailureDetails
}

// ApplicationVersionChangeDetails says which version an operation moved from
// and to.
type ApplicationVersionChangeDetails struct {
	ApplicationVersionUpdatedFrom int64
	ApplicationVersionUpdatedTo   int64
}

// OperationFailureDetails says why an operation failed, and which
// operation rolled it back, if one did.
type OperationFailureDetails struct {
	RollbackOperationID string
	ErrorInfo           ErrorInfo
}

// ErrorInfo holds an operation's error.
type ErrorInfo struct {
	ErrorString string
}

// TagResourceRequest is the input of TagResource.
type TagResourceRequest struct {
	ResourceARN string
	Tags        []Tag
}

// TagResourceResponse is the output of TagResource.
type TagResourceResponse struct{}

// UntagResourceRequest is the input of UntagResource.
type UntagResourceRequest struct {
	ResourceARN string
	TagKeys     []string
}

// UntagResourceResponse is the output of UntagResource.
type UntagResourceResponse struct{}

// ListTagsForResourceRequest is the input of ListTagsForResource.
type ListTagsForResourceRequest struct {
	ResourceARN string
}

// ListTagsForResourceResponse is the output of ListTagsForResource.
type ListTagsForResourceResponse struct {
	Tags []Tag
}
