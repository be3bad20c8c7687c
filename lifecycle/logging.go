package lifecycle

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"
)

// CloudWatchLoggingOption names a log stream an application logs to.
type CloudWatchLoggingOption struct {
	LogStreamARN string
}

// CloudWatchLoggingOptionDescription describes a logging option, with the
// id the service gave it.
type CloudWatchLoggingOptionDescription struct {
	CloudWatchLoggingOptionID string
	LogStreamARN              string
	RoleARN                   string
}

// CloudWatchLoggingOptionUpdate changes the log stream of a logging option.
type CloudWatchLoggingOptionUpdate struct {
	CloudWatchLoggingOptionID string
	LogStreamARNUpdate        string
}

// AddApplicationCloudWatchLoggingOptionRequest is the input of
// AddApplicationCloudWatchLoggingOption.
type AddApplicationCloudWatchLoggingOptionRequest struct {
	ApplicationName             string
	CloudWatchLoggingOption     CloudWatchLoggingOption
	CurrentApplicationVersionID int64
	ConditionalToken            string
}

// AddApplicationCloudWatchLoggingOptionResponse is the output of
// AddApplicationCloudWatchLoggingOption.
type AddApplicationCloudWatchLoggingOptionResponse struct {
	ApplicationARN                      string
	ApplicationVersionID                int64
	CloudWatchLoggingOptionDescriptions []CloudWatchLoggingOptionDescription
	OperationID                         string
}

// DeleteApplicationCloudWatchLoggingOptionRequest is the input of
// DeleteApplicationCloudWatchLoggingOption.
type DeleteApplicationCloudWatchLoggingOptionRequest struct {
	ApplicationName             string
	CloudWatchLoggingOptionID   string
	CurrentApplicationVersionID int64
	ConditionalToken            string
}

// DeleteApplicationCloudWatchLoggingOptionResponse is the output of
// DeleteApplicationCloudWatchLoggingOption.
type DeleteApplicationCloudWatchLoggingOptionResponse struct {
	ApplicationARN                      string
	ApplicationVersionID                int64
	CloudWatchLoggingOptionDescriptions []CloudWatchLoggingOptionDescription
	OperationID                         string
}

// ApplicationMaintenanceConfigurationDescription is an application's
// maintenance window: eight hours from its start, times of day in UTC.
type ApplicationMaintenanceConfigurationDescription struct {
	ApplicationMaintenanceWindowStartTime string
	ApplicationMaintenanceWindowEndTime   string
}

// ApplicationMaintenanceConfigurationUpdate sets the start of the window.
type ApplicationMaintenanceConfigurationUpdate struct {
	ApplicationMaintenanceWindowStartTimeUpdate string
}

// UpdateApplicationMaintenanceConfigurationRequest is the input of
// UpdateApplicationMaintenanceConfiguration.
type UpdateApplicationMaintenanceConfigurationRequest struct {
	ApplicationName                           string
	ApplicationMaintenanceConfigurationUpdate ApplicationMaintenanceConfigurationUpdate
}

// UpdateApplicationMaintenanceConfigurationResponse is the output of
// UpdateApplicationMaintenanceConfiguration.
type UpdateApplicationMaintenanceConfigurationResponse struct {
	ApplicationARN                                 string
	ApplicationMaintenanceConfigurationDescription ApplicationMaintenanceConfigurationDescription
}

// Logging options and the maintenance window are recorded and described;
// they change nothing in how the job runs (its logs go to the service's
// Logger). A logging option's change is a new version, an operation that
// completes at once: the job is not restarted for it.
const (
	opAddLogging    = "AddApplicationCloudWatchLoggingOption"
	opDeleteLogging = "DeleteApplicationCloudWatchLoggingOption"
	// defaultMaintenanceStart is the start of the maintenance window of a
	// new application.
	defaultMaintenanceStart = "06:00"
	maintenanceWindow       = 8 * time.Hour
	maxLoggingOptions       = 1 // the service takes one log stream per application
)

var timeOfDay = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// maintenanceDescription is the window that starts at start.
func maintenanceDescription(start string) ApplicationMaintenanceConfigurationDescription {
	t, _ := time.Parse("15:04", start)
	return ApplicationMaintenanceConfigurationDescription{ApplicationMaintenanceWindowStartTime: start,
		ApplicationMaintenanceWindowEndTime: t.Add(maintenanceWindow).Format("15:04")}
}

// AddApplicationCloudWatchLoggingOption adds a log stream to a READY or
// RUNNING application, as a new version.
func (s *Service) AddApplicationCloudWatchLoggingOption(ctx context.Context, in AddApplicationCloudWatchLoggingOptionRequest) (AddApplicationCloudWatchLoggingOptionResponse, error) {
	if err := ctx.Err(); err != nil {
		return AddApplicationCloudWatchLoggingOptionResponse{}, err
	}
	if err := checkARN("LogStreamARN", in.CloudWatchLoggingOption.LogStreamARN); err != nil {
		return AddApplicationCloudWatchLoggingOptionResponse{}, err
	}
	v, id, opts, err := s.changeLogging(in.ApplicationName, in.CurrentApplicationVersionID, in.ConditionalToken, opAddLogging,
		func(a *app, cur []CloudWatchLoggingOptionDescription) ([]CloudWatchLoggingOptionDescription, error) {
			if len(cur) >= maxLoggingOptions {
				return nil, invalidArgument("application %s has a CloudWatch logging option already", a.rec.Name)
			}
			a.rec.LoggingSeq++
			return append(slices.Clone(cur), CloudWatchLoggingOptionDescription{
				CloudWatchLoggingOptionID: fmt.Sprintf("%d.%d", a.rec.VersionID+1, a.rec.LoggingSeq),
				LogStreamARN:              in.CloudWatchLoggingOption.LogStreamARN}), nil
		})
	if err != nil {
		return AddApplicationCloudWatchLoggingOptionResponse{}, err
	}
	return AddApplicationCloudWatchLoggingOptionResponse{ApplicationARN: s.arn(in.ApplicationName), ApplicationVersionID: v,
		CloudWatchLoggingOptionDescriptions: opts, OperationID: id}, nil
}

