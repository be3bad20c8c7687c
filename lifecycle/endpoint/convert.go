package endpoint

import (
	"fmt"
	"math"

	"github.com/flinksim/go-flinksim/lifecycle"
)

// This file converts between the shapes on the wire and the lifecycle
// Service's.

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func unsupported(member string) error {
	return &lifecycle.UnsupportedOperationException{Message: member + " is not supported by this service"}
}

func invalid(format string, args ...any) error {
	return &lifecycle.InvalidArgumentException{Message: fmt.Sprintf(format, args...)}
}

// fromLimit reads a list's Limit: 1 to 50 when it is given.
func fromLimit(l *int64) (int, error) {
	if l == nil {
		return 0, nil
	}
	if *l < 1 || *l > 50 {
		return 0, invalid("Limit %d is out of range: it must be 1 to 50", *l)
	}
	return int(*l), nil
}

// atLeast reads an optional number the model gives a minimum; an unset one
// is 0, which the Service reads as its default.
func atLeast(member string, p *int64, lo int64) (int64, error) {
	if p == nil {
		return 0, nil
	}
	if *p < lo || *p > math.MaxInt32 {
		return 0, invalid("%s %d is out of range: it must be at least %d", member, *p, lo)
	}
	return *p, nil
}

func fromTags(ts []tag) []lifecycle.Tag {
	if ts == nil {
		return nil
	}
	out := make([]lifecycle.Tag, len(ts))
	for i, t := range ts {
		out[i] = lifecycle.Tag(t)
	}
	return out
}

func fromGroups(gs []propertyGroup) []lifecycle.PropertyGroup {
	out := make([]lifecycle.PropertyGroup, len(gs))
	for i, g := range gs {
		out[i] = lifecycle.PropertyGroup{PropertyGroupID: g.PropertyGroupID, PropertyMap: g.PropertyMap}
	}
	return out
}

