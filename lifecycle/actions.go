package lifecycle

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"
)

// CreateApplication creates an application in status READY, at version 1,
// with a copy of the code package its configuration names.
func (s *Service) CreateApplication(ctx context.Context, in CreateApplicationRequest) (CreateApplicationResponse, error) {
	if err := ctx.Err(); err != nil {
		return CreateApplicationResponse{}, err
	}
	if err := checkApplicationName(in.ApplicationName); err != nil {
		return CreateApplicationResponse{}, err
	}
	if err := checkLength("ApplicationDescription", in.ApplicationDescription, 0, maxDescriptionLength); err != nil {
		return CreateApplicationResponse{}, err
	}
	if err := checkRuntime(in.RuntimeEnvironment); err != nil {
		return CreateApplicationResponse{}, err
	}
	if err := checkARN("ServiceExecutionRole", in.ServiceExecutionRole); err != nil {
		return CreateApplicationResponse{}, err
	}
	switch in.ApplicationMode {
	case "":
		in.ApplicationMode = ModeStreaming
	case ModeStreaming:
	case ModeInteractive:
		return CreateApplicationResponse{}, unsupported("ApplicationMode INTERACTIVE (Zeppelin notebooks) is not supported")
	default:
		return CreateApplicationResponse{}, invalidArgument("ApplicationMode %q is not STREAMING or INTERACTIVE", in.ApplicationMode)
	}
	if err := checkTags(in.Tags); err != nil {
		return CreateApplicationResponse{}, err
	}
	if len(in.CloudWatchLoggingOptions) > maxLoggingOptions {
		return CreateApplicationResponse{}, invalidArgument("CloudWatchLoggingOptions: at most %d", maxLoggingOptions)
	}
	for _, o := range in.CloudWatchLoggingOptions {
		if err := checkARN("LogStreamARN", o.LogStreamARN); err != nil {
			return CreateApplicationResponse{}, err
		}
	}
	cfg, err := s.resolveConfig(in.RuntimeEnvironment, in.ServiceExecutionRole, in.ApplicationConfiguration)
	if err != nil {
		return CreateApplicationResponse{}, err
	}
	for i, o := range in.CloudWatchLoggingOptions {
		cfg.Logging = append(cfg.Logging, CloudWatchLoggingOptionDescription{CloudWatchLoggingOptionID: fmt.Sprintf("1.%d", i+1), LogStreamARN: o.LogStreamARN})
	}
	defer s.releaseCode(cfg.Code.MD5) // in the catalog or not needed, once this returns
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return CreateApplicationResponse{}, ErrClosed
	}
	if _, ok := s.apps[in.ApplicationName]; ok {
		return CreateApplicationResponse{}, inUse("application %s already exists", in.ApplicationName)
	}
	now := s.now()
	rec := &appRecord{Name: in.ApplicationName, ARN: s.arn(in.ApplicationName), Description: in.ApplicationDescription,
		Mode: in.ApplicationMode, Created: now, LastUpdate: now, Status: StatusReady, VersionID: 1,
		Versions: []versionRecord{{ID: 1, Created: now, Config: cfg}}, Tags: append([]Tag(nil), in.Tags...),
		LoggingSeq: int64(len(cfg.Logging))}
	a, err := s.openApp(rec)
	if err != nil {
		return CreateApplicationResponse{}, err
	}
	if err := s.persist(rec); err != nil {
		return CreateApplicationResponse{}, err
	}
	s.apps[rec.Name] = a
	s.log.Info("application created", zap.String("application", rec.Name))
	return CreateApplicationResponse{ApplicationDetail: s.detailLocked(a, a.rec.current(), false)}, nil
}