// DeleteApplicationCloudWatchLoggingOption removes a log stream from a
// READY or RUNNING application, as a new version.
func (s *Service) DeleteApplicationCloudWatchLoggingOption(ctx context.Context, in DeleteApplicationCloudWatchLoggingOptionRequest) (DeleteApplicationCloudWatchLoggingOptionResponse, error) {
	if err := ctx.Err(); err != nil {
		return DeleteApplicationCloudWatchLoggingOptionResponse{}, err
	}
	if err := checkLength("CloudWatchLoggingOptionId", in.CloudWatchLoggingOptionID, 1, maxGroupIDLength); err != nil {
		return DeleteApplicationCloudWatchLoggingOptionResponse{}, err
	}
	v, id, opts, err := s.changeLogging(in.ApplicationName, in.CurrentApplicationVersionID, in.ConditionalToken, opDeleteLogging,
		func(a *app, cur []CloudWatchLoggingOptionDescription) ([]CloudWatchLoggingOptionDescription, error) {
			i := slices.IndexFunc(cur, func(o CloudWatchLoggingOptionDescription) bool {
				return o.CloudWatchLoggingOptionID == in.CloudWatchLoggingOptionID
			})
			if i < 0 {
				return nil, invalidArgument("application %s has no CloudWatch logging option %s", a.rec.Name, in.CloudWatchLoggingOptionID)
			}
			return slices.Delete(slices.Clone(cur), i, i+1), nil
		})
	if err != nil {
		return DeleteApplicationCloudWatchLoggingOptionResponse{}, err
	}
	return DeleteApplicationCloudWatchLoggingOptionResponse{ApplicationARN: s.arn(in.ApplicationName), ApplicationVersionID: v,
		CloudWatchLoggingOptionDescriptions: opts, OperationID: id}, nil
}

// changeLogging makes the version that change gives the logging options
// of, with an operation that completes at once.
func (s *Service) changeLogging(name string, version int64, token, operation string,
	change func(a *app, cur []CloudWatchLoggingOptionDescription) ([]CloudWatchLoggingOptionDescription, error)) (int64, string, []CloudWatchLoggingOptionDescription, error) {
	if version == 0 && token == "" {
		return 0, "", nil, invalidArgument("%s needs CurrentApplicationVersionId or ConditionalToken", operation)
	}
	if version != 0 {
		if err := checkVersionID("CurrentApplicationVersionId", version); err != nil {
			return 0, "", nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(name)
	if err != nil {
		return 0, "", nil, err
	}
	if err := checkCurrentLocked(a, version, token); err != nil {
		return 0, "", nil, err
	}
	if err := checkStatusLocked(a, actionUpdate); err != nil {
		return 0, "", nil, err
	}
	cur := a.rec.current()
	seq := a.rec.LoggingSeq
	opts, err := change(a, cur.Config.Logging)
	if err != nil {
		a.rec.LoggingSeq = seq
		return 0, "", nil, err
	}
	next := versionRecord{ID: cur.ID + 1, Created: s.now(), UpdatedFrom: cur.ID, Config: cur.Config}
	next.Config.Logging = opts
	versions, ops := a.rec.Versions, a.rec.Operations
	a.rec.Versions = append(a.rec.Versions, next)
	a.rec.VersionID = next.ID
	op := s.newOperationLocked(a, operation, cur.ID, next.ID)
	op.Status, op.End = OperationSuccessful, s.now()
	id := op.ID
	if err := s.changedLocked(a); err != nil { // not changed: undo it
		a.rec.Versions, a.rec.VersionID, a.rec.Operations, a.rec.LoggingSeq = versions, cur.ID, ops, seq
		return 0, "", nil, err
	}
	return next.ID, id, slices.Clone(opts), nil
}

// UpdateApplicationMaintenanceConfiguration sets the start of the
// application's maintenance window (HH:MM, UTC); it lasts eight hours.
func (s *Service) UpdateApplicationMaintenanceConfiguration(ctx context.Context, in UpdateApplicationMaintenanceConfigurationRequest) (UpdateApplicationMaintenanceConfigurationResponse, error) {
	if err := ctx.Err(); err != nil {
		return UpdateApplicationMaintenanceConfigurationResponse{}, err
	}
	start := in.ApplicationMaintenanceConfigurationUpdate.ApplicationMaintenanceWindowStartTimeUpdate
	if !timeOfDay.MatchString(start) {
		return UpdateApplicationMaintenanceConfigurationResponse{}, invalidArgument("ApplicationMaintenanceWindowStartTimeUpdate %q is not a time of day HH:MM", start)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(in.ApplicationName)
	if err != nil {
		return UpdateApplicationMaintenanceConfigurationResponse{}, err
	}
	if err := checkStatusLocked(a, actionUpdate); err != nil {
		return UpdateApplicationMaintenanceConfigurationResponse{}, err
	}
	was := a.rec.MaintenanceStart
	a.rec.MaintenanceStart = start
	if err := s.changedLocked(a); err != nil {
		a.rec.MaintenanceStart = was
		return UpdateApplicationMaintenanceConfigurationResponse{}, err
	}
	return UpdateApplicationMaintenanceConfigurationResponse{ApplicationARN: a.rec.ARN,
		ApplicationMaintenanceConfigurationDescription: maintenanceDescription(start)}, nil
}