func fromConfiguration(c *applicationConfiguration) (*lifecycle.ApplicationConfiguration, error) {
	if c == nil {
		return nil, nil
	}
	switch {
	case c.VpcConfigurations != nil:
		return nil, unsupported("ApplicationConfiguration.VpcConfigurations")
	case c.ApplicationEncryptionConfiguration != nil:
		return nil, unsupported("ApplicationConfiguration.ApplicationEncryptionConfiguration")
	case c.SQLApplicationConfiguration != nil:
		return nil, unsupported("ApplicationConfiguration.SqlApplicationConfiguration")
	case c.ZeppelinApplicationConfiguration != nil:
		return nil, unsupported("ApplicationConfiguration.ZeppelinApplicationConfiguration")
	}
	out := &lifecycle.ApplicationConfiguration{}
	if cc := c.ApplicationCodeConfiguration; cc != nil {
		code := &lifecycle.ApplicationCodeConfiguration{CodeContentType: lifecycle.CodeContentType(cc.CodeContentType)}
		if ct := cc.CodeContent; ct != nil {
			code.CodeContent = lifecycle.CodeContent{ZipFileContent: ct.ZipFileContent, TextContent: ct.TextContent}
			if l := ct.S3ContentLocation; l != nil {
				code.CodeContent.S3ContentLocation = &lifecycle.S3ContentLocation{BucketARN: l.BucketARN, FileKey: l.FileKey, ObjectVersion: l.ObjectVersion}
			}
		}
		out.ApplicationCodeConfiguration = code
	}
	if s := c.ApplicationSnapshotConfiguration; s != nil {
		out.ApplicationSnapshotConfiguration = &lifecycle.ApplicationSnapshotConfiguration{SnapshotsEnabled: *s.SnapshotsEnabled}
	}
	if s := c.ApplicationSystemRollbackConfiguration; s != nil {
		out.ApplicationSystemRollbackConfiguration = &lifecycle.ApplicationSystemRollbackConfiguration{RollbackEnabled: *s.RollbackEnabled}
	}
	if e := c.EnvironmentProperties; e != nil {
		out.EnvironmentProperties = &lifecycle.EnvironmentProperties{PropertyGroups: fromGroups(e.PropertyGroups)}
	}
	if f := c.FlinkApplicationConfiguration; f != nil {
		fl := &lifecycle.FlinkApplicationConfiguration{}
		if cp := f.CheckpointConfiguration; cp != nil {
			interval, err := atLeast("CheckpointInterval", cp.CheckpointInterval, 1)
			if err != nil {
				return nil, err
			}
			if _, err := atLeast("MinPauseBetweenCheckpoints", cp.MinPauseBetweenCheckpoints, 0); err != nil {
				return nil, err
			}
			fl.CheckpointConfiguration = &lifecycle.CheckpointConfiguration{
				ConfigurationType: lifecycle.ConfigurationType(cp.ConfigurationType), CheckpointingEnabled: cp.CheckpointingEnabled,
				CheckpointInterval: interval, MinPauseBetweenCheckpoints: cp.MinPauseBetweenCheckpoints,
			}
		}
		if m := f.MonitoringConfiguration; m != nil {
			fl.MonitoringConfiguration = &lifecycle.MonitoringConfiguration{
				ConfigurationType: lifecycle.ConfigurationType(m.ConfigurationType),
				LogLevel:          lifecycle.LogLevel(m.LogLevel), MetricsLevel: lifecycle.MetricsLevel(m.MetricsLevel),
			}
		}
		if p := f.ParallelismConfiguration; p != nil {
			par, err := atLeast("Parallelism", p.Parallelism, 1)
			if err != nil {
				return nil, err
			}
			perKPU, err := atLeast("ParallelismPerKPU", p.ParallelismPerKPU, 1)
			if err != nil {
				return nil, err
			}
			fl.ParallelismConfiguration = &lifecycle.ParallelismConfiguration{
				ConfigurationType: lifecycle.ConfigurationType(p.ConfigurationType),
				Parallelism:       int(par), ParallelismPerKPU: int(perKPU), AutoScalingEnabled: p.AutoScalingEnabled,
			}
		}
		out.FlinkApplicationConfiguration = fl
	}
	return out, nil
}

