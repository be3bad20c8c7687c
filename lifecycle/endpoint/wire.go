package endpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"
)

// The shapes of the kinesisanalyticsv2 model as they travel in JSON: member
// names exactly as the model spells them. A member tagged req:"" is required
// by the model; one tagged enum:"A|B" takes one of those values. Required
// booleans and numbers are pointers, so that a missing one is told from false
// or 0. Encryption, VPC, SQL and Zeppelin members are not declared: they are
// refused where they would matter (see unsupportedMembers) and otherwise
// ignored, as unknown members are.

// epoch is a timestamp in the JSON protocol: a number of seconds since the
// Unix epoch, fractional to the millisecond, as the SDKs send and read it.
type epoch struct{ time.Time }

// IsZero reports a missing timestamp (for omitzero).
func (e epoch) IsZero() bool { return e.Time.IsZero() }

// MarshalJSON writes the seconds with milliseconds.
func (e epoch) MarshalJSON() ([]byte, error) {
	ms := e.UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1e3, 'f', -1, 64), nil
}

// errTimestamp is why a timestamp is refused.
var errTimestamp = errors.New("a timestamp is a number of seconds since the epoch")

// UnmarshalJSON reads a number of seconds.
func (e *epoch) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*e = epoch{}
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return errTimestamp
	}
	sec, frac := math.Modf(f)
	e.Time = time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC()
	return nil
}

func toEpoch(t time.Time) epoch { return epoch{t} }

type tag struct {
	Key   string `json:"Key" req:""`
	Value string `json:"Value,omitempty"`
}

type propertyGroup struct {
	PropertyGroupID string            `json:"PropertyGroupId" req:""`
	PropertyMap     map[string]string `json:"PropertyMap" req:""`
}

type s3ContentLocation struct {
	BucketARN     string `json:"BucketARN" req:""`
	FileKey       string `json:"FileKey" req:""`
	ObjectVersion string `json:"ObjectVersion,omitempty"`
}

type codeContent struct {
	S3ContentLocation *s3ContentLocation `json:"S3ContentLocation,omitempty"`
	TextContent       string             `json:"TextContent,omitempty"`
	ZipFileContent    []byte             `json:"ZipFileContent,omitempty"`
}

type applicationCodeConfiguration struct {
	CodeContent     *codeContent `json:"CodeContent,omitempty"`
	CodeContentType string       `json:"CodeContentType" req:"" enum:"PLAINTEXT|ZIPFILE"`
}

type applicationSnapshotConfiguration struct {
	SnapshotsEnabled *bool `json:"SnapshotsEnabled" req:""`
}

type applicationSystemRollbackConfiguration struct {
	RollbackEnabled *bool `json:"RollbackEnabled" req:""`
}

type environmentProperties struct {
	PropertyGroups []propertyGroup `json:"PropertyGroups" req:""`
}

type checkpointConfiguration struct {
	CheckpointInterval         *int64 `json:"CheckpointInterval,omitempty"`
	CheckpointingEnabled       *bool  `json:"CheckpointingEnabled,omitempty"`
	ConfigurationType          string `json:"ConfigurationType" req:"" enum:"DEFAULT|CUSTOM"`
	MinPauseBetweenCheckpoints *int64 `json:"MinPauseBetweenCheckpoints,omitempty"`
}

type monitoringConfiguration struct {
	ConfigurationType string `json:"ConfigurationType" req:"" enum:"DEFAULT|CUSTOM"`
	LogLevel          string `json:"LogLevel,omitempty" enum:"INFO|WARN|ERROR|DEBUG"`
	MetricsLevel      string `json:"MetricsLevel,omitempty" enum:"APPLICATION|TASK|OPERATOR|PARALLELISM"`
}

type parallelismConfiguration struct {
	AutoScalingEnabled *bool  `json:"AutoScalingEnabled,omitempty"`
	ConfigurationType  string `json:"ConfigurationType" req:"" enum:"DEFAULT|CUSTOM"`
	Parallelism        *int64 `json:"Parallelism,omitempty"`
	ParallelismPerKPU  *int64 `json:"ParallelismPerKPU,omitempty"`
}

