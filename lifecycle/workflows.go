package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"
)

// The background parts of the operations: each is the service's
// orchestration of the job as the article describes it.

// restoreRefLocked returns the snapshot a start with restore r restores
// ("" when it starts empty), under s.mu. A first start, or an application
// with snapshots disabled, starts empty whatever r says.
func restoreRefLocked(a *app, r ApplicationRestoreConfiguration, snapshotsEnabled bool) (string, error) {
	switch r.ApplicationRestoreType {
	case SkipRestoreFromSnapshot:
		return "", nil
	case RestoreFromCustomSnapshot:
		snap := a.rec.snapshot(r.SnapshotName)
		if snap == nil || snap.Status != SnapshotReady {
			return "", invalidArgument("snapshot %s of application %s does not exist", r.SnapshotName, a.rec.Name)
		}
		return snap.Ref, nil
	}
	if !snapshotsEnabled {
		return "", nil
	}
	if snap := a.rec.latestSnapshot(0); snap != nil {
		return snap.Ref, nil
	}
	return "", nil // no snapshot yet: an empty start
}

// startWork starts the current version.
func (s *Service) startWork(a *app, spec jobSpec) work {
	return func(ctx context.Context, op string) (ApplicationStatus, error) {
		j, err := s.startJob(a, spec)
		if err != nil {
			return StatusReady, err
		}
		if err := s.attach(a, op, j); err != nil {
			return StatusReady, err
		}
		return StatusRunning, nil
	}
}

// snapshotNameLocked names a snapshot the service takes itself: kind, the
// version, the time, and the operation's number, so that two are never
// named alike even on a clock that stands still; under s.mu.
func (s *Service) snapshotNameLocked(a *app, kind string, version int64) string {
	name := fmt.Sprintf("%s-v%d-%s-%d", kind, version, s.now().Format("20060102T150405Z"), a.rec.Seq)
	for n := 2; a.rec.snapshot(name) != nil; n++ {
		name = fmt.Sprintf("%s-v%d-%s-%d-%d", kind, version, s.now().Format("20060102T150405Z"), a.rec.Seq, n)
	}
	return name
}

// errRunsOn is a stop with savepoint after which the job runs on: it failed
// after the savepoint and restarted.
var errRunsOn = errors.New("the job runs on")

// stopTakingSnapshot stops j with a savepoint, recorded as a snapshot of
// the application, and returns its reference. If the job ended meanwhile,
// nothing is to be taken: it returns "" (with the snapshot, if the job
// took it before it ended). If ctx ends first, the job is cancelled: an
// operation that takes over wants it gone. If the stop failed and the job
// runs on, the error wraps errRunsOn.
func (s *Service) stopTakingSnapshot(ctx context.Context, a *app, j *runningJob, kind string) (string, error) {
	s.mu.Lock()
	name := s.snapshotNameLocked(a, kind, j.version)
	s.mu.Unlock()
	created := s.now()
	ref, err := stopJob(ctx, j, name)
	if err == nil {
		if ref != "" {
			s.recordSnapshot(a, name, j.version, created, ref)
		}
		return ref, nil
	}
	select {
	case <-j.client.Done():
	default:
		if ctx.Err() == nil {
			return "", fmt.Errorf("%w: %w", errRunsOn, err)
		}
		_, _ = stopJob(context.Background(), j, "") // cancels it, and waits
	}
	// The job is gone; the stop may have taken its savepoint first.
	if r, oerr := a.store.OpenSavepoint(name); oerr == nil {
		ref = r.Manifest().Ref()
		s.recordSnapshot(a, name, j.version, created, ref)
	}
	return ref, ctx.Err()
}

