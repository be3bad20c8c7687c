package endpoint

import (
	"context"
	"net/http"

	"github.com/flinksim/go-flinksim/lifecycle"
)

// action runs one API action on a request body.
type action func(ctx context.Context, h *Handler, r *http.Request, body []byte) (any, error)

// serve makes an action of a function from the decoded input shape In to
// the response.
func serve[In any](f func(ctx context.Context, h *Handler, r *http.Request, in In) (any, error)) action {
	return func(ctx context.Context, h *Handler, r *http.Request, body []byte) (any, error) {
		in, err := decode[In](body)
		if err != nil {
			return nil, err
		}
		return f(ctx, h, r, in)
	}
}

// actions are the actions served, by name.
var actions map[string]action

func init() {
	actions = map[string]action{
		"CreateApplication":             serve(createApplication),
		"DescribeApplication":           serve(describeApplication),
		"ListApplications":              serve(listApplications),
		"UpdateApplication":             serve(updateApplication),
		"StartApplication":              serve(startApplication),
		"StopApplication":               serve(stopApplication),
		"DeleteApplication":             serve(deleteApplication),
		"RollbackApplication":           serve(rollbackApplication),
		"CreateApplicationSnapshot":     serve(createApplicationSnapshot),
		"ListApplicationSnapshots":      serve(listApplicationSnapshots),
		"DescribeApplicationSnapshot":   serve(describeApplicationSnapshot),
		"DeleteApplicationSnapshot":     serve(deleteApplicationSnapshot),
		"ListApplicationVersions":       serve(listApplicationVersions),
		"DescribeApplicationVersion":    serve(describeApplicationVersion),
		"ListApplicationOperations":     serve(listApplicationOperations),
		"DescribeApplicationOperation":  serve(describeApplicationOperation),
		"TagResource":                   serve(tagResource),
		"UntagResource":                 serve(untagResource),
		"ListTagsForResource":           serve(listTagsForResource),
		"CreateApplicationPresignedUrl": serve(createApplicationPresignedURL),

		"AddApplicationCloudWatchLoggingOption":     serve(addApplicationCloudWatchLoggingOption),
		"DeleteApplicationCloudWatchLoggingOption":  serve(deleteApplicationCloudWatchLoggingOption),
		"UpdateApplicationMaintenanceConfiguration": serve(updateApplicationMaintenanceConfiguration),
	}
}

// unsupportedActions are the actions of the model this service does not
// serve, and why: UnsupportedOperationException.
var unsupportedActions = map[string]string{
	"AddApplicationInput": sqlOnly, "AddApplicationInputProcessingConfiguration": sqlOnly,
	"AddApplicationOutput": sqlOnly, "AddApplicationReferenceDataSource": sqlOnly,
	"DeleteApplicationInputProcessingConfiguration": sqlOnly, "DeleteApplicationOutput": sqlOnly,
	"DeleteApplicationReferenceDataSource": sqlOnly, "DiscoverInputSchema": sqlOnly,
	"AddApplicationVpcConfiguration": notServed, "DeleteApplicationVpcConfiguration": notServed,
}

const (
	sqlOnly   = "is an action of SQL applications, which this service does not run"
	notServed = "is not served by this local service yet"
)

func createApplication(ctx context.Context, h *Handler, _ *http.Request, in createApplicationRequest) (any, error) {
	cfg, err := fromConfiguration(in.ApplicationConfiguration)
	if err != nil {
		return nil, err
	}
	out, err := h.svc.CreateApplication(ctx, lifecycle.CreateApplicationRequest{
		ApplicationName: in.ApplicationName, ApplicationDescription: in.ApplicationDescription,
		RuntimeEnvironment:   lifecycle.RuntimeEnvironment(in.RuntimeEnvironment),
		ServiceExecutionRole: in.ServiceExecutionRole, ApplicationConfiguration: cfg,
		ApplicationMode: lifecycle.ApplicationMode(in.ApplicationMode), Tags: fromTags(in.Tags),
		CloudWatchLoggingOptions: fromLoggingOptions(in.CloudWatchLoggingOptions),
	})
	if err != nil {
		return nil, err
	}
	return applicationDetailResponse{toDetail(out.ApplicationDetail)}, nil
}

func describeApplication(ctx context.Context, h *Handler, _ *http.Request, in describeApplicationRequest) (any, error) {
	out, err := h.svc.DescribeApplication(ctx, lifecycle.DescribeApplicationRequest{
		ApplicationName: in.ApplicationName, IncludeAdditionalDetails: deref(in.IncludeAdditionalDetails),
	})
	if err != nil {
		return nil, err
	}
	return applicationDetailResponse{toDetail(out.ApplicationDetail)}, nil
}