type flinkApplicationConfiguration struct {
	CheckpointConfiguration  *checkpointConfiguration  `json:"CheckpointConfiguration,omitempty"`
	MonitoringConfiguration  *monitoringConfiguration  `json:"MonitoringConfiguration,omitempty"`
	ParallelismConfiguration *parallelismConfiguration `json:"ParallelismConfiguration,omitempty"`
}

type applicationConfiguration struct {
	ApplicationCodeConfiguration           *applicationCodeConfiguration           `json:"ApplicationCodeConfiguration,omitempty"`
	ApplicationSnapshotConfiguration       *applicationSnapshotConfiguration       `json:"ApplicationSnapshotConfiguration,omitempty"`
	ApplicationSystemRollbackConfiguration *applicationSystemRollbackConfiguration `json:"ApplicationSystemRollbackConfiguration,omitempty"`
	EnvironmentProperties                  *environmentProperties                  `json:"EnvironmentProperties,omitempty"`
	FlinkApplicationConfiguration          *flinkApplicationConfiguration          `json:"FlinkApplicationConfiguration,omitempty"`
	SQLApplicationConfiguration            json.RawMessage                         `json:"SqlApplicationConfiguration,omitempty"`
	ZeppelinApplicationConfiguration       json.RawMessage                         `json:"ZeppelinApplicationConfiguration,omitempty"`
	VpcConfigurations                      json.RawMessage                         `json:"VpcConfigurations,omitempty"`
	ApplicationEncryptionConfiguration     json.RawMessage                         `json:"ApplicationEncryptionConfiguration,omitempty"`
}

type cloudWatchLoggingOption struct {
	LogStreamARN string `json:"LogStreamARN" req:""`
}

type createApplicationRequest struct {
	ApplicationConfiguration *applicationConfiguration `json:"ApplicationConfiguration,omitempty"`
	ApplicationDescription   string                    `json:"ApplicationDescription,omitempty"`
	ApplicationMode          string                    `json:"ApplicationMode,omitempty" enum:"STREAMING|INTERACTIVE"`
	ApplicationName          string                    `json:"ApplicationName" req:""`
	CloudWatchLoggingOptions []cloudWatchLoggingOption `json:"CloudWatchLoggingOptions,omitempty"`
	RuntimeEnvironment       string                    `json:"RuntimeEnvironment" req:"" enum:"SQL-1_0|FLINK-1_6|FLINK-1_8|ZEPPELIN-FLINK-1_0|FLINK-1_11|FLINK-1_13|ZEPPELIN-FLINK-2_0|FLINK-1_15|ZEPPELIN-FLINK-3_0|FLINK-1_18|FLINK-1_19|FLINK-1_20|FLINK-2_2"`
	ServiceExecutionRole     string                    `json:"ServiceExecutionRole" req:""`
	Tags                     []tag                     `json:"Tags,omitempty"`
}

type s3ApplicationCodeLocationDescription struct {
	BucketARN     string `json:"BucketARN"`
	FileKey       string `json:"FileKey"`
	ObjectVersion string `json:"ObjectVersion,omitempty"`
}

type codeContentDescription struct {
	CodeMD5                              string                                `json:"CodeMD5,omitempty"`
	CodeSize                             int64                                 `json:"CodeSize"`
	S3ApplicationCodeLocationDescription *s3ApplicationCodeLocationDescription `json:"S3ApplicationCodeLocationDescription,omitempty"`
	TextContent                          string                                `json:"TextContent,omitempty"`
}

type applicationCodeConfigurationDescription struct {
	CodeContentDescription *codeContentDescription `json:"CodeContentDescription,omitempty"`
	CodeContentType        string                  `json:"CodeContentType"`
}

type checkpointConfigurationDescription struct {
	CheckpointInterval         int64  `json:"CheckpointInterval"`
	CheckpointingEnabled       bool   `json:"CheckpointingEnabled"`
	ConfigurationType          string `json:"ConfigurationType"`
	MinPauseBetweenCheckpoints int64  `json:"MinPauseBetweenCheckpoints"`
}

type monitoringConfigurationDescription struct {
	ConfigurationType string `json:"ConfigurationType"`
	LogLevel          string `json:"LogLevel"`
	MetricsLevel      string `json:"MetricsLevel"`
}

type parallelismConfigurationDescription struct {
	AutoScalingEnabled bool   `json:"AutoScalingEnabled"`
	ConfigurationType  string `json:"ConfigurationType"`
	CurrentParallelism int    `json:"CurrentParallelism"`
	Parallelism        int    `json:"Parallelism"`
	ParallelismPerKPU  int    `json:"ParallelismPerKPU"`
}