// stopWithSnapshot stops j, with a snapshot if snapshots is set. If the
// stop with snapshot fails and the job runs on, it is cancelled and the
// latest checkpoint is what a restart restores: claim says so. It returns
// the reference to restore from ("" for none).
func (s *Service) stopWithSnapshot(ctx context.Context, a *app, j *runningJob, kind string, snapshots bool) (ref string, claim bool, err error) {
	if j == nil {
		return "", false, nil
	}
	if !snapshots {
		_, _ = stopJob(ctx, j, "")
		return "", false, nil
	}
	ref, err = s.stopTakingSnapshot(ctx, a, j, kind)
	if errors.Is(err, errRunsOn) {
		s.log.Warn("stop with snapshot failed; restoring from the latest checkpoint", zap.String("application", a.rec.Name), zap.Error(err))
		_, _ = stopJob(ctx, j, "")
		m, lerr := a.store.Latest()
		if lerr != nil {
			return "", false, nil
		}
		return m.Manifest().Ref(), true, nil
	}
	return ref, false, err
}

// recordSnapshot adds a snapshot the service took to the catalog.
func (s *Service) recordSnapshot(a *app, name string, version int64, created time.Time, ref string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.liveLocked(a) {
		return
	}
	a.rec.Snapshots = append(a.rec.Snapshots, snapshotRecord{Name: name, Version: version,
		Runtime: a.rec.version(version).Config.Runtime, Created: created, Status: SnapshotReady, Ref: ref})
	_ = s.changedLocked(a)
}

// stopWork stops the application, with a snapshot when snapshots are
// enabled and the stop is not forced.
func (s *Service) stopWork(a *app, force bool) work {
	return func(ctx context.Context, _ string) (ApplicationStatus, error) {
		s.mu.Lock()
		j := detachLocked(a)
		snapshots := a.rec.current().Config.SnapshotsEnabled && !force
		s.mu.Unlock()
		if j != nil && snapshots {
			if _, err := s.stopTakingSnapshot(ctx, a, j, "stop"); errors.Is(err, errRunsOn) {
				// It restarted from the snapshot: the application stays
				// RUNNING.
				s.mu.Lock()
				j.stopping = false
				if a.job == nil {
					a.job = j
				}
				s.mu.Unlock()
				return StatusRunning, err
			} else if err != nil {
				return StatusReady, err
			}
		} else if j != nil {
			_, _ = stopJob(ctx, j, "")
		}
		s.deleteCheckpoints(a)
		return StatusReady, nil
	}
}

// redeployWork stops the running job (with a snapshot if the old version
// enables them), deletes the checkpoints, and starts version to, restoring
// as r says; then waits until every subtask runs. It is the heart of an
// update, an autoscaling and a maintenance.
func (s *Service) redeployWork(a *app, kind string, to int64, r ApplicationRestoreConfiguration, allowNonRestored bool) work {
	return func(ctx context.Context, op string) (ApplicationStatus, error) {
		s.mu.Lock()
		j := detachLocked(a)
		from := a.rec.version(to).Config
		if j != nil {
			from = a.rec.version(j.version).Config
		}
		next := *a.rec.version(to)
		s.mu.Unlock()
		ref, claim, err := s.stopWithSnapshot(ctx, a, j, kind, from.SnapshotsEnabled)
		if err != nil {
			return StatusReady, err
		}
		s.mu.Lock()
		if !claim { // the snapshot just taken, if any, is the latest
			ref, err = restoreRefLocked(a, r, next.Config.SnapshotsEnabled)
		}
		a.rec.Run = &runRecord{Restore: r, AllowNonRestored: allowNonRestored, Basis: ref, Started: s.now()}
		s.mu.Unlock()
		if err != nil {
			return StatusReady, err
		}
		if !claim {
			s.deleteCheckpoints(a)
		}
		return s.deployAndWatch(ctx, a, op, jobSpec{version: next, restore: ref, allowNonRestored: allowNonRestored, claim: claim}, kind == "update")
	}
}

