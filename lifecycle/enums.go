package lifecycle

// ApplicationStatus is an application's status, as the service's
// ApplicationStatus enum.
type ApplicationStatus string

// The application statuses.
const (
	StatusReady         ApplicationStatus = "READY"
	StatusStarting      ApplicationStatus = "STARTING"
	StatusRunning       ApplicationStatus = "RUNNING"
	StatusUpdating      ApplicationStatus = "UPDATING"
	StatusStopping      ApplicationStatus = "STOPPING"
	StatusForceStopping ApplicationStatus = "FORCE_STOPPING"
	StatusAutoscaling   ApplicationStatus = "AUTOSCALING"
	StatusRollingBack   ApplicationStatus = "ROLLING_BACK"
	StatusRolledBack    ApplicationStatus = "ROLLED_BACK"
	StatusDeleting      ApplicationStatus = "DELETING"
	StatusMaintenance   ApplicationStatus = "MAINTENANCE"
)

// ApplicationStatuses lists every ApplicationStatus, in the order of the
// service's model.
var ApplicationStatuses = []ApplicationStatus{StatusDeleting, StatusStarting, StatusStopping,
	StatusReady, StatusRunning, StatusUpdating, StatusAutoscaling, StatusForceStopping,
	StatusRollingBack, StatusMaintenance, StatusRolledBack}

// ApplicationRestoreType says which snapshot a start restores, as the
// service's ApplicationRestoreType.
type ApplicationRestoreType string

// The restore types.
const (
	SkipRestoreFromSnapshot   ApplicationRestoreType = "SKIP_RESTORE_FROM_SNAPSHOT"
	RestoreFromLatestSnapshot ApplicationRestoreType = "RESTORE_FROM_LATEST_SNAPSHOT"
	RestoreFromCustomSnapshot ApplicationRestoreType = "RESTORE_FROM_CUSTOM_SNAPSHOT"
)

// OperationStatus is the outcome of an operation, as the service's
// OperationStatus.
type OperationStatus string

// The operation statuses.
const (
	OperationInProgress OperationStatus = "IN_PROGRESS"
	OperationCancelled  OperationStatus = "CANCELLED"
	OperationSuccessful OperationStatus = "SUCCESSFUL"
	OperationFailed     OperationStatus = "FAILED"
)

// ConfigurationType is DEFAULT (the service's settings) or CUSTOM (the
// ones given), as the service's ConfigurationType.
type ConfigurationType string

// The configuration types.
const (
	ConfigurationDefault ConfigurationType = "DEFAULT"
	ConfigurationCustom  ConfigurationType = "CUSTOM"
)

// RuntimeEnvironment is the runtime an application runs on, as the
// service's RuntimeEnvironment. This service runs the Flink ones.
type RuntimeEnvironment string

// The runtime environments of the model. Only the FLINK-* ones are
// supported; the SQL and Zeppelin ones are UnsupportedOperationException.
const (
	RuntimeSQL1_0          RuntimeEnvironment = "SQL-1_0"
	RuntimeFlink1_6        RuntimeEnvironment = "FLINK-1_6"
	RuntimeFlink1_8        RuntimeEnvironment = "FLINK-1_8"
	RuntimeZeppelinFlink10 RuntimeEnvironment = "ZEPPELIN-FLINK-1_0"
	RuntimeFlink1_11       RuntimeEnvironment = "FLINK-1_11"
	RuntimeFlink1_13       RuntimeEnvironment = "FLINK-1_13"
	RuntimeZeppelinFlink20 RuntimeEnvironment = "ZEPPELIN-FLINK-2_0"
	RuntimeFlink1_15       RuntimeEnvironment = "FLINK-1_15"
	RuntimeZeppelinFlink30 RuntimeEnvironment = "ZEPPELIN-FLINK-3_0"
	RuntimeFlink1_18       RuntimeEnvironment = "FLINK-1_18"
	RuntimeFlink1_19       RuntimeEnvironment = "FLINK-1_19"
	RuntimeFlink1_20       RuntimeEnvironment = "FLINK-1_20"
	RuntimeFlink2_2        RuntimeEnvironment = "FLINK-2_2"
)

var runtimeEnvironments = []RuntimeEnvironment{RuntimeSQL1_0, RuntimeFlink1_6, RuntimeFlink1_8,
	RuntimeZeppelinFlink10, RuntimeFlink1_11, RuntimeFlink1_13, RuntimeZeppelinFlink20,
	RuntimeFlink1_15, RuntimeZeppelinFlink30, RuntimeFlink1_18, RuntimeFlink1_19,
	RuntimeFlink1_20, RuntimeFlink2_2}

// ApplicationMode is STREAMING or INTERACTIVE (Zeppelin notebooks), as the
// service's ApplicationMode. Only STREAMING is supported.
type ApplicationMode string

// The application modes.
const (
	ModeStreaming   ApplicationMode = "STREAMING"
	ModeInteractive ApplicationMode = "INTERACTIVE"
)

// CodeContentType is the kind of an application's code, as the service's
// CodeContentType: ZIPFILE for a code package (a JAR or ZIP there),
// PLAINTEXT for SQL text.
type CodeContentType string

// The code content types.
const (
	CodeZipFile   CodeContentType = "ZIPFILE"
	CodePlainText CodeContentType = "PLAINTEXT"
)

// SnapshotStatus is a snapshot's status, as the service's SnapshotStatus.
type SnapshotStatus string

// The snapshot statuses.
const (
	SnapshotCreating SnapshotStatus = "CREATING"
	SnapshotReady    SnapshotStatus = "READY"
	SnapshotDeleting SnapshotStatus = "DELETING"
	SnapshotFailed   SnapshotStatus = "FAILED"
)

// LogLevel is the monitoring log level, as the service's LogLevel.
type LogLevel string

// The log levels.
const (
	LogInfo  LogLevel = "INFO"
	LogWarn  LogLevel = "WARN"
	LogError LogLevel = "ERROR"
	LogDebug LogLevel = "DEBUG"
)

// MetricsLevel is the monitoring metrics level, as the service's MetricsLevel.
type MetricsLevel string

// The metrics levels.
const (
	MetricsApplication MetricsLevel = "APPLICATION"
	MetricsTask        MetricsLevel = "TASK"
	MetricsOperator    MetricsLevel = "OPERATOR"
	MetricsParallelism MetricsLevel = "PARALLELISM"
)

// The operations, as ApplicationOperationInfo.Operation names them.
const (
	OpStartApplication    = "StartApplication"
	OpStopApplication     = "StopApplication"
	OpUpdateApplication   = "UpdateApplication"
	OpRollbackApplication = "RollbackApplication"
	// OpSystemRollback is the rollback the service starts by itself after
	// a failed update (see ApplicationSystemRollbackConfiguration).
	OpSystemRollback = "SystemRollbackApplication"
	// OpAutoscale is a scaling by the service (see
	// ParallelismConfiguration.AutoScalingEnabled).
	OpAutoscale = "AutoscaleApplication"
	// OpMaintenance is a maintenance of the service (Service.Maintain).
	OpMaintenance = "MaintenanceApplication"
)