type flinkApplicationConfigurationDescription struct {
	CheckpointConfigurationDescription  checkpointConfigurationDescription  `json:"CheckpointConfigurationDescription"`
	JobPlanDescription                  string                              `json:"JobPlanDescription,omitempty"`
	MonitoringConfigurationDescription  monitoringConfigurationDescription  `json:"MonitoringConfigurationDescription"`
	ParallelismConfigurationDescription parallelismConfigurationDescription `json:"ParallelismConfigurationDescription"`
}

type applicationRestoreConfiguration struct {
	ApplicationRestoreType string `json:"ApplicationRestoreType" req:"" enum:"SKIP_RESTORE_FROM_SNAPSHOT|RESTORE_FROM_LATEST_SNAPSHOT|RESTORE_FROM_CUSTOM_SNAPSHOT"`
	SnapshotName           string `json:"SnapshotName,omitempty"`
}

type flinkRunConfiguration struct {
	AllowNonRestoredState *bool `json:"AllowNonRestoredState,omitempty"`
}

type runConfigurationDescription struct {
	ApplicationRestoreConfigurationDescription applicationRestoreConfiguration `json:"ApplicationRestoreConfigurationDescription"`
	FlinkRunConfigurationDescription           flinkRunConfiguration           `json:"FlinkRunConfigurationDescription"`
}

type environmentPropertyDescriptions struct {
	PropertyGroupDescriptions []propertyGroup `json:"PropertyGroupDescriptions"`
}

type snapshotsEnabled struct {
	SnapshotsEnabled bool `json:"SnapshotsEnabled"`
}

type rollbackEnabled struct {
	RollbackEnabled bool `json:"RollbackEnabled"`
}

type applicationConfigurationDescription struct {
	ApplicationCodeConfigurationDescription           applicationCodeConfigurationDescription  `json:"ApplicationCodeConfigurationDescription"`
	ApplicationSnapshotConfigurationDescription       snapshotsEnabled                         `json:"ApplicationSnapshotConfigurationDescription"`
	ApplicationSystemRollbackConfigurationDescription rollbackEnabled                          `json:"ApplicationSystemRollbackConfigurationDescription"`
	EnvironmentPropertyDescriptions                   environmentPropertyDescriptions          `json:"EnvironmentPropertyDescriptions"`
	FlinkApplicationConfigurationDescription          flinkApplicationConfigurationDescription `json:"FlinkApplicationConfigurationDescription"`
	RunConfigurationDescription                       *runConfigurationDescription             `json:"RunConfigurationDescription,omitempty"`
}

type cloudWatchLoggingOptionDescription struct {
	CloudWatchLoggingOptionID string `json:"CloudWatchLoggingOptionId,omitempty"`
	LogStreamARN              string `json:"LogStreamARN"`
	RoleARN                   string `json:"RoleARN,omitempty"`
}

type applicationMaintenanceConfigurationDescription struct {
	ApplicationMaintenanceWindowEndTime   string `json:"ApplicationMaintenanceWindowEndTime"`
	ApplicationMaintenanceWindowStartTime string `json:"ApplicationMaintenanceWindowStartTime"`
}

type applicationDetail struct {
	ApplicationARN                                 string                                         `json:"ApplicationARN"`
	ApplicationConfigurationDescription            applicationConfigurationDescription            `json:"ApplicationConfigurationDescription"`
	ApplicationDescription                         string                                         `json:"ApplicationDescription,omitempty"`
	ApplicationMaintenanceConfigurationDescription applicationMaintenanceConfigurationDescription `json:"ApplicationMaintenanceConfigurationDescription"`
	ApplicationMode                                string                                         `json:"ApplicationMode,omitempty"`
	ApplicationName                                string                                         `json:"ApplicationName"`
	ApplicationStatus                              string                                         `json:"ApplicationStatus"`
	ApplicationVersionCreateTimestamp              epoch                                          `json:"ApplicationVersionCreateTimestamp,omitzero"`
	ApplicationVersionID                           int64                                          `json:"ApplicationVersionId"`
	ApplicationVersionRolledBackFrom               int64                                          `json:"ApplicationVersionRolledBackFrom,omitempty"`
	ApplicationVersionRolledBackTo                 int64                                          `json:"ApplicationVersionRolledBackTo,omitempty"`
	ApplicationVersionUpdatedFrom                  int64                                          `json:"ApplicationVersionUpdatedFrom,omitempty"`
	CloudWatchLoggingOptionDescriptions            []cloudWatchLoggingOptionDescription           `json:"CloudWatchLoggingOptionDescriptions,omitempty"`
	ConditionalToken                               string                                         `json:"ConditionalToken,omitempty"`
	CreateTimestamp                                epoch                                          `json:"CreateTimestamp,omitzero"`
	LastUpdateTimestamp                            epoch                                          `json:"LastUpdateTimestamp,omitzero"`
	RuntimeEnvironment                             string                                         `json:"RuntimeEnvironment"`
	ServiceExecutionRole                           string                                         `json:"ServiceExecutionRole,omitempty"`
}

