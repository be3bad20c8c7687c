package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"go.uber.org/zap"

	"github.com/flinksim/go-flinksim/flinksim"
)

// runningJob is the job of an application.
type runningJob struct {
	client  *flinksim.JobClient
	cancel  context.CancelFunc
	version int64
	// deployed is when all its subtasks first ran (zero until then), on
	// the service's clock; afterUpdate marks the job of an update, watched
	// by system rollback.
	deployed    time.Time
	afterUpdate string // the update's operation id
	// stopping is set when the service ends the job on purpose.
	stopping bool
	// busy and sampled are the last utilisation sample.
	busy    time.Duration
	sampled time.Time
}

// jobSpec says what to start: a version, and the snapshot to restore.
type jobSpec struct {
	version          versionRecord
	restore          string // a reference in the application's store; "" starts empty
	allowNonRestored bool
	claim            bool // the restore is the application's own checkpoint
}

// startJob builds and starts the job of spec. It returns once the job is
// deployed and has restored its state, or with why it could not start:
// code that is not a runnable package, a builder that fails, a restore that
// cannot succeed.
func (s *Service) startJob(a *app, spec jobSpec) (*runningJob, error) {
	cfg := spec.version.Config
	code, err := s.readCode(cfg.Code)
	if err != nil {
		return nil, err
	}
	name, err := parseCodePackage(code)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	build := s.builders[name]
	appName := a.rec.Name
	s.mu.Unlock()
	if build == nil {
		return nil, fmt.Errorf("%w: no job builder %q is registered with the service", ErrBadCodePackage, name)
	}
	jc := flinksim.Config{
		Parallelism:           cfg.Parallelism.CurrentParallelism,
		Clock:                 s.opts.JobClock,
		Logger:                s.log.With(zap.String("application", appName)),
		RestartStrategy:       s.opts.RestartStrategy(),
		RestoreFrom:           spec.restore,
		AllowNonRestoredState: spec.allowNonRestored,
		Checkpointing:         &flinksim.CheckpointConfig{Store: a.store},
	}
	if spec.claim {
		jc.RestoreMode = flinksim.RestoreClaim
	}
	if cfg.Checkpoint.CheckpointingEnabled {
		jc.Checkpointing.Interval = time.Duration(cfg.Checkpoint.CheckpointInterval) * time.Millisecond
		jc.Checkpointing.MinPause = time.Duration(cfg.Checkpoint.MinPauseBetweenCheckpoints) * time.Millisecond
	}
	env := flinksim.NewEnvironmentFromConfig(jc)
	if err := runBuilder(build, env, JobContext{ApplicationName: appName, ApplicationVersionID: spec.version.ID,
		Parallelism: cfg.Parallelism.CurrentParallelism, PropertyGroups: cloneGroups(cfg.Properties), Package: code}); err != nil {
		return nil, fmt.Errorf("the job builder %q failed: %w", name, err)
	}
	ctx, cancel := context.WithCancel(s.ctx)
	client, err := env.Start(ctx, appName)
	if err != nil {
		cancel()
		return nil, err
	}
	return &runningJob{client: client, cancel: cancel, version: spec.version.ID, sampled: s.opts.JobClock.Now()}, nil
}

// runBuilder calls build, turning a panic into an error.
func runBuilder(build JobBuilder, env *flinksim.Environment, jc JobContext) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return build(env, jc)
}