// resolveConfig turns a creation's configuration into a complete one,
// copying the code package.
func (s *Service) resolveConfig(runtime RuntimeEnvironment, role string, c *ApplicationConfiguration) (appConfig, error) {
	cfg := appConfig{Runtime: runtime, Role: role, Checkpoint: defaultCheckpoint(), Monitoring: defaultMonitoring(),
		Parallelism: defaultParallelismConfig()}
	if c == nil || c.ApplicationCodeConfiguration == nil {
		return cfg, invalidArgument("ApplicationConfiguration.ApplicationCodeConfiguration is required for a Flink application")
	}
	if c.ApplicationSnapshotConfiguration != nil {
		cfg.SnapshotsEnabled = c.ApplicationSnapshotConfiguration.SnapshotsEnabled
	}
	if c.ApplicationSystemRollbackConfiguration != nil {
		cfg.RollbackEnabled = c.ApplicationSystemRollbackConfiguration.RollbackEnabled
	}
	if c.EnvironmentProperties != nil {
		if err := checkPropertyGroups(c.EnvironmentProperties.PropertyGroups); err != nil {
			return cfg, err
		}
		cfg.Properties = cloneGroups(c.EnvironmentProperties.PropertyGroups)
	}
	if f := c.FlinkApplicationConfiguration; f != nil {
		var err error
		if cfg.Checkpoint, err = resolveCheckpoint(f.CheckpointConfiguration); err != nil {
			return cfg, err
		}
		if cfg.Monitoring, err = resolveMonitoring(f.MonitoringConfiguration); err != nil {
			return cfg, err
		}
		if cfg.Parallelism, err = resolveParallelism(f.ParallelismConfiguration); err != nil {
			return cfg, err
		}
	}
	// The code last: once copied, the caller must release it.
	code, err := s.takeCode(c.ApplicationCodeConfiguration.CodeContentType, c.ApplicationCodeConfiguration.CodeContent)
	if err != nil {
		return cfg, err
	}
	cfg.CodeType, cfg.Code = c.ApplicationCodeConfiguration.CodeContentType, code
	return cfg, nil
}

// takeCode copies the code package a configuration names: an object of
// the code store, or inline bytes.
func (s *Service) takeCode(typ CodeContentType, c CodeContent) (codeCopy, error) {
	switch typ {
	case CodeZipFile:
	case CodePlainText:
		return codeCopy{}, invalidArgument("CodeContentType PLAINTEXT is for SQL applications: a Flink application's code is a ZIPFILE")
	case "":
		return codeCopy{}, invalidArgument("CodeContentType is required")
	default:
		return codeCopy{}, invalidArgument("CodeContentType %q is not ZIPFILE or PLAINTEXT", typ)
	}
	if c.TextContent != "" {
		return codeCopy{}, invalidArgument("TextContent is for SQL applications")
	}
	switch {
	case c.S3ContentLocation != nil && c.ZipFileContent != nil:
		return codeCopy{}, invalidArgument("CodeContent takes either S3ContentLocation or ZipFileContent, not both")
	case c.ZipFileContent != nil:
		if len(c.ZipFileContent) > maxZipFileSize {
			return codeCopy{}, invalidArgument("ZipFileContent is %d bytes, more than %d", len(c.ZipFileContent), maxZipFileSize)
		}
		return s.copyCode(c.ZipFileContent, nil)
	case c.S3ContentLocation != nil:
		loc := *c.S3ContentLocation
		if err := checkARN("BucketARN", loc.BucketARN); err != nil {
			return codeCopy{}, err
		}
		if err := checkLength("FileKey", loc.FileKey, 1, maxFileKeyLength); err != nil {
			return codeCopy{}, err
		}
		if err := checkLength("ObjectVersion", loc.ObjectVersion, 0, 1024); err != nil {
			return codeCopy{}, err
		}
		bucket, err := bucketName(loc.BucketARN)
		if err != nil {
			return codeCopy{}, err
		}
		data, err := s.code.Get(bucket, loc.FileKey)
		if errors.Is(err, ErrNoSuchKey) {
			return codeCopy{}, invalidArgument("the code package s3://%s/%s does not exist", bucket, loc.FileKey)
		}
		if err != nil {
			return codeCopy{}, codeValidation("the code package s3://%s/%s cannot be read: %v", bucket, loc.FileKey, err)
		}
		if len(data) > maxZipFileSize {
			return codeCopy{}, codeValidation("the code package s3://%s/%s is %d bytes, more than %d", bucket, loc.FileKey, len(data), maxZipFileSize)
		}
		return s.copyCode(data, &loc)
	}
	return codeCopy{}, invalidArgument("CodeContent needs S3ContentLocation or ZipFileContent")
}

func (s *Service) arn(name string) string {
	return fmt.Sprintf("arn:aws:kinesisanalytics:%s:%s:application/%s", s.opts.Region, s.opts.AccountID, name)
}