type applicationDetailResponse struct {
	ApplicationDetail applicationDetail `json:"ApplicationDetail"`
}

type describeApplicationRequest struct {
	ApplicationName          string `json:"ApplicationName" req:""`
	IncludeAdditionalDetails *bool  `json:"IncludeAdditionalDetails,omitempty"`
}

type listApplicationsRequest struct {
	Limit     *int64 `json:"Limit,omitempty"`
	NextToken string `json:"NextToken,omitempty"`
}

type applicationSummary struct {
	ApplicationARN       string `json:"ApplicationARN"`
	ApplicationMode      string `json:"ApplicationMode,omitempty"`
	ApplicationName      string `json:"ApplicationName"`
	ApplicationStatus    string `json:"ApplicationStatus"`
	ApplicationVersionID int64  `json:"ApplicationVersionId"`
	RuntimeEnvironment   string `json:"RuntimeEnvironment"`
}

type listApplicationsResponse struct {
	ApplicationSummaries []applicationSummary `json:"ApplicationSummaries"`
	NextToken            string               `json:"NextToken,omitempty"`
}

type s3ContentLocationUpdate struct {
	BucketARNUpdate     string `json:"BucketARNUpdate,omitempty"`
	FileKeyUpdate       string `json:"FileKeyUpdate,omitempty"`
	ObjectVersionUpdate string `json:"ObjectVersionUpdate,omitempty"`
}

type codeContentUpdate struct {
	S3ContentLocationUpdate *s3ContentLocationUpdate `json:"S3ContentLocationUpdate,omitempty"`
	TextContentUpdate       string                   `json:"TextContentUpdate,omitempty"`
	ZipFileContentUpdate    []byte                   `json:"ZipFileContentUpdate,omitempty"`
}

type applicationCodeConfigurationUpdate struct {
	CodeContentTypeUpdate string             `json:"CodeContentTypeUpdate,omitempty" enum:"PLAINTEXT|ZIPFILE"`
	CodeContentUpdate     *codeContentUpdate `json:"CodeContentUpdate,omitempty"`
}

type checkpointConfigurationUpdate struct {
	CheckpointIntervalUpdate         *int64 `json:"CheckpointIntervalUpdate,omitempty"`
	CheckpointingEnabledUpdate       *bool  `json:"CheckpointingEnabledUpdate,omitempty"`
	ConfigurationTypeUpdate          string `json:"ConfigurationTypeUpdate,omitempty" enum:"DEFAULT|CUSTOM"`
	MinPauseBetweenCheckpointsUpdate *int64 `json:"MinPauseBetweenCheckpointsUpdate,omitempty"`
}

type monitoringConfigurationUpdate struct {
	ConfigurationTypeUpdate string `json:"ConfigurationTypeUpdate,omitempty" enum:"DEFAULT|CUSTOM"`
	LogLevelUpdate          string `json:"LogLevelUpdate,omitempty" enum:"INFO|WARN|ERROR|DEBUG"`
	MetricsLevelUpdate      string `json:"MetricsLevelUpdate,omitempty" enum:"APPLICATION|TASK|OPERATOR|PARALLELISM"`
}

type parallelismConfigurationUpdate struct {
	AutoScalingEnabledUpdate *bool  `json:"AutoScalingEnabledUpdate,omitempty"`
	ConfigurationTypeUpdate  string `json:"ConfigurationTypeUpdate,omitempty" enum:"DEFAULT|CUSTOM"`
	ParallelismPerKPUUpdate  *int64 `json:"ParallelismPerKPUUpdate,omitempty"`
	ParallelismUpdate        *int64 `json:"ParallelismUpdate,omitempty"`
}