func fromConfigurationUpdate(c *applicationConfigurationUpdate) (*lifecycle.ApplicationConfigurationUpdate, error) {
	if c == nil {
		return nil, nil
	}
	switch {
	case c.VpcConfigurationUpdates != nil:
		return nil, unsupported("ApplicationConfigurationUpdate.VpcConfigurationUpdates")
	case c.ApplicationEncryptionConfigurationUpdate != nil:
		return nil, unsupported("ApplicationConfigurationUpdate.ApplicationEncryptionConfigurationUpdate")
	case c.SQLApplicationConfigurationUpdate != nil:
		return nil, unsupported("ApplicationConfigurationUpdate.SqlApplicationConfigurationUpdate")
	case c.ZeppelinApplicationConfigurationUpdate != nil:
		return nil, unsupported("ApplicationConfigurationUpdate.ZeppelinApplicationConfigurationUpdate")
	}
	out := &lifecycle.ApplicationConfigurationUpdate{}
	if cc := c.ApplicationCodeConfigurationUpdate; cc != nil {
		code := &lifecycle.ApplicationCodeConfigurationUpdate{CodeContentTypeUpdate: lifecycle.CodeContentType(cc.CodeContentTypeUpdate)}
		if ct := cc.CodeContentUpdate; ct != nil {
			code.CodeContentUpdate = &lifecycle.CodeContentUpdate{ZipFileContentUpdate: ct.ZipFileContentUpdate, TextContentUpdate: ct.TextContentUpdate}
			if l := ct.S3ContentLocationUpdate; l != nil {
				code.CodeContentUpdate.S3ContentLocationUpdate = &lifecycle.S3ContentLocationUpdate{
					BucketARNUpdate: l.BucketARNUpdate, FileKeyUpdate: l.FileKeyUpdate, ObjectVersionUpdate: l.ObjectVersionUpdate,
				}
			}
		}
		out.ApplicationCodeConfigurationUpdate = code
	}
	if s := c.ApplicationSnapshotConfigurationUpdate; s != nil {
		out.ApplicationSnapshotConfigurationUpdate = &lifecycle.ApplicationSnapshotConfigurationUpdate{SnapshotsEnabledUpdate: *s.SnapshotsEnabledUpdate}
	}
	if s := c.ApplicationSystemRollbackConfigurationUpdate; s != nil {
		out.ApplicationSystemRollbackConfigurationUpdate = &lifecycle.ApplicationSystemRollbackConfigurationUpdate{RollbackEnabledUpdate: *s.RollbackEnabledUpdate}
	}
	if e := c.EnvironmentPropertyUpdates; e != nil {
		out.EnvironmentPropertyUpdates = &lifecycle.EnvironmentPropertyUpdates{PropertyGroups: fromGroups(e.PropertyGroups)}
	}
	if f := c.FlinkApplicationConfigurationUpdate; f != nil {
		fl := &lifecycle.FlinkApplicationConfigurationUpdate{}
		if cp := f.CheckpointConfigurationUpdate; cp != nil {
			interval, err := atLeast("CheckpointIntervalUpdate", cp.CheckpointIntervalUpdate, 1)
			if err != nil {
				return nil, err
			}
			if _, err := atLeast("MinPauseBetweenCheckpointsUpdate", cp.MinPauseBetweenCheckpointsUpdate, 0); err != nil {
				return nil, err
			}
			fl.CheckpointConfigurationUpdate = &lifecycle.CheckpointConfigurationUpdate{
				ConfigurationTypeUpdate: lifecycle.ConfigurationType(cp.ConfigurationTypeUpdate), CheckpointingEnabledUpdate: cp.CheckpointingEnabledUpdate,
				CheckpointIntervalUpdate: interval, MinPauseBetweenCheckpointsUpdate: cp.MinPauseBetweenCheckpointsUpdate,
			}
		}
		if m := f.MonitoringConfigurationUpdate; m != nil {
			fl.MonitoringConfigurationUpdate = &lifecycle.MonitoringConfigurationUpdate{
				ConfigurationTypeUpdate: lifecycle.ConfigurationType(m.ConfigurationTypeUpdate),
				LogLevelUpdate:          lifecycle.LogLevel(m.LogLevelUpdate), MetricsLevelUpdate: lifecycle.MetricsLevel(m.MetricsLevelUpdate),
			}
		}
		if p := f.ParallelismConfigurationUpdate; p != nil {
			par, err := atLeast("ParallelismUpdate", p.ParallelismUpdate, 1)
			if err != nil {
				return nil, err
			}
			perKPU, err := atLeast("ParallelismPerKPUUpdate", p.ParallelismPerKPUUpdate, 1)
			if err != nil {
				return nil, err
			}
			fl.ParallelismConfigurationUpdate = &lifecycle.ParallelismConfigurationUpdate{
				ConfigurationTypeUpdate: lifecycle.ConfigurationType(p.ConfigurationTypeUpdate),
				ParallelismUpdate:       int(par), ParallelismPerKPUUpdate: int(perKPU), AutoScalingEnabledUpdate: p.AutoScalingEnabledUpdate,
			}
		}
		out.FlinkApplicationConfigurationUpdate = fl
	}
	return out, nil
}

func fromRunConfiguration(c *runConfiguration) (*lifecycle.RunConfiguration, error) {
	if c == nil {
		return nil, nil
	}
	if c.SQLRunConfigurations != nil {
		return nil, unsupported("SqlRunConfigurations")
	}
	out := &lifecycle.RunConfiguration{}
	if r := c.ApplicationRestoreConfiguration; r != nil {
		out.ApplicationRestoreConfiguration = &lifecycle.ApplicationRestoreConfiguration{
			ApplicationRestoreType: lifecycle.ApplicationRestoreType(r.ApplicationRestoreType), SnapshotName: r.SnapshotName,
		}
	}
	if f := c.FlinkRunConfiguration; f != nil {
		out.FlinkRunConfiguration = &lifecycle.FlinkRunConfiguration{AllowNonRestoredState: deref(f.AllowNonRestoredState)}
	}
	return out, nil
}