// DescribeApplication describes the application, and the job that runs it.
func (s *Service) DescribeApplication(ctx context.Context, in DescribeApplicationRequest) (DescribeApplicationResponse, error) {
	if err := ctx.Err(); err != nil {
		return DescribeApplicationResponse{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(in.ApplicationName)
	if err != nil {
		return DescribeApplicationResponse{}, err
	}
	return DescribeApplicationResponse{ApplicationDetail: s.detailLocked(a, a.rec.current(), in.IncludeAdditionalDetails)}, nil
}

// ListApplications lists the applications by name, Limit at a time (at
// most 50); NextToken is the name the next page starts after.
func (s *Service) ListApplications(ctx context.Context, in ListApplicationsRequest) (ListApplicationsResponse, error) {
	if err := ctx.Err(); err != nil {
		return ListApplicationsResponse{}, err
	}
	if err := checkLimit(in.Limit); err != nil {
		return ListApplicationsResponse{}, &InvalidRequestException{Message: err.(APIError).ErrorMessage()}
	}
	if in.NextToken != "" {
		if err := checkApplicationName(in.NextToken); err != nil {
			return ListApplicationsResponse{}, &InvalidRequestException{Message: "NextToken: " + err.(APIError).ErrorMessage()}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ListApplicationsResponse{}, ErrClosed
	}
	out := ListApplicationsResponse{ApplicationSummaries: []ApplicationSummary{}}
	limit := listLimit(in.Limit)
	for _, a := range s.sortedApps() {
		if a.rec.Name <= in.NextToken {
			continue
		}
		if len(out.ApplicationSummaries) == limit {
			out.NextToken = out.ApplicationSummaries[limit-1].ApplicationName
			break
		}
		out.ApplicationSummaries = append(out.ApplicationSummaries, ApplicationSummary{ApplicationARN: a.rec.ARN,
			ApplicationName: a.rec.Name, ApplicationStatus: a.rec.Status, ApplicationVersionID: a.rec.VersionID,
			RuntimeEnvironment: a.rec.current().Config.Runtime, ApplicationMode: a.rec.Mode})
	}
	return out, nil
}

// runOptions are the restore and AllowNonRestoredState a start or an
// update asks for: by default the latest snapshot, and no state skipped.
func runOptions(r *ApplicationRestoreConfiguration, f *FlinkRunConfiguration) (ApplicationRestoreConfiguration, bool, error) {
	restore := ApplicationRestoreConfiguration{ApplicationRestoreType: RestoreFromLatestSnapshot}
	if r != nil {
		if err := checkRestoreConfiguration(r); err != nil {
			return restore, false, err
		}
		restore = *r
	}
	return restore, f != nil && f.AllowNonRestoredState, nil
}

// StartApplication starts a READY application: STARTING, then RUNNING
// once its job is deployed (before every subtask has restored its state).
// It restores the snapshot RunConfiguration names: by default the latest;
// an application with no snapshot starts empty whatever the choice.
func (s *Service) StartApplication(ctx context.Context, in StartApplicationRequest) (StartApplicationResponse, error) {
	if err := ctx.Err(); err != nil {
		return StartApplicationResponse{}, err
	}
	var rc RunConfiguration
	if in.RunConfiguration != nil {
		rc = *in.RunConfiguration
	}
	restore, allowNonRestored, err := runOptions(rc.ApplicationRestoreConfiguration, rc.FlinkRunConfiguration)
	if err != nil {
		return StartApplicationResponse{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(in.ApplicationName)
	if err != nil {
		return StartApplicationResponse{}, err
	}
	if err := checkStatusLocked(a, actionStart); err != nil {
		return StartApplicationResponse{}, err
	}
	cur := a.rec.current()
	ref, err := restoreRefLocked(a, restore, cur.Config.SnapshotsEnabled)
	if err != nil {
		return StartApplicationResponse{}, err
	}
	a.rec.Run = &runRecord{Restore: restore, AllowNonRestored: allowNonRestored, Basis: ref, Started: s.now()}
	s.deleteCheckpoints(a)
	id := s.beginLocked(a, OpStartApplication, StatusStarting, 0, 0,
		s.startWork(a, jobSpec{version: *cur, restore: ref, allowNonRestored: allowNonRestored}))
	return StartApplicationResponse{OperationID: id}, nil
}

// StopApplication stops a RUNNING application: STOPPING, a snapshot when
// snapshots are enabled (a stop with savepoint), then READY. Force stops
// at once, without a snapshot (FORCE_STOPPING), and is also allowed while
// the application is starting, updating, stopping, autoscaling or rolling
// back: the operation in progress is cancelled.
func (s *Service) StopApplication(ctx context.Context, in StopApplicationRequest) (StopApplicationResponse, error) {
	if err := ctx.Err(); err != nil {
		return StopApplicationResponse{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(in.ApplicationName)
	if err != nil {
		return StopApplicationResponse{}, err
	}
	action, status := actionStop, StatusStopping
	if in.Force {
		action, status = actionForceStop, StatusForceStopping
	}
	if err := checkStatusLocked(a, action); err != nil {
		return StopApplicationResponse{}, err
	}
	id := s.beginLocked(a, OpStopApplication, status, 0, 0, s.stopWork(a, in.Force))
	return StopApplicationResponse{OperationID: id}, nil
}

// DeleteApplication deletes an application — its versions, operations,
// snapshots and checkpoints — once its job is stopped. CreateTimestamp must
// be the application's.
func (s *Service) DeleteApplication(ctx context.Context, in DeleteApplicationRequest) (DeleteApplicationResponse, error) {
	if err := ctx.Err(); err != nil {
		return DeleteApplicationResponse{}, err
	}
	if err := checkTimestamp("CreateTimestamp", in.CreateTimestamp); err != nil {
		return DeleteApplicationResponse{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(in.ApplicationName)
	if err != nil {
		return DeleteApplicationResponse{}, err
	}
	if !sameSecond(in.CreateTimestamp, a.rec.Created) {
		return DeleteApplicationResponse{}, invalidArgument("CreateTimestamp %s is not application %s's (%s)",
			in.CreateTimestamp.UTC().Format(timeFormat), a.rec.Name, a.rec.Created.Format(timeFormat))
	}
	if err := checkStatusLocked(a, actionDelete); err != nil {
		return DeleteApplicationResponse{}, err
	}
	was := a.rec.Status
	a.rec.Status = StatusDeleting
	if err := s.changedLocked(a); err != nil {
		a.rec.Status = was // not deleting: the catalog could not say so
		return DeleteApplicationResponse{}, err
	}
	j := detachLocked(a)
	s.wg.Go(func() {
		if j != nil {
			_, _ = stopJob(s.ctx, j, "")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.ctx.Err() != nil {
			return // closing: a new Service finishes the deletion
		}
		s.removeLocked(a)
	})
	return DeleteApplicationResponse{}, nil
}

// removeLocked removes a deleted application from the catalog, under s.mu.
func (s *Service) removeLocked(a *app) {
	if err := s.unpersist(a.rec.Name); err != nil {
		s.log.Warn("deleting an application", zap.String("application", a.rec.Name), zap.Error(err))
	}
	delete(s.apps, a.rec.Name)
	s.collectCode()
	notifyLocked(a)
	s.log.Info("application deleted", zap.String("application", a.rec.Name))
}

// RollbackApplication returns a RUNNING, UPDATING or AUTOSCALING
// application to the version its current one was updated from, restoring
// that version's latest snapshot: ROLLING_BACK, then RUNNING at a new
// version (ApplicationVersionRolledBackFrom and RolledBackTo say which).
// An operation in progress is cancelled. Without a snapshot of the
// previous version it is refused.
func (s *Service) RollbackApplication(ctx context.Context, in RollbackApplicationRequest) (RollbackApplicationResponse, error) {
	if err := ctx.Err(); err != nil {
		return RollbackApplicationResponse{}, err
	}
	if err := checkVersionID("CurrentApplicationVersionId", in.CurrentApplicationVersionID); err != nil {
		return RollbackApplicationResponse{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(in.ApplicationName)
	if err != nil {
		return RollbackApplicationResponse{}, err
	}
	if err := checkCurrentLocked(a, in.CurrentApplicationVersionID, ""); err != nil {
		return RollbackApplicationResponse{}, err
	}
	if err := checkStatusLocked(a, actionRollback); err != nil {
		return RollbackApplicationResponse{}, err
	}
	undone := ""
	if a.op != nil {
		undone = a.op.id
	}
	id, err := s.beginRollbackLocked(a, OpRollbackApplication, "", "")
	if err != nil {
		return RollbackApplicationResponse{}, err
	}
	if op := a.rec.operation(undone); op != nil && op.Status == OperationInProgress {
		op.Status, op.End = OperationCancelled, s.now() // the rollback cancelled it
		_ = s.changedLocked(a)
	}
	return RollbackApplicationResponse{ApplicationDetail: s.detailLocked(a, a.rec.current(), false), OperationID: id}, nil
}

// Maintain runs a maintenance of a RUNNING application, as the service
// does when it patches the runtime: MAINTENANCE, the job restarted from its
// latest checkpoint, RUNNING. It is not an API action; it lets a test see
// what an automation does when it meets MAINTENANCE.
func (s *Service) Maintain(ctx context.Context, name string) (operationID string, err error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(name)
	if err != nil {
		return "", err
	}
	if err := checkStatusLocked(a, actionMaintain); err != nil {
		return "", err
	}
	return s.beginLocked(a, OpMaintenance, StatusMaintenance, 0, 0, s.maintenanceWork(a)), nil
}
