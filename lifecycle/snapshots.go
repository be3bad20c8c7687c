package lifecycle

import (
	"context"
	"errors"
	"slices"
	"sort"

	"go.uber.org/zap"

	"github.com/flinksim/go-flinksim/snapshot"
)

// CreateApplicationSnapshot takes a snapshot of a RUNNING application's
// job, which runs on: a savepoint, listed as CREATING until it completes,
// then READY (or FAILED). The application must enable snapshots, and the
// name must be new.
func (s *Service) CreateApplicationSnapshot(ctx context.Context, in CreateApplicationSnapshotRequest) (CreateApplicationSnapshotResponse, error) {
	if err := ctx.Err(); err != nil {
		return CreateApplicationSnapshotResponse{}, err
	}
	if err := checkSnapshotName(in.SnapshotName); err != nil {
		return CreateApplicationSnapshotResponse{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(in.ApplicationName)
	if err != nil {
		return CreateApplicationSnapshotResponse{}, err
	}
	if err := checkStatusLocked(a, actionCreateSnapshot); err != nil {
		return CreateApplicationSnapshotResponse{}, err
	}
	if !a.rec.current().Config.SnapshotsEnabled {
		return CreateApplicationSnapshotResponse{}, invalidConfiguration("application %s does not enable snapshots", a.rec.Name)
	}
	if a.rec.snapshot(in.SnapshotName) != nil {
		return CreateApplicationSnapshotResponse{}, inUse("snapshot %s of application %s already exists", in.SnapshotName, a.rec.Name)
	}
	if len(a.rec.Snapshots) >= MaxSnapshots {
		return CreateApplicationSnapshotResponse{}, limitExceeded("application %s has %d snapshots, the most it may have", a.rec.Name, MaxSnapshots)
	}
	j := a.job
	if j == nil {
		return CreateApplicationSnapshotResponse{}, invalidRequest("application %s has no job running to take a snapshot of", a.rec.Name)
	}
	a.rec.Snapshots = append(a.rec.Snapshots, snapshotRecord{Name: in.SnapshotName, Version: j.version,
		Runtime: a.rec.current().Config.Runtime, Created: s.now(), Status: SnapshotCreating})
	if err := s.changedLocked(a); err != nil {
		a.rec.Snapshots = a.rec.Snapshots[:len(a.rec.Snapshots)-1] // not taken: the catalog could not say so
		return CreateApplicationSnapshotResponse{}, err
	}
	s.wg.Go(func() {
		rec, err := j.client.TriggerSavepoint(s.ctx, in.SnapshotName)
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.liveLocked(a) {
			return
		}
		sn := a.rec.snapshot(in.SnapshotName)
		if sn == nil {
			return
		}
		if err != nil {
			s.log.Warn("snapshot failed", zap.String("application", a.rec.Name), zap.String("snapshot", in.SnapshotName), zap.Error(err))
			sn.Status = SnapshotFailed
		} else {
			sn.Status, sn.Ref = SnapshotReady, rec.Ref
		}
		_ = s.changedLocked(a)
	})
	return CreateApplicationSnapshotResponse{}, nil
}

// ListApplicationSnapshots lists the snapshots, newest first.
func (s *Service) ListApplicationSnapshots(ctx context.Context, in ListApplicationSnapshotsRequest) (ListApplicationSnapshotsResponse, error) {
	if err := ctx.Err(); err != nil {
		return ListApplicationSnapshotsResponse{}, err
	}
	if err := checkLimit(in.Limit); err != nil {
		return ListApplicationSnapshotsResponse{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(in.ApplicationName)
	if err != nil {
		return ListApplicationSnapshotsResponse{}, err
	}
	all := make([]SnapshotDetails, len(a.rec.Snapshots))
	for i, sn := range a.rec.Snapshots { // newest last: reversed, so that a stable sort keeps ties newest first
		all[len(all)-1-i] = snapshotDetails(sn)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].SnapshotCreationTimestamp.After(all[j].SnapshotCreationTimestamp) })
	page, next, err := paginate(all, in.Limit, in.NextToken)
	return ListApplicationSnapshotsResponse{SnapshotSummaries: page, NextToken: next}, err
}

// DescribeApplicationSnapshot describes a snapshot.
func (s *Service) DescribeApplicationSnapshot(ctx context.Context, in DescribeApplicationSnapshotRequest) (DescribeApplicationSnapshotResponse, error) {
	if err := ctx.Err(); err != nil {
		return DescribeApplicationSnapshotResponse{}, err
	}
	if err := checkSnapshotName(in.SnapshotName); err != nil {
		return DescribeApplicationSnapshotResponse{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(in.ApplicationName)
	if err != nil {
		return DescribeApplicationSnapshotResponse{}, err
	}
	sn := a.rec.snapshot(in.SnapshotName)
	if sn == nil {
		return DescribeApplicationSnapshotResponse{}, invalidArgument("snapshot %s of application %s does not exist", in.SnapshotName, a.rec.Name)
	}
	return DescribeApplicationSnapshotResponse{SnapshotDetails: snapshotDetails(*sn)}, nil
}

// DeleteApplicationSnapshot deletes a snapshot; SnapshotCreationTimestamp
// must be the snapshot's. A snapshot still being taken cannot be deleted.
func (s *Service) DeleteApplicationSnapshot(ctx context.Context, in DeleteApplicationSnapshotRequest) (DeleteApplicationSnapshotResponse, error) {
	if err := ctx.Err(); err != nil {
		return DeleteApplicationSnapshotResponse{}, err
	}
	if err := checkSnapshotName(in.SnapshotName); err != nil {
		return DeleteApplicationSnapshotResponse{}, err
	}
	if err := checkTimestamp("SnapshotCreationTimestamp", in.SnapshotCreationTimestamp); err != nil {
		return DeleteApplicationSnapshotResponse{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(in.ApplicationName)
	if err != nil {
		return DeleteApplicationSnapshotResponse{}, err
	}
	if err := checkStatusLocked(a, actionDeleteSnapshot); err != nil {
		return DeleteApplicationSnapshotResponse{}, err
	}
	sn := a.rec.snapshot(in.SnapshotName)
	if sn == nil {
		return DeleteApplicationSnapshotResponse{}, invalidArgument("snapshot %s of application %s does not exist", in.SnapshotName, a.rec.Name)
	}
	if !sameSecond(sn.Created, in.SnapshotCreationTimestamp) {
		return DeleteApplicationSnapshotResponse{}, invalidArgument("SnapshotCreationTimestamp %s is not snapshot %s's (%s)",
			in.SnapshotCreationTimestamp.UTC().Format(timeFormat), sn.Name, sn.Created.Format(timeFormat))
	}
	if sn.Status == SnapshotCreating {
		return DeleteApplicationSnapshotResponse{}, inUse("snapshot %s is still being taken", sn.Name)
	}
	// The record first, durably, then the data: a crash between them
	// leaves data no record names, never a record of data that is gone.
	kept := a.rec.Snapshots
	deleted := *sn
	a.rec.Snapshots = slices.DeleteFunc(slices.Clone(kept), func(o snapshotRecord) bool { return o.Name == deleted.Name })
	if err := s.changedLocked(a); err != nil {
		a.rec.Snapshots = kept
		return DeleteApplicationSnapshotResponse{}, err
	}
	if deleted.Ref != "" {
		if err := a.store.DeleteSavepoint(deleted.Name); err != nil && !errors.Is(err, snapshot.ErrNotFound) {
			s.log.Warn("deleting a snapshot's data", zap.String("application", a.rec.Name), zap.String("snapshot", deleted.Name), zap.Error(err))
		}
	}
	return DeleteApplicationSnapshotResponse{}, nil
}

func snapshotDetails(sn snapshotRecord) SnapshotDetails {
	return SnapshotDetails{SnapshotName: sn.Name, SnapshotStatus: sn.Status, ApplicationVersionID: sn.Version,
		RuntimeEnvironment: sn.Runtime, SnapshotCreationTimestamp: sn.Created}
}