// awaitHealthy waits until every subtask of the job runs. It fails when the
// job restarts maxRestarts times first, or ends.
func awaitHealthy(ctx context.Context, c *flinksim.JobClient, maxRestarts int) error {
	for {
		restarted := c.Restarted()
		if n := c.Restarts(); n >= int64(maxRestarts) {
			return fmt.Errorf("the job restarted %d times before all its subtasks ran: %s", n, lastCause(c))
		}
		initialized, initErr := c.Initialized()
		select {
		case <-initialized:
			if initErr() == nil {
				return nil
			}
			select { // the attempt fails: wait for the next
			case <-restarted:
			case <-c.Done():
				return fmt.Errorf("the job failed: %w", c.Err())
			case <-ctx.Done():
				return ctx.Err()
			}
		case <-restarted:
		case <-c.Done():
			if err := c.Err(); err != nil {
				return fmt.Errorf("the job failed: %w", err)
			}
			return nil // a bounded job that finished
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// lastCause is the last failure of a job, for messages.
func lastCause(c *flinksim.JobClient) string {
	ex := c.Exceptions()
	if len(ex) == 0 {
		return "no failure recorded"
	}
	return ex[len(ex)-1].Err.Error()
}

// stopJob ends a job: with a snapshot named name when name is not "" (a
// stop with savepoint), else by cancelling it. It returns the snapshot's
// reference.
func stopJob(ctx context.Context, j *runningJob, name string) (string, error) {
	select {
	case <-j.client.Done(): // a bounded job that finished, or one that failed for good
		return "", nil
	default:
	}
	if name == "" {
		j.client.Cancel()
		<-j.client.Done()
		j.cancel()
		return "", nil
	}
	rec, err := j.client.StopWithSavepoint(ctx, name, false)
	if err != nil {
		return "", fmt.Errorf("the stop with snapshot %s failed: %w", name, err)
	}
	<-j.client.Done()
	j.cancel()
	return rec.Ref, nil
}

// watch follows a job until it ends: restarts within the rollback window
// of an update start a system rollback, and a job that ends by itself (a
// bounded job that finished) returns the application to READY.
func (s *Service) watch(a *app, j *runningJob) {
	defer j.cancel()
	counted := int64(0)
	for {
		restarted := j.client.Restarted()
		select {
		case <-j.client.Done():
			s.jobEnded(a, j)
			return
		case <-restarted:
			counted = s.restartedAfterUpdate(a, j, counted)
		case <-s.ctx.Done():
			j.client.Cancel()
			<-j.client.Done()
			return
		}
	}
}

// jobEnded handles a job that ended: by itself, unless the service stopped it.
func (s *Service) jobEnded(a *app, j *runningJob) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.liveLocked(a) || j.stopping || a.job != j {
		return
	}
	a.job = nil
	err := j.client.Err()
	s.log.Info("job ended by itself", zap.String("application", a.rec.Name), zap.Error(err))
	s.deleteCheckpoints(a)
	a.rec.Status = StatusReady
	_ = s.changedLocked(a)
}

// restartedAfterUpdate counts a restart of the job of an update within the
// rollback window and rolls the update back when there are too many.
func (s *Service) restartedAfterUpdate(a *app, j *runningJob, counted int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	notifyLocked(a) // Describe shows the restarts: wake its waiters
	if j.afterUpdate == "" || j.deployed.IsZero() || a.job != j || a.op != nil || a.rec.Status != StatusRunning {
		return counted
	}
	if s.now().Sub(j.deployed) > s.opts.RollbackWindow {
		j.afterUpdate = "" // the update held: restarts from now on are the job's own
		return counted
	}
	counted++
	if counted < int64(s.opts.RollbackRestarts) || !a.rec.current().Config.RollbackEnabled {
		return counted
	}
	update := j.afterUpdate
	j.afterUpdate = ""
	cause := fmt.Sprintf("the job restarted %d times within %s of the update: %s", counted, s.opts.RollbackWindow, lastCause(j.client))
	if _, err := s.beginRollbackLocked(a, OpSystemRollback, update, errorString(errors.New(cause))); err != nil {
		s.log.Warn("system rollback refused", zap.String("application", a.rec.Name), zap.Error(err))
	}
	return counted
}

// deleteCheckpoints removes the application's checkpoints, as the service
// does on stop, update and scaling: snapshots stay.
func (s *Service) deleteCheckpoints(a *app) {
	cps, err := a.store.ListCheckpoints()
	if err != nil {
		s.log.Warn("listing checkpoints", zap.String("application", a.rec.Name), zap.Error(err))
		return
	}
	for _, m := range cps {
		if err := a.store.DeleteCheckpoint(m.CheckpointID); err != nil {
			s.log.Warn("deleting a checkpoint", zap.String("application", a.rec.Name), zap.Error(err))
		}
	}
}