type flinkApplicationConfigurationUpdate struct {
	CheckpointConfigurationUpdate  *checkpointConfigurationUpdate  `json:"CheckpointConfigurationUpdate,omitempty"`
	MonitoringConfigurationUpdate  *monitoringConfigurationUpdate  `json:"MonitoringConfigurationUpdate,omitempty"`
	ParallelismConfigurationUpdate *parallelismConfigurationUpdate `json:"ParallelismConfigurationUpdate,omitempty"`
}

type applicationConfigurationUpdate struct {
	ApplicationCodeConfigurationUpdate     *applicationCodeConfigurationUpdate `json:"ApplicationCodeConfigurationUpdate,omitempty"`
	ApplicationSnapshotConfigurationUpdate *struct {
		SnapshotsEnabledUpdate *bool `json:"SnapshotsEnabledUpdate" req:""`
	} `json:"ApplicationSnapshotConfigurationUpdate,omitempty"`
	ApplicationSystemRollbackConfigurationUpdate *struct {
		RollbackEnabledUpdate *bool `json:"RollbackEnabledUpdate" req:""`
	} `json:"ApplicationSystemRollbackConfigurationUpdate,omitempty"`
	EnvironmentPropertyUpdates               *environmentProperties               `json:"EnvironmentPropertyUpdates,omitempty"`
	FlinkApplicationConfigurationUpdate      *flinkApplicationConfigurationUpdate `json:"FlinkApplicationConfigurationUpdate,omitempty"`
	SQLApplicationConfigurationUpdate        json.RawMessage                      `json:"SqlApplicationConfigurationUpdate,omitempty"`
	ZeppelinApplicationConfigurationUpdate   json.RawMessage                      `json:"ZeppelinApplicationConfigurationUpdate,omitempty"`
	VpcConfigurationUpdates                  json.RawMessage                      `json:"VpcConfigurationUpdates,omitempty"`
	ApplicationEncryptionConfigurationUpdate json.RawMessage                      `json:"ApplicationEncryptionConfigurationUpdate,omitempty"`
}

type runConfiguration struct {
	ApplicationRestoreConfiguration *applicationRestoreConfiguration `json:"ApplicationRestoreConfiguration,omitempty"`
	FlinkRunConfiguration           *flinkRunConfiguration           `json:"FlinkRunConfiguration,omitempty"`
	SQLRunConfigurations            json.RawMessage                  `json:"SqlRunConfigurations,omitempty"`
}

type cloudWatchLoggingOptionUpdate struct {
	CloudWatchLoggingOptionID string `json:"CloudWatchLoggingOptionId" req:""`
	LogStreamARNUpdate        string `json:"LogStreamARNUpdate,omitempty"`
}

type updateApplicationRequest struct {
	ApplicationConfigurationUpdate *applicationConfigurationUpdate `json:"ApplicationConfigurationUpdate,omitempty"`
	ApplicationName                string                          `json:"ApplicationName" req:""`
	CloudWatchLoggingOptionUpdates []cloudWatchLoggingOptionUpdate `json:"CloudWatchLoggingOptionUpdates,omitempty"`
	ConditionalToken               string                          `json:"ConditionalToken,omitempty"`
	CurrentApplicationVersionID    *int64                          `json:"CurrentApplicationVersionId,omitempty"`
	RunConfigurationUpdate         *runConfiguration               `json:"RunConfigurationUpdate,omitempty"`
	RuntimeEnvironmentUpdate       string                          `json:"RuntimeEnvironmentUpdate,omitempty" enum:"SQL-1_0|FLINK-1_6|FLINK-1_8|ZEPPELIN-FLINK-1_0|FLINK-1_11|FLINK-1_13|ZEPPELIN-FLINK-2_0|FLINK-1_15|ZEPPELIN-FLINK-3_0|FLINK-1_18|FLINK-1_19|FLINK-1_20|FLINK-2_2"`
	ServiceExecutionRoleUpdate     string                          `json:"ServiceExecutionRoleUpdate,omitempty"`
}