func toDetail(d lifecycle.ApplicationDetail) applicationDetail {
	c := d.ApplicationConfigurationDescription
	code := c.ApplicationCodeConfigurationDescription
	cd := code.CodeContentDescription
	fl := c.FlinkApplicationConfigurationDescription
	cp, mon, par := fl.CheckpointConfigurationDescription, fl.MonitoringConfigurationDescription, fl.ParallelismConfigurationDescription
	out := applicationDetail{
		ApplicationARN: d.ApplicationARN, ApplicationDescription: d.ApplicationDescription, ApplicationMode: string(d.ApplicationMode),
		ApplicationName: d.ApplicationName, ApplicationStatus: string(d.ApplicationStatus),
		ApplicationVersionCreateTimestamp: toEpoch(d.ApplicationVersionCreateTimestamp), ApplicationVersionID: d.ApplicationVersionID,
		ApplicationVersionRolledBackFrom: d.ApplicationVersionRolledBackFrom, ApplicationVersionRolledBackTo: d.ApplicationVersionRolledBackTo,
		ApplicationVersionUpdatedFrom: d.ApplicationVersionUpdatedFrom, ConditionalToken: d.ConditionalToken,
		CreateTimestamp: toEpoch(d.CreateTimestamp), LastUpdateTimestamp: toEpoch(d.LastUpdateTimestamp),
		RuntimeEnvironment: string(d.RuntimeEnvironment), ServiceExecutionRole: d.ServiceExecutionRole,
		CloudWatchLoggingOptionDescriptions:            toLoggingDescriptions(d.CloudWatchLoggingOptionDescriptions),
		ApplicationMaintenanceConfigurationDescription: toMaintenance(d.ApplicationMaintenanceConfigurationDescription),
		ApplicationConfigurationDescription: applicationConfigurationDescription{
			ApplicationCodeConfigurationDescription: applicationCodeConfigurationDescription{
				CodeContentType: string(code.CodeContentType),
				CodeContentDescription: &codeContentDescription{
					CodeMD5: cd.CodeMD5, CodeSize: cd.CodeSize, TextContent: cd.TextContent,
				},
			},
			ApplicationSnapshotConfigurationDescription:       snapshotsEnabled{c.ApplicationSnapshotConfigurationDescription.SnapshotsEnabled},
			ApplicationSystemRollbackConfigurationDescription: rollbackEnabled{c.ApplicationSystemRollbackConfigurationDescription.RollbackEnabled},
			EnvironmentPropertyDescriptions:                   environmentPropertyDescriptions{PropertyGroupDescriptions: []propertyGroup{}},
			FlinkApplicationConfigurationDescription: flinkApplicationConfigurationDescription{
				CheckpointConfigurationDescription: checkpointConfigurationDescription{
					CheckpointInterval: cp.CheckpointInterval, CheckpointingEnabled: cp.CheckpointingEnabled,
					ConfigurationType: string(cp.ConfigurationType), MinPauseBetweenCheckpoints: cp.MinPauseBetweenCheckpoints,
				},
				JobPlanDescription: fl.JobPlanDescription,
				MonitoringConfigurationDescription: monitoringConfigurationDescription{
					ConfigurationType: string(mon.ConfigurationType), LogLevel: string(mon.LogLevel), MetricsLevel: string(mon.MetricsLevel),
				},
				ParallelismConfigurationDescription: parallelismConfigurationDescription{
					AutoScalingEnabled: par.AutoScalingEnabled, ConfigurationType: string(par.ConfigurationType),
					CurrentParallelism: par.CurrentParallelism, Parallelism: par.Parallelism, ParallelismPerKPU: par.ParallelismPerKPU,
				},
			},
		},
	}
	if l := cd.S3ApplicationCodeLocationDescription; l != nil {
		out.ApplicationConfigurationDescription.ApplicationCodeConfigurationDescription.CodeContentDescription.S3ApplicationCodeLocationDescription =
			&s3ApplicationCodeLocationDescription{BucketARN: l.BucketARN, FileKey: l.FileKey, ObjectVersion: l.ObjectVersion}
	}
	for _, g := range c.EnvironmentPropertyDescriptions.PropertyGroupDescriptions {
		out.ApplicationConfigurationDescription.EnvironmentPropertyDescriptions.PropertyGroupDescriptions = append(
			out.ApplicationConfigurationDescription.EnvironmentPropertyDescriptions.PropertyGroupDescriptions,
			propertyGroup{PropertyGroupID: g.PropertyGroupID, PropertyMap: g.PropertyMap})
	}
	if r := c.RunConfigurationDescription; r != nil {
		allow := r.FlinkRunConfigurationDescription.AllowNonRestoredState
		out.ApplicationConfigurationDescription.RunConfigurationDescription = &runConfigurationDescription{
			ApplicationRestoreConfigurationDescription: applicationRestoreConfiguration{
				ApplicationRestoreType: string(r.ApplicationRestoreConfigurationDescription.ApplicationRestoreType),
				SnapshotName:           r.ApplicationRestoreConfigurationDescription.SnapshotName,
			},
			FlinkRunConfigurationDescription: flinkRunConfiguration{AllowNonRestoredState: &allow},
		}
	}
	return out
}

