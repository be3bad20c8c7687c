package lifecycle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"go.uber.org/zap"
)

// work is the background part of the operation op. It returns the status
// the application ends in.
type work func(ctx context.Context, op string) (ApplicationStatus, error)

// beginLocked records an operation IN_PROGRESS, moves the application to
// status and runs w in the background; under s.mu. It returns the
// operation's id. A failed catalog write is logged: the operation runs,
// and the next write catches the catalog up.
func (s *Service) beginLocked(a *app, operation string, status ApplicationStatus, from, to int64, w work) string {
	op := s.newOperationLocked(a, operation, from, to)
	a.rec.Status = status
	ctx, cancel := context.WithCancel(s.ctx)
	f := &inflight{id: op.ID, cancel: cancel, done: make(chan struct{})}
	prev := a.op
	a.op = f
	if err := s.changedLocked(a); err != nil {
		s.log.Warn("catalog write failed", zap.String("application", a.rec.Name), zap.Error(err))
	}
	s.wg.Go(func() {
		defer close(f.done)
		defer cancel()
		if prev != nil { // an operation this one takes over from (a forced stop, a rollback)
			prev.cancel()
			<-prev.done
		}
		final, err := w(ctx, f.id)
		s.finish(a, f, final, err)
	})
	return op.ID
}

// newOperationLocked appends an operation record IN_PROGRESS.
func (s *Service) newOperationLocked(a *app, operation string, from, to int64) *operationRecord {
	a.rec.Seq++
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d", a.rec.Name, a.rec.Created.UnixNano(), a.rec.Seq))
	a.rec.Operations = append(a.rec.Operations, operationRecord{
		ID:        hex.EncodeToString(sum[:12]),
		Operation: operation, Status: OperationInProgress, Start: s.now(), From: from, To: to,
	})
	return &a.rec.Operations[len(a.rec.Operations)-1]
}

// finish records the outcome of an operation.
func (s *Service) finish(a *app, f *inflight, final ApplicationStatus, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.liveLocked(a) {
		return // closing (the catalog keeps the operation in progress, which New ends FAILED), or deleted
	}
	op := a.rec.operation(f.id)
	if op == nil {
		return
	}
	op.End = s.now()
	switch {
	case err == nil:
		op.Status = OperationSuccessful
	case errors.Is(err, context.Canceled):
		op.Status = OperationCancelled
	default:
		op.Status = OperationFailed
		if op.Error == "" {
			op.Error = errorString(err)
		}
	}
	if a.op == f {
		a.op = nil
		if final == StatusRunning && a.job == nil {
			final = StatusReady // its job ended meanwhile (a bounded job that finished)
		}
		a.rec.Status = final
	}
	if err := s.changedLocked(a); err != nil {
		s.log.Warn("catalog write failed", zap.String("application", a.rec.Name), zap.Error(err))
	}
}

// errorString is an error as ErrorInfo.ErrorString holds it: at most 512
// characters.
func errorString(err error) string {
	msg := err.Error()
	if r := []rune(msg); len(r) > 512 {
		msg = string(r[:509]) + "..."
	}
	return msg
}

// attach makes j the application's job if the operation f is still the
// application's; else it stops j and reports the operation cancelled.
func (s *Service) attach(a *app, f string, j *runningJob) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.op == nil || a.op.id != f || s.ctx.Err() != nil {
		s.abandonLocked(j)
		return context.Canceled
	}
	a.job = j
	a.scale = scaleState{last: s.now()}
	s.wg.Go(func() { s.watch(a, j) })
	return nil
}

// abandonLocked cancels a job no application has, and waits for it in the
// background; under s.mu.
func (s *Service) abandonLocked(j *runningJob) {
	j.stopping = true
	s.wg.Go(func() {
		j.client.Cancel()
		<-j.client.Done()
		j.cancel()
	})
}

// detachLocked takes the application's job for the operation to stop; under s.mu.
func detachLocked(a *app) *runningJob {
	j := a.job
	if j != nil {
		j.stopping = true
		a.job = nil
	}
	return j
}

func operationDetails(op *operationRecord) ApplicationOperationInfoDetails {
	d := ApplicationOperationInfoDetails{Operation: op.Operation, OperationStatus: op.Status, StartTime: op.Start, EndTime: op.End}
	if op.To != 0 {
		d.ApplicationVersionChangeDetails = &ApplicationVersionChangeDetails{ApplicationVersionUpdatedFrom: op.From, ApplicationVersionUpdatedTo: op.To}
	}
	if op.Status == OperationFailed {
		d.OperationFailureDetails = &OperationFailureDetails{RollbackOperationID: op.RollbackID, ErrorInfo: ErrorInfo{ErrorString: op.Error}}
	}
	return d
}

func operationInfo(op *operationRecord) ApplicationOperationInfo {
	return ApplicationOperationInfo{OperationID: op.ID, Operation: op.Operation, OperationStatus: op.Status, StartTime: op.Start, EndTime: op.End}
}