type updateApplicationResponse struct {
	ApplicationDetail applicationDetail `json:"ApplicationDetail"`
	OperationID       string            `json:"OperationId,omitempty"`
}

type startApplicationRequest struct {
	ApplicationName  string            `json:"ApplicationName" req:""`
	RunConfiguration *runConfiguration `json:"RunConfiguration,omitempty"`
}

type operationResponse struct {
	OperationID string `json:"OperationId,omitempty"`
}

type stopApplicationRequest struct {
	ApplicationName string `json:"ApplicationName" req:""`
	Force           *bool  `json:"Force,omitempty"`
}

type deleteApplicationRequest struct {
	ApplicationName string `json:"ApplicationName" req:""`
	CreateTimestamp epoch  `json:"CreateTimestamp" req:""`
}

type empty struct{}

type rollbackApplicationRequest struct {
	ApplicationName             string `json:"ApplicationName" req:""`
	CurrentApplicationVersionID *int64 `json:"CurrentApplicationVersionId" req:""`
}

type snapshotRequest struct {
	ApplicationName string `json:"ApplicationName" req:""`
	SnapshotName    string `json:"SnapshotName" req:""`
}

type deleteApplicationSnapshotRequest struct {
	ApplicationName           string `json:"ApplicationName" req:""`
	SnapshotCreationTimestamp epoch  `json:"SnapshotCreationTimestamp" req:""`
	SnapshotName              string `json:"SnapshotName" req:""`
}

type listRequest struct {
	ApplicationName string `json:"ApplicationName" req:""`
	Limit           *int64 `json:"Limit,omitempty"`
	NextToken       string `json:"NextToken,omitempty"`
}

type snapshotDetails struct {
	ApplicationVersionID      int64  `json:"ApplicationVersionId"`
	RuntimeEnvironment        string `json:"RuntimeEnvironment,omitempty"`
	SnapshotCreationTimestamp epoch  `json:"SnapshotCreationTimestamp,omitzero"`
	SnapshotName              string `json:"SnapshotName"`
	SnapshotStatus            string `json:"SnapshotStatus"`
}

type listApplicationSnapshotsResponse struct {
	NextToken         string            `json:"NextToken,omitempty"`
	SnapshotSummaries []snapshotDetails `json:"SnapshotSummaries"`
}

type describeApplicationSnapshotResponse struct {
	SnapshotDetails snapshotDetails `json:"SnapshotDetails"`
}

type applicationVersionSummary struct {
	ApplicationStatus    string `json:"ApplicationStatus"`
	ApplicationVersionID int64  `json:"ApplicationVersionId"`
}

type listApplicationVersionsResponse struct {
	ApplicationVersionSummaries []applicationVersionSummary `json:"ApplicationVersionSummaries"`
	NextToken                   string                      `json:"NextToken,omitempty"`
}

type describeApplicationVersionRequest struct {
	ApplicationName      string `json:"ApplicationName" req:""`
	ApplicationVersionID *int64 `json:"ApplicationVersionId" req:""`
}

type describeApplicationVersionResponse struct {
	ApplicationVersionDetail applicationDetail `json:"ApplicationVersionDetail"`
}

type listApplicationOperationsRequest struct {
	ApplicationName string `json:"ApplicationName" req:""`
	Limit           *int64 `json:"Limit,omitempty"`
	NextToken       string `json:"NextToken,omitempty"`
	Operation       string `json:"Operation,omitempty"`
	OperationStatus string `json:"OperationStatus,omitempty" enum:"IN_PROGRESS|CANCELLED|SUCCESSFUL|FAILED"`
}

type applicationOperationInfo struct {
	EndTime         epoch  `json:"EndTime,omitzero"`
	Operation       string `json:"Operation"`
	OperationID     string `json:"OperationId"`
	OperationStatus string `json:"OperationStatus"`
	StartTime       epoch  `json:"StartTime,omitzero"`
}

type listApplicationOperationsResponse struct {
	ApplicationOperationInfoList []applicationOperationInfo `json:"ApplicationOperationInfoList"`
	NextToken                    string                     `json:"NextToken,omitempty"`
}

type describeApplicationOperationRequest struct {
	ApplicationName string `json:"ApplicationName" req:""`
	OperationID     string `json:"OperationId" req:""`
}

