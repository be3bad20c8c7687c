package lifecycle

import "maps"

// The service's defaults, as Managed Service for Apache Flink documents them.
const (
	defaultCheckpointInterval = 60_000 // ms
	defaultMinPause           = 5_000  // ms
	defaultParallelism        = 1
	defaultParallelismPerKPU  = 1
)

func defaultCheckpoint() CheckpointConfigurationDescription {
	return CheckpointConfigurationDescription{ConfigurationType: ConfigurationDefault, CheckpointingEnabled: true,
		CheckpointInterval: defaultCheckpointInterval, MinPauseBetweenCheckpoints: defaultMinPause}
}

func defaultMonitoring() MonitoringConfiguration {
	return MonitoringConfiguration{ConfigurationType: ConfigurationDefault, LogLevel: LogInfo, MetricsLevel: MetricsApplication}
}

func defaultParallelismConfig() ParallelismConfigurationDescription {
	return ParallelismConfigurationDescription{ConfigurationType: ConfigurationDefault, Parallelism: defaultParallelism,
		ParallelismPerKPU: defaultParallelismPerKPU, CurrentParallelism: defaultParallelism, AutoScalingEnabled: true}
}

// resolveCheckpoint applies c (a creation's) to the defaults.
func resolveCheckpoint(c *CheckpointConfiguration) (CheckpointConfigurationDescription, error) {
	d := defaultCheckpoint()
	if c == nil {
		return d, nil
	}
	return applyCheckpoint(d, &CheckpointConfigurationUpdate{ConfigurationTypeUpdate: c.ConfigurationType,
		CheckpointingEnabledUpdate: c.CheckpointingEnabled, CheckpointIntervalUpdate: c.CheckpointInterval,
		MinPauseBetweenCheckpointsUpdate: c.MinPauseBetweenCheckpoints}, true)
}

// applyCheckpoint applies an update to d. DEFAULT takes the defaults and
// refuses other members; CUSTOM (or no type, in an update) keeps what is
// not given.
func applyCheckpoint(d CheckpointConfigurationDescription, u *CheckpointConfigurationUpdate, creating bool) (CheckpointConfigurationDescription, error) {
	if err := checkConfigurationType("CheckpointConfiguration.ConfigurationType", u.ConfigurationTypeUpdate, creating); err != nil {
		return d, err
	}
	if u.CheckpointIntervalUpdate < 0 {
		return d, invalidArgument("CheckpointInterval %d: it must be at least 1", u.CheckpointIntervalUpdate)
	}
	if u.MinPauseBetweenCheckpointsUpdate != nil && *u.MinPauseBetweenCheckpointsUpdate < 0 {
		return d, invalidArgument("MinPauseBetweenCheckpoints %d: it must be at least 0", *u.MinPauseBetweenCheckpointsUpdate)
	}
	set := u.CheckpointingEnabledUpdate != nil || u.CheckpointIntervalUpdate != 0 || u.MinPauseBetweenCheckpointsUpdate != nil
	switch u.ConfigurationTypeUpdate {
	case ConfigurationDefault:
		if set {
			return d, invalidArgument("CheckpointConfiguration of type DEFAULT takes no other setting: use CUSTOM")
		}
		return defaultCheckpoint(), nil
	case ConfigurationCustom:
		d.ConfigurationType = ConfigurationCustom
	default:
		if set && d.ConfigurationType == ConfigurationDefault {
			return d, invalidArgument("CheckpointConfiguration is DEFAULT: set ConfigurationTypeUpdate to CUSTOM to change it")
		}
	}
	if u.CheckpointingEnabledUpdate != nil {
		d.CheckpointingEnabled = *u.CheckpointingEnabledUpdate
	}
	if u.CheckpointIntervalUpdate != 0 {
		d.CheckpointInterval = u.CheckpointIntervalUpdate
	}
	if u.MinPauseBetweenCheckpointsUpdate != nil {
		d.MinPauseBetweenCheckpoints = *u.MinPauseBetweenCheckpointsUpdate
	}
	return d, nil
}

func resolveMonitoring(c *MonitoringConfiguration) (MonitoringConfiguration, error) {
	d := defaultMonitoring()
	if c == nil {
		return d, nil
	}
	return applyMonitoring(d, &MonitoringConfigurationUpdate{ConfigurationTypeUpdate: c.ConfigurationType,
		LogLevelUpdate: c.LogLevel, MetricsLevelUpdate: c.MetricsLevel}, true)
}

func applyMonitoring(d MonitoringConfiguration, u *MonitoringConfigurationUpdate, creating bool) (MonitoringConfiguration, error) {
	if err := checkConfigurationType("MonitoringConfiguration.ConfigurationType", u.ConfigurationTypeUpdate, creating); err != nil {
		return d, err
	}
	if err := checkLogLevel(u.LogLevelUpdate); err != nil {
		return d, err
	}
	if err := checkMetricsLevel(u.MetricsLevelUpdate); err != nil {
		return d, err
	}
	set := u.LogLevelUpdate != "" || u.MetricsLevelUpdate != ""
	switch u.ConfigurationTypeUpdate {
	case ConfigurationDefault:
		if set {
			return d, invalidArgument("MonitoringConfiguration of type DEFAULT takes no other setting: use CUSTOM")
		}
		return defaultMonitoring(), nil
	case ConfigurationCustom:
		d.ConfigurationType = ConfigurationCustom
	default:
		if set && d.ConfigurationType == ConfigurationDefault {
			return d, invalidArgument("MonitoringConfiguration is DEFAULT: set ConfigurationTypeUpdate to CUSTOM to change it")
		}
	}
	if u.LogLevelUpdate != "" {
		d.LogLevel = u.LogLevelUpdate
	}
	if u.MetricsLevelUpdate != "" {
		d.MetricsLevel = u.MetricsLevelUpdate
	}
	return d, nil
}

