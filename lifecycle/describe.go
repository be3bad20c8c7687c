package lifecycle

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// timeFormat is how messages show timestamps.
const timeFormat = time.RFC3339

// sameSecond reports whether a and b are the same instant to the second,
// as timestamps travel in the API (epoch seconds).
func sameSecond(a, b time.Time) bool { return a.Unix() == b.Unix() }

// detailLocked describes version v of a, with its job when v is the
// current version; under s.mu.
func (s *Service) detailLocked(a *app, v *versionRecord, plan bool) ApplicationDetail {
	r := a.rec
	d := ApplicationDetail{
		ApplicationARN: r.ARN, ApplicationName: r.Name, ApplicationDescription: r.Description,
		ApplicationStatus: r.Status, ApplicationMode: r.Mode, RuntimeEnvironment: v.Config.Runtime,
		ServiceExecutionRole: v.Config.Role, ApplicationVersionID: v.ID,
		ApplicationVersionUpdatedFrom: v.UpdatedFrom, ApplicationVersionRolledBackFrom: v.RolledBackFrom,
		ApplicationVersionRolledBackTo: v.RolledBackTo, ApplicationVersionCreateTimestamp: v.Created,
		CreateTimestamp: r.Created, LastUpdateTimestamp: r.LastUpdate,
		ApplicationConfigurationDescription: describeConfig(v.Config, r.Run),
		CloudWatchLoggingOptionDescriptions: slices.Clone(v.Config.Logging),
	}
	start := r.MaintenanceStart
	if start == "" {
		start = defaultMaintenanceStart
	}
	d.ApplicationMaintenanceConfigurationDescription = maintenanceDescription(start)
	if v.ID != r.VersionID {
		d.ApplicationStatus = versionStatus(v)
		return d
	}
	d.ConditionalToken = r.conditionalToken()
	if a.job != nil {
		d.Job = describeJob(a.job)
		if plan {
			d.ApplicationConfigurationDescription.FlinkApplicationConfigurationDescription.JobPlanDescription = jobPlan(a.job)
		}
	}
	return d
}

// versionStatus is the status ListApplicationVersions gives a version that
// is not the current one.
func versionStatus(v *versionRecord) ApplicationStatus {
	if v.RolledBack {
		return StatusRolledBack
	}
	return StatusReady
}

func describeJob(j *runningJob) *JobDescription {
	c := j.client
	d := &JobDescription{JobStatus: c.Status().String(), Restarts: c.Restarts()}
	for _, st := range c.Subtasks() {
		d.Subtasks = append(d.Subtasks, SubtaskDescription{Task: st.Task, Subtask: st.Subtask, Status: st.Status.String(), TaskManager: st.TaskManager})
	}
	for _, e := range c.Exceptions() {
		d.Exceptions = append(d.Exceptions, JobException{Time: e.Time, Operator: e.Operator, Subtask: e.Subtask, Cause: e.Err.Error()})
	}
	return d
}

// jobPlan is a JSON-free plan: one line per task with its parallelism.
func jobPlan(j *runningJob) string {
	count := map[string]int{}
	var order []string
	for _, st := range j.client.Subtasks() {
		if count[st.Task] == 0 {
			order = append(order, st.Task)
		}
		count[st.Task]++
	}
	var b strings.Builder
	for _, t := range order {
		fmt.Fprintf(&b, "%s (parallelism %d)\n", t, count[t])
	}
	return b.String()
}
