package lifecycle

import "slices"

// The actions whose outcome depends on the application's status, and the
// statuses each is allowed in; in any other status it is a
// ResourceInUseException. Actions not listed (describing, listing) are
// allowed in every status.
const (
	actionStart          = "StartApplication"
	actionStop           = "StopApplication"
	actionForceStop      = "StopApplication with Force"
	actionUpdate         = "UpdateApplication"
	actionDelete         = "DeleteApplication"
	actionRollback       = "RollbackApplication"
	actionCreateSnapshot = "CreateApplicationSnapshot"
	actionDeleteSnapshot = "DeleteApplicationSnapshot"
	actionTag            = "TagResource"
	actionMaintain       = "Maintain"
)

// allowed is the transition table: for each action, the statuses it is
// allowed in.
var allowed = map[string][]ApplicationStatus{
	actionStart:     {StatusReady},
	actionStop:      {StatusRunning},
	actionForceStop: {StatusRunning, StatusStarting, StatusUpdating, StatusStopping, StatusAutoscaling, StatusRollingBack},
	actionUpdate:    {StatusReady, StatusRunning},
	actionDelete:    {StatusReady, StatusRunning},
	actionRollback:  {StatusRunning, StatusUpdating, StatusAutoscaling},
	// Snapshots are taken of a running job.
	actionCreateSnapshot: {StatusRunning},
	actionDeleteSnapshot: {StatusReady, StatusStarting, StatusRunning, StatusUpdating, StatusStopping,
		StatusForceStopping, StatusAutoscaling, StatusRollingBack, StatusRolledBack, StatusMaintenance},
	actionTag: {StatusReady, StatusStarting, StatusRunning, StatusUpdating, StatusStopping,
		StatusForceStopping, StatusAutoscaling, StatusRollingBack, StatusRolledBack, StatusMaintenance},
	actionMaintain: {StatusRunning},
}

// checkStatusLocked refuses action in the application's current status.
func checkStatusLocked(a *app, action string) error {
	if slices.Contains(allowed[action], a.rec.Status) {
		return nil
	}
	return inUse("%s is not allowed while application %s is %s (allowed in %v)", action, a.rec.Name, a.rec.Status, allowed[action])
}
