package lifecycle

import (
	"context"
	"strconv"
)

// paginate returns the page of items that token (the position of the
// page's first item, as a decimal string; "" for the first page) and limit
// choose, and the token of the next page ("" after the last).
func paginate[T any](items []T, limit int, token string) ([]T, string, error) {
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(items) || len(token) > maxTokenLength {
			return nil, "", invalidArgument("NextToken %q is not a token this list gave", token)
		}
		start = n
	}
	end := min(start+listLimit(limit), len(items))
	page := append([]T{}, items[start:end]...)
	if end < len(items) {
		return page, strconv.Itoa(end), nil
	}
	return page, "", nil
}

// ListApplicationVersions lists the versions, newest first, with their
// status (ROLLED_BACK for one a rollback left).
func (s *Service) ListApplicationVersions(ctx context.Context, in ListApplicationVersionsRequest) (ListApplicationVersionsResponse, error) {
	if err := ctx.Err(); err != nil {
		return ListApplicationVersionsResponse{}, err
	}
	if err := checkLimit(in.Limit); err != nil {
		return ListApplicationVersionsResponse{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(in.ApplicationName)
	if err != nil {
		return ListApplicationVersionsResponse{}, err
	}
	all := make([]ApplicationVersionSummary, 0, len(a.rec.Versions))
	for i := len(a.rec.Versions) - 1; i >= 0; i-- {
		v := &a.rec.Versions[i]
		st := versionStatus(v)
		if v.ID == a.rec.VersionID {
			st = a.rec.Status
		}
		all = append(all, ApplicationVersionSummary{ApplicationVersionID: v.ID, ApplicationStatus: st})
	}
	page, next, err := paginate(all, in.Limit, in.NextToken)
	return ListApplicationVersionsResponse{ApplicationVersionSummaries: page, NextToken: next}, err
}

// DescribeApplicationVersion describes a version, rolled-back ones included.
func (s *Service) DescribeApplicationVersion(ctx context.Context, in DescribeApplicationVersionRequest) (DescribeApplicationVersionResponse, error) {
	if err := ctx.Err(); err != nil {
		return DescribeApplicationVersionResponse{}, err
	}
	if err := checkVersionID("ApplicationVersionId", in.ApplicationVersionID); err != nil {
		return DescribeApplicationVersionResponse{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(in.ApplicationName)
	if err != nil {
		return DescribeApplicationVersionResponse{}, err
	}
	v := a.rec.version(in.ApplicationVersionID)
	if v == nil {
		return DescribeApplicationVersionResponse{}, notFound("application %s has no version %d", a.rec.Name, in.ApplicationVersionID)
	}
	return DescribeApplicationVersionResponse{ApplicationVersionDetail: s.detailLocked(a, v, false)}, nil
}

// ListApplicationOperations lists the operations, newest first, filtered
// by Operation and OperationStatus when they are set.
func (s *Service) ListApplicationOperations(ctx context.Context, in ListApplicationOperationsRequest) (ListApplicationOperationsResponse, error) {
	if err := ctx.Err(); err != nil {
		return ListApplicationOperationsResponse{}, err
	}
	if err := checkLimit(in.Limit); err != nil {
		return ListApplicationOperationsResponse{}, err
	}
	if in.Operation != "" {
		if err := checkLength("Operation", in.Operation, 1, maxOperationIDLength); err != nil {
			return ListApplicationOperationsResponse{}, err
		}
	}
	switch in.OperationStatus {
	case "", OperationInProgress, OperationCancelled, OperationSuccessful, OperationFailed:
	default:
		return ListApplicationOperationsResponse{}, invalidArgument("OperationStatus %q is not IN_PROGRESS, CANCELLED, SUCCESSFUL or FAILED", in.OperationStatus)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(in.ApplicationName)
	if err != nil {
		return ListApplicationOperationsResponse{}, err
	}
	var all []ApplicationOperationInfo
	for i := len(a.rec.Operations) - 1; i >= 0; i-- {
		op := &a.rec.Operations[i]
		if in.Operation != "" && op.Operation != in.Operation || in.OperationStatus != "" && op.Status != in.OperationStatus {
			continue
		}
		all = append(all, operationInfo(op))
	}
	page, next, err := paginate(all, in.Limit, in.NextToken)
	return ListApplicationOperationsResponse{ApplicationOperationInfoList: page, NextToken: next}, err
}

// DescribeApplicationOperation describes an operation.
func (s *Service) DescribeApplicationOperation(ctx context.Context, in DescribeApplicationOperationRequest) (DescribeApplicationOperationResponse, error) {
	if err := ctx.Err(); err != nil {
		return DescribeApplicationOperationResponse{}, err
	}
	if err := checkLength("OperationId", in.OperationID, 1, maxOperationIDLength); err != nil {
		return DescribeApplicationOperationResponse{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(in.ApplicationName)
	if err != nil {
		return DescribeApplicationOperationResponse{}, err
	}
	op := a.rec.operation(in.OperationID)
	if op == nil {
		return DescribeApplicationOperationResponse{}, notFound("application %s has no operation %s", a.rec.Name, in.OperationID)
	}
	return DescribeApplicationOperationResponse{ApplicationOperationInfoDetails: operationDetails(op)}, nil
}