func toSnapshot(s lifecycle.SnapshotDetails) snapshotDetails {
	return snapshotDetails{
		ApplicationVersionID: s.ApplicationVersionID, RuntimeEnvironment: string(s.RuntimeEnvironment),
		SnapshotCreationTimestamp: toEpoch(s.SnapshotCreationTimestamp), SnapshotName: s.SnapshotName, SnapshotStatus: string(s.SnapshotStatus),
	}
}

func fromLoggingOptions(os []cloudWatchLoggingOption) []lifecycle.CloudWatchLoggingOption {
	if os == nil {
		return nil
	}
	out := make([]lifecycle.CloudWatchLoggingOption, len(os))
	for i, o := range os {
		out[i] = lifecycle.CloudWatchLoggingOption{LogStreamARN: o.LogStreamARN}
	}
	return out
}

func fromLoggingUpdates(us []cloudWatchLoggingOptionUpdate) []lifecycle.CloudWatchLoggingOptionUpdate {
	if us == nil {
		return nil
	}
	out := make([]lifecycle.CloudWatchLoggingOptionUpdate, len(us))
	for i, u := range us {
		out[i] = lifecycle.CloudWatchLoggingOptionUpdate{CloudWatchLoggingOptionID: u.CloudWatchLoggingOptionID, LogStreamARNUpdate: u.LogStreamARNUpdate}
	}
	return out
}

// toLoggingDescriptions is never nil: the responses of the logging actions
// carry the list even when it is empty.
func toLoggingDescriptions(ds []lifecycle.CloudWatchLoggingOptionDescription) []cloudWatchLoggingOptionDescription {
	out := make([]cloudWatchLoggingOptionDescription, len(ds))
	for i, d := range ds {
		out[i] = cloudWatchLoggingOptionDescription{CloudWatchLoggingOptionID: d.CloudWatchLoggingOptionID, LogStreamARN: d.LogStreamARN, RoleARN: d.RoleARN}
	}
	return out
}

func toMaintenance(m lifecycle.ApplicationMaintenanceConfigurationDescription) applicationMaintenanceConfigurationDescription {
	return applicationMaintenanceConfigurationDescription{
		ApplicationMaintenanceWindowEndTime: m.ApplicationMaintenanceWindowEndTime, ApplicationMaintenanceWindowStartTime: m.ApplicationMaintenanceWindowStartTime,
	}
}