func resolveParallelism(c *ParallelismConfiguration) (ParallelismConfigurationDescription, error) {
	d := defaultParallelismConfig()
	if c == nil {
		return d, nil
	}
	return applyParallelism(d, &ParallelismConfigurationUpdate{ConfigurationTypeUpdate: c.ConfigurationType,
		ParallelismUpdate: c.Parallelism, ParallelismPerKPUUpdate: c.ParallelismPerKPU,
		AutoScalingEnabledUpdate: c.AutoScalingEnabled}, true)
}

func applyParallelism(d ParallelismConfigurationDescription, u *ParallelismConfigurationUpdate, creating bool) (ParallelismConfigurationDescription, error) {
	if err := checkConfigurationType("ParallelismConfiguration.ConfigurationType", u.ConfigurationTypeUpdate, creating); err != nil {
		return d, err
	}
	if u.ParallelismUpdate < 0 {
		return d, invalidArgument("Parallelism %d: it must be at least 1", u.ParallelismUpdate)
	}
	if u.ParallelismPerKPUUpdate < 0 {
		return d, invalidArgument("ParallelismPerKPU %d: it must be at least 1", u.ParallelismPerKPUUpdate)
	}
	set := u.ParallelismUpdate != 0 || u.ParallelismPerKPUUpdate != 0 || u.AutoScalingEnabledUpdate != nil
	switch u.ConfigurationTypeUpdate {
	case ConfigurationDefault:
		if set {
			return d, invalidArgument("ParallelismConfiguration of type DEFAULT takes no other setting: use CUSTOM")
		}
		return defaultParallelismConfig(), nil
	case ConfigurationCustom:
		d.ConfigurationType = ConfigurationCustom
	default:
		if set && d.ConfigurationType == ConfigurationDefault {
			return d, invalidArgument("ParallelismConfiguration is DEFAULT: set ConfigurationTypeUpdate to CUSTOM to change it")
		}
	}
	if u.ParallelismUpdate != 0 {
		d.Parallelism, d.CurrentParallelism = u.ParallelismUpdate, u.ParallelismUpdate
	}
	if u.ParallelismPerKPUUpdate != 0 {
		d.ParallelismPerKPU = u.ParallelismPerKPUUpdate
	}
	if u.AutoScalingEnabledUpdate != nil {
		d.AutoScalingEnabled = *u.AutoScalingEnabledUpdate
	}
	if limit := d.ParallelismPerKPU * KPULimit; d.Parallelism > limit {
		return d, limitExceeded("Parallelism %d needs %d KPUs at %d per KPU; the limit is %d KPUs",
			d.Parallelism, (d.Parallelism+d.ParallelismPerKPU-1)/d.ParallelismPerKPU, d.ParallelismPerKPU, KPULimit)
	}
	return d, nil
}

// describeConfig is the ApplicationConfigurationDescription of a version.
func describeConfig(c appConfig, run *runRecord) ApplicationConfigurationDescription {
	d := ApplicationConfigurationDescription{
		ApplicationCodeConfigurationDescription: ApplicationCodeConfigurationDescription{
			CodeContentType: c.CodeType,
			CodeContentDescription: CodeContentDescription{CodeMD5: c.Code.MD5, CodeSize: c.Code.Size,
				S3ApplicationCodeLocationDescription: cloneLocation(c.Code.Location)},
		},
		ApplicationSnapshotConfigurationDescription:       ApplicationSnapshotConfiguration{SnapshotsEnabled: c.SnapshotsEnabled},
		ApplicationSystemRollbackConfigurationDescription: ApplicationSystemRollbackConfiguration{RollbackEnabled: c.RollbackEnabled},
		EnvironmentPropertyDescriptions:                   EnvironmentPropertyDescriptions{PropertyGroupDescriptions: cloneGroups(c.Properties)},
		FlinkApplicationConfigurationDescription: FlinkApplicationConfigurationDescription{
			CheckpointConfigurationDescription:  c.Checkpoint,
			MonitoringConfigurationDescription:  c.Monitoring,
			ParallelismConfigurationDescription: c.Parallelism,
		},
	}
	if run != nil {
		d.RunConfigurationDescription = &RunConfigurationDescription{
			ApplicationRestoreConfigurationDescription: run.Restore,
			FlinkRunConfigurationDescription:           FlinkRunConfiguration{AllowNonRestoredState: run.AllowNonRestored},
		}
	}
	return d
}

func cloneLocation(l *S3ContentLocation) *S3ContentLocation {
	if l == nil {
		return nil
	}
	c := *l
	return &c
}

func cloneGroups(gs []PropertyGroup) []PropertyGroup {
	if gs == nil {
		return nil
	}
	out := make([]PropertyGroup, len(gs))
	for i, g := range gs {
		out[i] = PropertyGroup{PropertyGroupID: g.PropertyGroupID, PropertyMap: maps.Clone(g.PropertyMap)}
	}
	return out
}
