package lifecycle

import (
	"context"
	"slices"
)

// UpdateApplication creates a new version of the configuration. Of a READY
// application, that is all. Of a RUNNING one, it is an operation: UPDATING,
// a snapshot (when snapshots are enabled), the job stopped, the new version
// started and restored from the snapshot as RunConfigurationUpdate says
// (by default the latest), RUNNING. With snapshots disabled the new
// version starts with empty state. The request must carry the current
// version id or conditional token; a stale one is a
// ConcurrentModificationException. AllowNonRestoredState applies to this
// update only: one that does not set it resets it to false.
func (s *Service) UpdateApplication(ctx context.Context, in UpdateApplicationRequest) (UpdateApplicationResponse, error) {
	if err := ctx.Err(); err != nil {
		return UpdateApplicationResponse{}, err
	}
	if err := checkApplicationName(in.ApplicationName); err != nil {
		return UpdateApplicationResponse{}, err
	}
	switch {
	case in.CurrentApplicationVersionID == 0 && in.ConditionalToken == "":
		return UpdateApplicationResponse{}, invalidArgument("UpdateApplication needs CurrentApplicationVersionId or ConditionalToken")
	case in.CurrentApplicationVersionID != 0 && in.ConditionalToken != "":
		return UpdateApplicationResponse{}, invalidArgument("UpdateApplication takes CurrentApplicationVersionId or ConditionalToken, not both")
	case in.CurrentApplicationVersionID != 0:
		if err := checkVersionID("CurrentApplicationVersionId", in.CurrentApplicationVersionID); err != nil {
			return UpdateApplicationResponse{}, err
		}
	default:
		if len(in.ConditionalToken) > maxTokenLength || !tokenPattern.MatchString(in.ConditionalToken) {
			return UpdateApplicationResponse{}, invalidArgument("ConditionalToken %q is not a conditional token", in.ConditionalToken)
		}
	}
	if in.RuntimeEnvironmentUpdate != "" {
		if err := checkRuntime(in.RuntimeEnvironmentUpdate); err != nil {
			return UpdateApplicationResponse{}, err
		}
	}
	if in.ServiceExecutionRoleUpdate != "" {
		if err := checkARN("ServiceExecutionRoleUpdate", in.ServiceExecutionRoleUpdate); err != nil {
			return UpdateApplicationResponse{}, err
		}
	}
	var rc RunConfigurationUpdate
	if in.RunConfigurationUpdate != nil {
		rc = *in.RunConfigurationUpdate
	}
	restore, allowNonRestored, err := runOptions(rc.ApplicationRestoreConfiguration, rc.FlinkRunConfiguration)
	if err != nil {
		return UpdateApplicationResponse{}, err
	}

	s.mu.Lock()
	a, err := s.lookup(in.ApplicationName)
	if err != nil {
		s.mu.Unlock()
		return UpdateApplicationResponse{}, err
	}
	// The version first: of two updates from the same version, the loser
	// learns that it is stale, whatever the winner did to the status.
	if err := checkCurrentLocked(a, in.CurrentApplicationVersionID, in.ConditionalToken); err != nil {
		s.mu.Unlock()
		return UpdateApplicationResponse{}, err
	}
	if err := checkStatusLocked(a, actionUpdate); err != nil {
		s.mu.Unlock()
		return UpdateApplicationResponse{}, err
	}
	base := a.rec.current().Config
	version := a.rec.VersionID
	s.mu.Unlock()

	// Copying the code reads the code store: done without the lock, then
	// the version is checked again.
	cfg, took, err := s.applyUpdate(base, in)
	if err != nil {
		return UpdateApplicationResponse{}, err
	}
	if took {
		defer s.releaseCode(cfg.Code.MD5) // in a version or not needed, once this returns
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if a, err = s.lookup(in.ApplicationName); err != nil {
		return UpdateApplicationResponse{}, err
	}
	if a.rec.VersionID != version {
		return UpdateApplicationResponse{}, concurrentModification("application %s changed to version %d during the update", a.rec.Name, a.rec.VersionID)
	}
	if err := checkStatusLocked(a, actionUpdate); err != nil {
		return UpdateApplicationResponse{}, err
	}
	if sn := a.rec.snapshot(restore.SnapshotName); restore.ApplicationRestoreType == RestoreFromCustomSnapshot && (sn == nil || sn.Status != SnapshotReady) {
		return UpdateApplicationResponse{}, invalidArgument("snapshot %s of application %s does not exist", restore.SnapshotName, a.rec.Name)
	}
	cur := a.rec.current()
	next := versionRecord{ID: cur.ID + 1, Created: s.now(), UpdatedFrom: cur.ID, Config: cfg}
	a.rec.Versions = append(a.rec.Versions, next)
	a.rec.VersionID = next.ID
	if a.rec.Status != StatusRunning {
		var run *runRecord
		if a.rec.Run != nil {
			r := *a.rec.Run
			run = &r
			a.rec.Run.AllowNonRestored = allowNonRestored
			a.rec.Run.Restore = restore
		}
		if err := s.changedLocked(a); err != nil { // not updated: undo it
			a.rec.Versions, a.rec.VersionID, a.rec.Run = a.rec.Versions[:len(a.rec.Versions)-1], cur.ID, run
			return UpdateApplicationResponse{}, err
		}
		return UpdateApplicationResponse{ApplicationDetail: s.detailLocked(a, a.rec.current(), false)}, nil
	}
	id := s.beginLocked(a, OpUpdateApplication, StatusUpdating, cur.ID, next.ID,
		s.redeployWork(a, "update", next.ID, restore, allowNonRestored))
	return UpdateApplicationResponse{ApplicationDetail: s.detailLocked(a, a.rec.current(), false), OperationID: id}, nil
}

// checkCurrentLocked refuses a stale version id or conditional token.
func checkCurrentLocked(a *app, version int64, token string) error {
	if version != 0 && version != a.rec.VersionID {
		return concurrentModification("application %s is at version %d, not %d", a.rec.Name, a.rec.VersionID, version)
	}
	if token != "" && token != a.rec.conditionalToken() {
		return concurrentModification("the conditional token is not application %s's current one (version %d)", a.rec.Name, a.rec.VersionID)
	}
	return nil
}

// applyUpdate returns base with the update applied. took says that it
// copied a code package, which the caller must release (releaseCode).
func (s *Service) applyUpdate(base appConfig, in UpdateApplicationRequest) (cfg appConfig, took bool, err error) {
	cfg = base
	cfg.Properties = cloneGroups(base.Properties)
	if in.RuntimeEnvironmentUpdate != "" {
		cfg.Runtime = in.RuntimeEnvironmentUpdate
	}
	if in.ServiceExecutionRoleUpdate != "" {
		cfg.Role = in.ServiceExecutionRoleUpdate
	}
	if len(in.CloudWatchLoggingOptionUpdates) > 0 {
		cfg.Logging = slices.Clone(base.Logging)
		for _, lu := range in.CloudWatchLoggingOptionUpdates {
			i := slices.IndexFunc(cfg.Logging, func(o CloudWatchLoggingOptionDescription) bool {
				return o.CloudWatchLoggingOptionID == lu.CloudWatchLoggingOptionID
			})
			if i < 0 {
				return cfg, false, invalidArgument("CloudWatchLoggingOptionUpdates: no logging option %s", lu.CloudWatchLoggingOptionID)
			}
			if lu.LogStreamARNUpdate != "" {
				if err := checkARN("LogStreamARNUpdate", lu.LogStreamARNUpdate); err != nil {
					return cfg, false, err
				}
				cfg.Logging[i].LogStreamARN = lu.LogStreamARNUpdate
			}
		}
	}
	u := in.ApplicationConfigurationUpdate
	if u == nil {
		return cfg, false, nil
	}
	if u.ApplicationSnapshotConfigurationUpdate != nil {
		cfg.SnapshotsEnabled = u.ApplicationSnapshotConfigurationUpdate.SnapshotsEnabledUpdate
	}
	if u.ApplicationSystemRollbackConfigurationUpdate != nil {
		cfg.RollbackEnabled = u.ApplicationSystemRollbackConfigurationUpdate.RollbackEnabledUpdate
	}
	if p := u.EnvironmentPropertyUpdates; p != nil {
		if err := checkPropertyGroups(p.PropertyGroups); err != nil {
			return cfg, false, err
		}
		cfg.Properties = cloneGroups(p.PropertyGroups)
	}
	if f := u.FlinkApplicationConfigurationUpdate; f != nil {
		if f.CheckpointConfigurationUpdate != nil {
			if cfg.Checkpoint, err = applyCheckpoint(cfg.Checkpoint, f.CheckpointConfigurationUpdate, false); err != nil {
				return cfg, false, err
			}
		}
		if f.MonitoringConfigurationUpdate != nil {
			if cfg.Monitoring, err = applyMonitoring(cfg.Monitoring, f.MonitoringConfigurationUpdate, false); err != nil {
				return cfg, false, err
			}
		}
		if f.ParallelismConfigurationUpdate != nil {
			if cfg.Parallelism, err = applyParallelism(cfg.Parallelism, f.ParallelismConfigurationUpdate, false); err != nil {
				return cfg, false, err
			}
		}
	}
	// The code last: once copied, the caller must release it.
	if c := u.ApplicationCodeConfigurationUpdate; c != nil {
		typ := c.CodeContentTypeUpdate
		if typ == "" {
			typ = base.CodeType
		}
		content := CodeContent{}
		if cu := c.CodeContentUpdate; cu != nil {
			content.ZipFileContent, content.TextContent = cu.ZipFileContentUpdate, cu.TextContentUpdate
			if l := cu.S3ContentLocationUpdate; l != nil {
				loc := S3ContentLocation{}
				if base.Code.Location != nil {
					loc = *base.Code.Location
				}
				if l.BucketARNUpdate != "" {
					loc.BucketARN = l.BucketARNUpdate
				}
				if l.FileKeyUpdate != "" {
					loc.FileKey = l.FileKeyUpdate
				}
				if l.ObjectVersionUpdate != "" {
					loc.ObjectVersion = l.ObjectVersionUpdate
				}
				content.S3ContentLocation = &loc
			}
		} else if base.Code.Location != nil {
			content.S3ContentLocation = cloneLocation(base.Code.Location) // a new copy of the same object
		}
		code, err := s.takeCode(typ, content)
		if err != nil {
			return cfg, false, err
		}
		cfg.CodeType, cfg.Code = typ, code
		return cfg, true, nil
	}
	return cfg, false, nil
}