func listApplications(ctx context.Context, h *Handler, _ *http.Request, in listApplicationsRequest) (any, error) {
	limit, err := fromLimit(in.Limit)
	if err != nil {
		return nil, err
	}
	out, err := h.svc.ListApplications(ctx, lifecycle.ListApplicationsRequest{Limit: limit, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	resp := listApplicationsResponse{ApplicationSummaries: []applicationSummary{}, NextToken: out.NextToken}
	for _, s := range out.ApplicationSummaries {
		resp.ApplicationSummaries = append(resp.ApplicationSummaries, applicationSummary{
			ApplicationARN: s.ApplicationARN, ApplicationMode: string(s.ApplicationMode), ApplicationName: s.ApplicationName,
			ApplicationStatus: string(s.ApplicationStatus), ApplicationVersionID: s.ApplicationVersionID,
			RuntimeEnvironment: string(s.RuntimeEnvironment),
		})
	}
	return resp, nil
}

func updateApplication(ctx context.Context, h *Handler, _ *http.Request, in updateApplicationRequest) (any, error) {
	upd, err := fromConfigurationUpdate(in.ApplicationConfigurationUpdate)
	if err != nil {
		return nil, err
	}
	run, err := fromRunConfiguration(in.RunConfigurationUpdate)
	if err != nil {
		return nil, err
	}
	req := lifecycle.UpdateApplicationRequest{
		ApplicationName: in.ApplicationName, CurrentApplicationVersionID: deref(in.CurrentApplicationVersionID),
		ConditionalToken: in.ConditionalToken, ApplicationConfigurationUpdate: upd,
		RuntimeEnvironmentUpdate:       lifecycle.RuntimeEnvironment(in.RuntimeEnvironmentUpdate),
		ServiceExecutionRoleUpdate:     in.ServiceExecutionRoleUpdate,
		CloudWatchLoggingOptionUpdates: fromLoggingUpdates(in.CloudWatchLoggingOptionUpdates),
	}
	if run != nil {
		req.RunConfigurationUpdate = &lifecycle.RunConfigurationUpdate{
			ApplicationRestoreConfiguration: run.ApplicationRestoreConfiguration, FlinkRunConfiguration: run.FlinkRunConfiguration,
		}
	}
	out, err := h.svc.UpdateApplication(ctx, req)
	if err != nil {
		return nil, err
	}
	return updateApplicationResponse{ApplicationDetail: toDetail(out.ApplicationDetail), OperationID: out.OperationID}, nil
}

func startApplication(ctx context.Context, h *Handler, _ *http.Request, in startApplicationRequest) (any, error) {
	run, err := fromRunConfiguration(in.RunConfiguration)
	if err != nil {
		return nil, err
	}
	out, err := h.svc.StartApplication(ctx, lifecycle.StartApplicationRequest{ApplicationName: in.ApplicationName, RunConfiguration: run})
	if err != nil {
		return nil, err
	}
	return operationResponse{OperationID: out.OperationID}, nil
}

func stopApplication(ctx context.Context, h *Handler, _ *http.Request, in stopApplicationRequest) (any, error) {
	out, err := h.svc.StopApplication(ctx, lifecycle.StopApplicationRequest{ApplicationName: in.ApplicationName, Force: deref(in.Force)})
	if err != nil {
		return nil, err
	}
	return operationResponse{OperationID: out.OperationID}, nil
}

func deleteApplication(ctx context.Context, h *Handler, _ *http.Request, in deleteApplicationRequest) (any, error) {
	_, err := h.svc.DeleteApplication(ctx, lifecycle.DeleteApplicationRequest{ApplicationName: in.ApplicationName, CreateTimestamp: in.CreateTimestamp.Time})
	if err != nil {
		return nil, err
	}
	return empty{}, nil
}

func rollbackApplication(ctx context.Context, h *Handler, _ *http.Request, in rollbackApplicationRequest) (any, error) {
	out, err := h.svc.RollbackApplication(ctx, lifecycle.RollbackApplicationRequest{
		ApplicationName: in.ApplicationName, CurrentApplicationVersionID: *in.CurrentApplicationVersionID,
	})
	if err != nil {
		return nil, err
	}
	return updateApplicationResponse{ApplicationDetail: toDetail(out.ApplicationDetail), OperationID: out.OperationID}, nil
}

func createApplicationSnapshot(ctx context.Context, h *Handler, _ *http.Request, in snapshotRequest) (any, error) {
	_, err := h.svc.CreateApplicationSnapshot(ctx, lifecycle.CreateApplicationSnapshotRequest{ApplicationName: in.ApplicationName, SnapshotName: in.SnapshotName})
	if err != nil {
		return nil, err
	}
	return empty{}, nil
}

func listApplicationSnapshots(ctx context.Context, h *Handler, _ *http.Request, in listRequest) (any, error) {
	limit, err := fromLimit(in.Limit)
	if err != nil {
		return nil, err
	}
	out, err := h.svc.ListApplicationSnapshots(ctx, lifecycle.ListApplicationSnapshotsRequest{ApplicationName: in.ApplicationName, Limit: limit, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	resp := listApplicationSnapshotsResponse{SnapshotSummaries: []snapshotDetails{}, NextToken: out.NextToken}
	for _, s := range out.SnapshotSummaries {
		resp.SnapshotSummaries = append(resp.SnapshotSummaries, toSnapshot(s))
	}
	return resp, nil
}

func describeApplicationSnapshot(ctx context.Context, h *Handler, _ *http.Request, in snapshotRequest) (any, error) {
	out, err := h.svc.DescribeApplicationSnapshot(ctx, lifecycle.DescribeApplicationSnapshotRequest{ApplicationName: in.ApplicationName, SnapshotName: in.SnapshotName})
	if err != nil {
		return nil, err
	}
	return describeApplicationSnapshotResponse{toSnapshot(out.SnapshotDetails)}, nil
}

func deleteApplicationSnapshot(ctx context.Context, h *Handler, _ *http.Request, in deleteApplicationSnapshotRequest) (any, error) {
	_, err := h.svc.DeleteApplicationSnapshot(ctx, lifecycle.DeleteApplicationSnapshotRequest{
		ApplicationName: in.ApplicationName, SnapshotName: in.SnapshotName, SnapshotCreationTimestamp: in.SnapshotCreationTimestamp.Time,
	})
	if err != nil {
		return nil, err
	}
	return empty{}, nil
}

func listApplicationVersions(ctx context.Context, h *Handler, _ *http.Request, in listRequest) (any, error) {
	limit, err := fromLimit(in.Limit)
	if err != nil {
		return nil, err
	}
	out, err := h.svc.ListApplicationVersions(ctx, lifecycle.ListApplicationVersionsRequest{ApplicationName: in.ApplicationName, Limit: limit, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	resp := listApplicationVersionsResponse{ApplicationVersionSummaries: []applicationVersionSummary{}, NextToken: out.NextToken}
	for _, v := range out.ApplicationVersionSummaries {
		resp.ApplicationVersionSummaries = append(resp.ApplicationVersionSummaries, applicationVersionSummary{
			ApplicationStatus: string(v.ApplicationStatus), ApplicationVersionID: v.ApplicationVersionID,
		})
	}
	return resp, nil
}

func describeApplicationVersion(ctx context.Context, h *Handler, _ *http.Request, in describeApplicationVersionRequest) (any, error) {
	out, err := h.svc.DescribeApplicationVersion(ctx, lifecycle.DescribeApplicationVersionRequest{
		ApplicationName: in.ApplicationName, ApplicationVersionID: *in.ApplicationVersionID,
	})
	if err != nil {
		return nil, err
	}
	return describeApplicationVersionResponse{toDetail(out.ApplicationVersionDetail)}, nil
}

func listApplicationOperations(ctx context.Context, h *Handler, _ *http.Request, in listApplicationOperationsRequest) (any, error) {
	limit, err := fromLimit(in.Limit)
	if err != nil {
		return nil, err
	}
	out, err := h.svc.ListApplicationOperations(ctx, lifecycle.ListApplicationOperationsRequest{
		ApplicationName: in.ApplicationName, Limit: limit, NextToken: in.NextToken,
		Operation: in.Operation, OperationStatus: lifecycle.OperationStatus(in.OperationStatus),
	})
	if err != nil {
		return nil, err
	}
	resp := listApplicationOperationsResponse{ApplicationOperationInfoList: []applicationOperationInfo{}, NextToken: out.NextToken}
	for _, o := range out.ApplicationOperationInfoList {
		resp.ApplicationOperationInfoList = append(resp.ApplicationOperationInfoList, applicationOperationInfo{
			EndTime: toEpoch(o.EndTime), Operation: o.Operation, OperationID: o.OperationID,
			OperationStatus: string(o.OperationStatus), StartTime: toEpoch(o.StartTime),
		})
	}
	return resp, nil
}

func describeApplicationOperation(ctx context.Context, h *Handler, _ *http.Request, in describeApplicationOperationRequest) (any, error) {
	out, err := h.svc.DescribeApplicationOperation(ctx, lifecycle.DescribeApplicationOperationRequest{ApplicationName: in.ApplicationName, OperationID: in.OperationID})
	if err != nil {
		return nil, err
	}
	d := out.ApplicationOperationInfoDetails
	resp := applicationOperationInfoDetails{
		EndTime: toEpoch(d.EndTime), Operation: d.Operation, OperationStatus: string(d.OperationStatus), StartTime: toEpoch(d.StartTime),
	}
	if c := d.ApplicationVersionChangeDetails; c != nil {
		resp.ApplicationVersionChangeDetails = &applicationVersionChangeDetails{c.ApplicationVersionUpdatedFrom, c.ApplicationVersionUpdatedTo}
	}
	if f := d.OperationFailureDetails; f != nil {
		resp.OperationFailureDetails = &operationFailureDetails{ErrorInfo: errorInfo{f.ErrorInfo.ErrorString}, RollbackOperationID: f.RollbackOperationID}
	}
	return describeApplicationOperationResponse{resp}, nil
}

func tagResource(ctx context.Context, h *Handler, _ *http.Request, in tagResourceRequest) (any, error) {
	_, err := h.svc.TagResource(ctx, lifecycle.TagResourceRequest{ResourceARN: in.ResourceARN, Tags: fromTags(in.Tags)})
	if err != nil {
		return nil, err
	}
	return empty{}, nil
}

func untagResource(ctx context.Context, h *Handler, _ *http.Request, in untagResourceRequest) (any, error) {
	_, err := h.svc.UntagResource(ctx, lifecycle.UntagResourceRequest{ResourceARN: in.ResourceARN, TagKeys: in.TagKeys})
	if err != nil {
		return nil, err
	}
	return empty{}, nil
}

func listTagsForResource(ctx context.Context, h *Handler, _ *http.Request, in listTagsForResourceRequest) (any, error) {
	out, err := h.svc.ListTagsForResource(ctx, lifecycle.ListTagsForResourceRequest{ResourceARN: in.ResourceARN})
	if err != nil {
		return nil, err
	}
	resp := listTagsForResourceResponse{Tags: []tag{}}
	for _, t := range out.Tags {
		resp.Tags = append(resp.Tags, tag(t))
	}
	return resp, nil
}

func addApplicationCloudWatchLoggingOption(ctx context.Context, h *Handler, _ *http.Request, in addApplicationCloudWatchLoggingOptionRequest) (any, error) {
	out, err := h.svc.AddApplicationCloudWatchLoggingOption(ctx, lifecycle.AddApplicationCloudWatchLoggingOptionRequest{
		ApplicationName: in.ApplicationName, CurrentApplicationVersionID: deref(in.CurrentApplicationVersionID), ConditionalToken: in.ConditionalToken,
		CloudWatchLoggingOption: lifecycle.CloudWatchLoggingOption{LogStreamARN: in.CloudWatchLoggingOption.LogStreamARN},
	})
	if err != nil {
		return nil, err
	}
	return toLoggingResponse(out), nil
}

func deleteApplicationCloudWatchLoggingOption(ctx context.Context, h *Handler, _ *http.Request, in deleteApplicationCloudWatchLoggingOptionRequest) (any, error) {
	out, err := h.svc.DeleteApplicationCloudWatchLoggingOption(ctx, lifecycle.DeleteApplicationCloudWatchLoggingOptionRequest{
		ApplicationName: in.ApplicationName, CurrentApplicationVersionID: deref(in.CurrentApplicationVersionID), ConditionalToken: in.ConditionalToken,
		CloudWatchLoggingOptionID: in.CloudWatchLoggingOptionID,
	})
	if err != nil {
		return nil, err
	}
	// (The two responses are the same shape.)
	return toLoggingResponse(lifecycle.AddApplicationCloudWatchLoggingOptionResponse(out)), nil
}

// toLoggingResponse is the output of both logging option actions.
func toLoggingResponse(out lifecycle.AddApplicationCloudWatchLoggingOptionResponse) cloudWatchLoggingOptionResponse {
	return cloudWatchLoggingOptionResponse{ApplicationARN: out.ApplicationARN, ApplicationVersionID: out.ApplicationVersionID,
		CloudWatchLoggingOptionDescriptions: toLoggingDescriptions(out.CloudWatchLoggingOptionDescriptions), OperationID: out.OperationID}
}

func updateApplicationMaintenanceConfiguration(ctx context.Context, h *Handler, _ *http.Request, in updateApplicationMaintenanceConfigurationRequest) (any, error) {
	out, err := h.svc.UpdateApplicationMaintenanceConfiguration(ctx, lifecycle.UpdateApplicationMaintenanceConfigurationRequest{
		ApplicationName: in.ApplicationName,
		ApplicationMaintenanceConfigurationUpdate: lifecycle.ApplicationMaintenanceConfigurationUpdate{
			ApplicationMaintenanceWindowStartTimeUpdate: in.ApplicationMaintenanceConfigurationUpdate.ApplicationMaintenanceWindowStartTimeUpdate,
		},
	})
	if err != nil {
		return nil, err
	}
	return updateApplicationMaintenanceConfigurationResponse{ApplicationARN: out.ApplicationARN,
		ApplicationMaintenanceConfigurationDescription: toMaintenance(out.ApplicationMaintenanceConfigurationDescription)}, nil
}