type applicationVersionChangeDetails struct {
	ApplicationVersionUpdatedFrom int64 `json:"ApplicationVersionUpdatedFrom"`
	ApplicationVersionUpdatedTo   int64 `json:"ApplicationVersionUpdatedTo"`
}

type errorInfo struct {
	ErrorString string `json:"ErrorString,omitempty"`
}

type operationFailureDetails struct {
	ErrorInfo           errorInfo `json:"ErrorInfo"`
	RollbackOperationID string    `json:"RollbackOperationId,omitempty"`
}

type applicationOperationInfoDetails struct {
	ApplicationVersionChangeDetails *applicationVersionChangeDetails `json:"ApplicationVersionChangeDetails,omitempty"`
	EndTime                         epoch                            `json:"EndTime,omitzero"`
	Operation                       string                           `json:"Operation"`
	OperationFailureDetails         *operationFailureDetails         `json:"OperationFailureDetails,omitempty"`
	OperationStatus                 string                           `json:"OperationStatus"`
	StartTime                       epoch                            `json:"StartTime,omitzero"`
}

type describeApplicationOperationResponse struct {
	ApplicationOperationInfoDetails applicationOperationInfoDetails `json:"ApplicationOperationInfoDetails"`
}

type tagResourceRequest struct {
	ResourceARN string `json:"ResourceARN" req:""`
	Tags        []tag  `json:"Tags" req:""`
}

type untagResourceRequest struct {
	ResourceARN string   `json:"ResourceARN" req:""`
	TagKeys     []string `json:"TagKeys" req:""`
}

type listTagsForResourceRequest struct {
	ResourceARN string `json:"ResourceARN" req:""`
}

type listTagsForResourceResponse struct {
	Tags []tag `json:"Tags"`
}

type createApplicationPresignedURLRequest struct {
	ApplicationName                    string `json:"ApplicationName" req:""`
	SessionExpirationDurationInSeconds *int64 `json:"SessionExpirationDurationInSeconds,omitempty"`
	URLType                            string `json:"UrlType" req:"" enum:"FLINK_DASHBOARD_URL|ZEPPELIN_UI_URL"`
}

type createApplicationPresignedURLResponse struct {
	AuthorizedURL string `json:"AuthorizedUrl"`
}

type addApplicationCloudWatchLoggingOptionRequest struct {
	ApplicationName             string                   `json:"ApplicationName" req:""`
	CloudWatchLoggingOption     *cloudWatchLoggingOption `json:"CloudWatchLoggingOption" req:""`
	ConditionalToken            string                   `json:"ConditionalToken,omitempty"`
	CurrentApplicationVersionID *int64                   `json:"CurrentApplicationVersionId,omitempty"`
}

type deleteApplicationCloudWatchLoggingOptionRequest struct {
	ApplicationName             string `json:"ApplicationName" req:""`
	CloudWatchLoggingOptionID   string `json:"CloudWatchLoggingOptionId" req:""`
	ConditionalToken            string `json:"ConditionalToken,omitempty"`
	CurrentApplicationVersionID *int64 `json:"CurrentApplicationVersionId,omitempty"`
}

// cloudWatchLoggingOptionResponse is the output of both
// AddApplicationCloudWatchLoggingOption and
// DeleteApplicationCloudWatchLoggingOption.
type cloudWatchLoggingOptionResponse struct {
	ApplicationARN                      string                               `json:"ApplicationARN"`
	ApplicationVersionID                int64                                `json:"ApplicationVersionId"`
	CloudWatchLoggingOptionDescriptions []cloudWatchLoggingOptionDescription `json:"CloudWatchLoggingOptionDescriptions"`
	OperationID                         string                               `json:"OperationId,omitempty"`
}

type updateApplicationMaintenanceConfigurationRequest struct {
	ApplicationMaintenanceConfigurationUpdate *struct {
		ApplicationMaintenanceWindowStartTimeUpdate string `json:"ApplicationMaintenanceWindowStartTimeUpdate" req:""`
	} `json:"ApplicationMaintenanceConfigurationUpdate" req:""`
	ApplicationName string `json:"ApplicationName" req:""`
}

type updateApplicationMaintenanceConfigurationResponse struct {
	ApplicationARN                                 string                                         `json:"ApplicationARN"`
	ApplicationMaintenanceConfigurationDescription applicationMaintenanceConfigurationDescription `json:"ApplicationMaintenanceConfigurationDescription"`
}