// deployAndWatch starts spec and waits until it is healthy. A version that
// fails to start, or restarts too often before it runs, rolls back when the
// application enables system rollback.
func (s *Service) deployAndWatch(ctx context.Context, a *app, op string, spec jobSpec, update bool) (ApplicationStatus, error) {
	j, err := s.startJob(a, spec)
	if err == nil {
		if err = s.attach(a, op, j); err != nil {
			return StatusReady, err
		}
		if err = awaitHealthy(ctx, j.client, s.opts.RollbackRestarts); err == nil {
			s.mu.Lock()
			j.deployed = s.now()
			if update {
				j.afterUpdate = op
			}
			s.mu.Unlock()
			return StatusRunning, nil
		}
		if ctx.Err() != nil {
			return StatusReady, ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil || a.op == nil || a.op.id != op {
		return StatusReady, err // another operation (a forced stop) took over
	}
	cur := a.rec.current()
	if update && cur.Config.RollbackEnabled && cur.UpdatedFrom != 0 {
		// System rollback: this operation fails and names the rollback,
		// which takes over the application.
		if _, rerr := s.beginRollbackLocked(a, OpSystemRollback, op, errorString(err)); rerr == nil {
			return StatusRollingBack, err
		}
	}
	if a.job != nil { // running, but looping on restarts: the article's restart loop
		return StatusRunning, err
	}
	return StatusReady, err
}

// beginRollbackLocked starts a rollback to the version the current one was
// updated from, and its latest snapshot; under s.mu. failed, if not "", is
// the operation the rollback undoes: it ends FAILED with cause and names
// the rollback. It returns the rollback's operation id.
func (s *Service) beginRollbackLocked(a *app, kind, failed, cause string) (string, error) {
	cur := a.rec.current()
	target := a.rec.version(cur.UpdatedFrom)
	if target == nil {
		return "", invalidRequest("application %s version %d was not updated from another version: there is nothing to roll back to", a.rec.Name, cur.ID)
	}
	snap := a.rec.latestSnapshot(target.ID)
	if snap == nil {
		return "", invalidRequest("application %s has no snapshot of version %d to roll back to", a.rec.Name, target.ID)
	}
	cur.RolledBack = true
	next := versionRecord{ID: cur.ID + 1, Created: s.now(), RolledBackFrom: cur.ID, RolledBackTo: target.ID, Config: target.Config}
	a.rec.Versions = append(a.rec.Versions, next)
	a.rec.VersionID = next.ID
	a.rec.Run = &runRecord{Restore: ApplicationRestoreConfiguration{ApplicationRestoreType: RestoreFromCustomSnapshot, SnapshotName: snap.Name},
		Basis: snap.Ref, Started: s.now()}
	spec := jobSpec{version: next, restore: snap.Ref}
	id := s.beginLocked(a, kind, StatusRollingBack, cur.ID, next.ID, func(ctx context.Context, op string) (ApplicationStatus, error) {
		s.mu.Lock()
		j := detachLocked(a)
		s.mu.Unlock()
		if j != nil {
			_, _ = stopJob(ctx, j, "")
		}
		s.deleteCheckpoints(a)
		return s.deployAndWatch(ctx, a, op, spec, false)
	})
	if op := a.rec.operation(failed); op != nil { // looked up after the append above
		op.Status, op.End, op.RollbackID, op.Error = OperationFailed, s.now(), id, cause
	}
	return id, nil
}

// maintenanceWork restarts the job from its latest checkpoint, as the
// service's maintenance (patching) does.
func (s *Service) maintenanceWork(a *app) work {
	return func(ctx context.Context, op string) (ApplicationStatus, error) {
		s.mu.Lock()
		j := detachLocked(a)
		next := *a.rec.current()
		s.mu.Unlock()
		if j != nil {
			_, _ = stopJob(ctx, j, "")
		}
		spec := jobSpec{version: next}
		if m, err := a.store.Latest(); err == nil {
			spec.restore, spec.claim = m.Manifest().Ref(), true
		} else {
			s.mu.Lock()
			if a.rec.Run != nil {
				spec.restore = a.rec.Run.Basis
			}
			s.mu.Unlock()
		}
		return s.deployAndWatch(ctx, a, op, spec, false)
	}
}
