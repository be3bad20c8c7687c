package lifecycle

import (
	"context"
	"regexp"
	"strconv"

	"go.uber.org/zap"
)

// recover brings an application read from the catalog to a steady status,
// as the service does after a failure of its host: operations in progress
// end FAILED, snapshots being taken FAILED, and a savepoint the store has
// but the catalog does not (a stop's, taken just before the crash) becomes
// a snapshot; an application that was force-stopping is READY, one that
// was being deleted is deleted, and one that ran (or was starting,
// updating, scaling, rolling back, stopping) is STARTING until its builder
// is registered, then RUNNING from its latest checkpoint — a stop the
// crash interrupted is for the user to ask again, with nothing lost.
func (s *Service) recover(a *app) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for i := range a.rec.Operations {
		if op := &a.rec.Operations[i]; op.Status == OperationInProgress {
			op.Status, op.End = OperationFailed, now
			op.Error = "the service stopped before the operation completed"
		}
	}
	for i := range a.rec.Snapshots {
		if sn := &a.rec.Snapshots[i]; sn.Status == SnapshotCreating {
			sn.Status = SnapshotFailed
		}
	}
	s.adoptSavepointsLocked(a)
	switch a.rec.Status {
	case StatusReady:
	case StatusDeleting:
		s.removeLocked(a)
		return nil
	case StatusForceStopping: // its state was to be dropped anyway
		s.deleteCheckpoints(a)
		a.rec.Status = StatusReady
	default: // running, or on the way somewhere (a stop too): resume from the latest state
		a.rec.Status = StatusStarting
		if a.rec.current().Config.Code.Builder == "" {
			a.rec.Status = StatusReady // its code cannot run: nothing to resume
		}
	}
	return s.changedLocked(a)
}

// adoptSavepointsLocked records as snapshots the savepoints of a's store
// that the catalog does not name, of the version their name gives (the
// service names its own "KIND-vN-…"), else the current one; under s.mu.
func (s *Service) adoptSavepointsLocked(a *app) {
	sps, err := a.store.ListSavepoints()
	if err != nil {
		s.log.Warn("listing savepoints", zap.String("application", a.rec.Name), zap.Error(err))
		return
	}
	for _, m := range sps {
		if sn := a.rec.snapshot(m.SavepointName); sn != nil {
			if sn.Status == SnapshotFailed && sn.Ref == "" { // its trigger had completed after all
				sn.Status, sn.Ref = SnapshotReady, m.Ref()
			}
			continue
		}
		version := a.rec.VersionID
		if m := versionInName.FindStringSubmatch(m.SavepointName); m != nil {
			if v, err := strconv.ParseInt(m[1], 10, 64); err == nil && a.rec.version(v) != nil {
				version = v
			}
		}
		a.rec.Snapshots = append(a.rec.Snapshots, snapshotRecord{Name: m.SavepointName, Version: version,
			Runtime: a.rec.version(version).Config.Runtime, Created: m.CreatedAt, Status: SnapshotReady, Ref: m.Ref()})
	}
}

// versionInName finds the version in the name of a snapshot the service took.
var versionInName = regexp.MustCompile(`^[a-z]+-v([0-9]+)-`)

// resumeLocked starts the job of an application that was running when the
// service stopped, from the newest state of that run: its latest
// checkpoint or a snapshot taken since it started, else the snapshot it
// started from; under s.mu.
func (s *Service) resumeLocked(a *app) {
	spec := jobSpec{version: *a.rec.current()}
	run := a.rec.Run
	if run == nil {
		run = &runRecord{}
	}
	spec.restore, spec.allowNonRestored = run.Basis, run.AllowNonRestored
	newest := run.Started
	if r, err := a.store.Latest(); err == nil && !r.Manifest().CreatedAt.Before(newest) {
		spec.restore, spec.claim, newest = r.Manifest().Ref(), true, r.Manifest().CreatedAt
	}
	for _, sn := range a.rec.Snapshots {
		if sn.Status == SnapshotReady && sn.Created.After(newest) {
			spec.restore, spec.claim, newest = sn.Ref, false, sn.Created
		}
	}
	ctx, cancel := context.WithCancel(s.ctx)
	f := &inflight{cancel: cancel, done: make(chan struct{})}
	a.op = f
	s.wg.Go(func() {
		defer close(f.done)
		defer cancel()
		j, err := s.startJob(a, spec)
		s.mu.Lock()
		defer s.mu.Unlock()
		if ctx.Err() != nil || a.op != f {
			if j != nil {
				s.abandonLocked(j)
			}
			return
		}
		a.op = nil
		if err != nil {
			s.log.Warn("resuming failed", zap.String("application", a.rec.Name), zap.Error(err))
			a.rec.Status = StatusReady
		} else {
			a.job = j
			a.scale = scaleState{last: s.now()}
			s.wg.Go(func() { s.watch(a, j) })
			a.rec.Status = StatusRunning
		}
		_ = s.changedLocked(a)
	})
}
